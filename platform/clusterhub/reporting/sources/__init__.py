"""The sources of the federal indicators, one module per area it reads (``platform``, ``clusters``,
``events``, the centers' own ``kpi``, the B2B ``meetings`` of ``cooperation.meetings``, ``projects`` with
defenses, ``technoparks``). Each defines its indicators in a :class:`~clusterhub.reporting.registry.Source`
and answers ``signals.indicator_sources``; importing one registers nothing."""

from . import clusters, events, kpi, meetings, platform, projects, technoparks


def connect_signals() -> None:
    """Connect every source, in the order the dashboard and the exports list them (``create_app``)."""
    for source in (platform, clusters, events, kpi, meetings, projects, technoparks):
        source.connect_signals()
