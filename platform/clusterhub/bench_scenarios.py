"""Benchmark scenarios: each builds its data in the prepared database and returns (label, path) pairs.
Modules append theirs to SCENARIOS."""


def center_home(app):
    return [("/komi/ (center home)", "/komi/")]


def platform_home(app):
    return [("/ (platform home, 4 centers)", "/")]


SCENARIOS = [center_home, platform_home]


def defense_protocol_verification(app):
    """A signed round of 10 projects × 7 experts × 6 criteria; the public hash check is a cross-tenant read."""
    from .defenses.bench import build

    data = build("komi", sign=True)
    return [("/verify/protocol/<hash> (10×7×6 round)", f"/verify/protocol/{data['hash']}")]


SCENARIOS.append(defense_protocol_verification)
