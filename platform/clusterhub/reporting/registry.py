"""The registry of indicators: one definition each, used by the dashboard, the exports, the API, the stored
figures and the period reports.

The definitions are not registered by importing anything: each source (``sources/*``) collects its own in
a :class:`Source` and answers :data:`~clusterhub.core.signals.indicator_sources` when the registry asks;
``create_app`` connects the sources in the order the dashboard lists them. This module depends on the
signals alone, and the SQL a definition runs is built with :mod:`.sql`.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from ..core import signals

SECTIONS = {
    "kpi": _l("Key performance indicators of the centers"),
    "clusters": _l("Clusters"),
    "sessions": _l("Sessions"),
    "technoparks": _l("Technoparks"),
    "projects": _l("Joint projects and defenses"),
    "platform": _l("Platform"),
}

# Units whose values the statements round (to one decimal): adding rounded parts up would not give the
# rounded whole, so they are computed at each grouping like shares and means.
ROUNDED_UNITS = ("percent", "thousand_rub", "hours")


@dataclass(frozen=True)
class Indicator:
    """A figure computed for a :class:`~.sql.Scope` (period and geographic filters), grouped by
    ``country``, ``district``, ``region`` or ``tenant``, with ONE aggregate SQL statement whatever the
    number of tenants. Values are exact for every grouping (distinct counts are counted at the grouping
    level, ratios and means are combined in SQL), so the same number appears wherever it appears."""

    key: str
    group: str  # the section of the dashboard: kpi, clusters, sessions, technoparks, projects, platform
    label: object
    definition: object
    unit: str  # count, people, thousand_rub, rub, percent, hours, score
    compute: Callable  # (scope, grouping) -> {group key: value}
    higher_is_better: bool = True
    # Additive: the value of an area is the sum of its regions' values (counts, sums). Distinct counts,
    # shares and means are not, and are computed at each grouping.
    additive: bool = True
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Breakdown:
    """A count split into categories (registrations by participant category, requests by status...)."""

    key: str
    group: str
    label: object
    definition: object
    categories: dict  # category -> label, in the order they are shown
    compute: Callable  # (scope) -> {(center id, category): count}, one statement


class Source:
    """The definitions of one source module, in the order it declares them; connect :meth:`answer` to
    :data:`~clusterhub.core.signals.indicator_sources` from the module's ``connect_signals()``."""

    def __init__(self) -> None:
        self.definitions: list[Indicator | Breakdown] = []

    def indicator(self, key, group, label, definition, unit="count", higher_is_better=True, additive=None):
        """Declare the decorated compute function ``(scope, grouping) -> {group key: value}`` an indicator."""

        def decorator(compute):
            is_additive = unit not in ROUNDED_UNITS if additive is None else additive
            self.definitions.append(
                Indicator(key, group, label, definition, unit, compute, higher_is_better, is_additive)
            )
            return compute

        return decorator

    def breakdown(self, key, group, label, definition, categories):
        """Declare the decorated compute function ``(scope) -> {(center id, category): count}`` a breakdown."""

        def decorator(compute):
            self.definitions.append(Breakdown(key, group, label, definition, categories, compute))
            return compute

        return decorator

    def answer(self, sender: Any = None, **_kwargs: Any) -> list[Indicator | Breakdown]:
        return list(self.definitions)


class _Connected(Mapping):
    """key → definition of one kind, as the connected sources answer (read again when they change)."""

    def __init__(self, kind: type[Indicator] | type[Breakdown]) -> None:
        self.kind = kind
        self._answered: tuple[tuple, dict] | None = None

    def _definitions(self) -> dict:
        receivers = tuple(signals.indicator_sources.receivers)
        if self._answered is None or self._answered[0] != receivers:
            definitions: dict = {}
            for answer in signals.answers(signals.indicator_sources):
                for definition in answer:
                    if not isinstance(definition, self.kind):
                        continue
                    if definition.key in definitions:
                        raise ValueError(f"two sources define the indicator {definition.key!r}")
                    definitions[definition.key] = definition
            self._answered = (receivers, definitions)
        return self._answered[1]

    def __getitem__(self, key: str):
        return self._definitions()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._definitions())

    def __len__(self) -> int:
        return len(self._definitions())


#: Every connected indicator by key, in the order the sources were connected and declare them.
REGISTRY: Mapping[str, Indicator] = _Connected(Indicator)
#: Every connected breakdown by key, in the same order.
BREAKDOWNS: Mapping[str, Breakdown] = _Connected(Breakdown)
