"""``make bench`` (``python -m clusterhub_dev.bench``, the runner in ``__main__``), its scenarios
(``scenarios.SCENARIOS``), the framework floor, and each area's benchmark data and in-process timings."""
