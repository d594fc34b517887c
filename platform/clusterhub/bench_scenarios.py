"""Benchmark scenarios: each builds its data in the prepared database and returns (label, path) pairs.
Modules append theirs to SCENARIOS."""


def center_home(app):
    return [("/komi/ (center home)", "/komi/")]


def platform_home(app):
    return [("/ (platform home, 4 centers)", "/")]


SCENARIOS = [center_home, platform_home]
