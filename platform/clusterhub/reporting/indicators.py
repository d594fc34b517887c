"""Indicator values: ``{indicator key: {group key: value}}`` for a scope and a grouping, from the stored
figures when they hold the scope's period, else from one statement per indicator of the registry."""

from . import summaries
from .registry import REGISTRY
from .sql import COUNTRY, GROUPS, Scope


def compute(keys, scope: Scope, grouping: str) -> dict[str, dict]:
    """``{indicator key: {group key: value}}`` for the given indicators.

    Federal reads of the standard periods are sliced from the stored figures (:mod:`.summaries`); the
    rest runs one statement per indicator."""
    if grouping not in GROUPS:
        raise ValueError(grouping)
    figures = summaries.stored_figures(scope)
    if figures is not None:
        results = {key: figures.slice(key, scope, grouping) for key in keys}
    else:
        results = {key: REGISTRY[key].compute(scope, grouping) for key in keys}
    if grouping == "country":  # an aggregate over no rows still answers, with zero
        results = {key: values or {COUNTRY: 0} for key, values in results.items()}
    return results
