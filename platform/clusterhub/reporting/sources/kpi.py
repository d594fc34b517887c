"""KPIs no module records: the facts the centers report themselves with their plans."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...core import signals
from ..models import KpiPlan
from ..registry import Source
from ..sql import aggregate

source = Source()


def _reported_fact(key):
    def compute(scope, grouping):
        return aggregate(
            scope,
            grouping,
            KpiPlan,
            sa.func.sum(KpiPlan.fact),
            KpiPlan.indicator == key,
            KpiPlan.year == scope.period.start.year,
        )

    return compute


source.indicator(
    "new_products_russia",
    "kpi",
    _l("New products on the Russian market"),
    _l(
        "KPI 4: goods, works and services brought to the Russian market with the center's help in the "
        "period's year, as reported by the center."
    ),
)(_reported_fact("new_products_russia"))
source.indicator(
    "new_products_foreign",
    "kpi",
    _l("New products on foreign markets"),
    _l(
        "KPI 4: goods, works and services brought to foreign markets with the center's help in the "
        "period's year, as reported by the center."
    ),
)(_reported_fact("new_products_foreign"))


def connect_signals() -> None:
    """Answer ``signals.indicator_sources`` with this module's definitions (called from ``create_app``)."""
    signals.indicator_sources.connect(source.answer)
