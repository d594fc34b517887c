"""Indicators read from the centers' clusters and their members' enterprise profiles."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...clusters.models import Cluster, ClusterMember, RegisterStatus
from ...core import signals
from ...enterprises.models import Enterprise, EnterpriseFigure, SizeCategory
from ..registry import Source
from ..sql import aggregate, execute, group_column, round1, scoped

source = Source()

SME = (SizeCategory.MICRO, SizeCategory.SMALL, SizeCategory.MEDIUM)
# ОКВЭД 2 sections B–E (mining, manufacturing, energy, water and waste): classes 05 to 39.
INDUSTRIAL_CLASSES = ("05", "39")


def specialisation_filter(scope):
    """Clusters whose ОКВЭД 2 specialisation starts with the filter (any of their space-separated codes)."""
    if not scope.specialisation:
        return sa.true()
    return (" " + sa.func.coalesce(Cluster.okved_codes, "")).like(f"% {scope.specialisation}%")


def _members_in_period(scope):
    """Memberships current at some point of the period."""
    return sa.and_(
        sa.or_(ClusterMember.joined_on.is_(None), ClusterMember.joined_on < scope.period.end),
        sa.or_(ClusterMember.left_on.is_(None), ClusterMember.left_on >= scope.period.start),
    )


def _participants(scope, grouping):
    """(group, enterprise) pairs, each enterprise once per group even if it is in several clusters."""
    statement = sa.select(group_column(grouping), ClusterMember.enterprise_id.label("enterprise_id"))
    statement = scoped(statement.select_from(ClusterMember), scope, ClusterMember.tenant_id)
    if scope.specialisation:
        statement = statement.join(
            Cluster,
            sa.and_(Cluster.id == ClusterMember.cluster_id, Cluster.tenant_id == ClusterMember.tenant_id),
        )
    return statement.where(_members_in_period(scope), specialisation_filter(scope)).distinct().subquery()


@source.indicator(
    "clusters",
    "kpi",
    _l("Clusters looked after"),
    _l("KPI 1: clusters (industrial, territorial and innovative) kept by the centers."),
)
def clusters(scope, grouping):
    return aggregate(scope, grouping, Cluster, sa.func.count(Cluster.id), specialisation_filter(scope))


@source.indicator(
    "clusters_in_register",
    "clusters",
    _l("Clusters in the federal register"),
    _l("Industrial clusters entered in Минпромторг's register (Decree No. 779)."),
)
def clusters_in_register(scope, grouping):
    return aggregate(
        scope,
        grouping,
        Cluster,
        sa.func.count(Cluster.id),
        Cluster.register_status == RegisterStatus.REGISTERED,
        specialisation_filter(scope),
    )


@source.indicator(
    "register_expiring",
    "clusters",
    _l("Register decisions expiring within 12 months"),
    _l("Clusters in the register whose compliance decision ends within twelve months from today."),
    higher_is_better=False,
)
def register_expiring(scope, grouping):
    today = date.today()
    return aggregate(
        scope,
        grouping,
        Cluster,
        sa.func.count(Cluster.id),
        Cluster.register_status == RegisterStatus.REGISTERED,
        specialisation_filter(scope),
        Cluster.register_valid_until >= today,
        Cluster.register_valid_until < today + timedelta(days=365),
    )


@source.indicator(
    "cluster_participants",
    "clusters",
    _l("Cluster participants"),
    _l("Enterprises that are members of a cluster during the period, each counted once."),
    additive=False,
)
def cluster_participants(scope, grouping):
    pairs = _participants(scope, grouping)
    statement = sa.select(pairs.c.g, sa.func.count(pairs.c.enterprise_id))
    return execute(statement.group_by(pairs.c.g))


@source.indicator(
    "industrial_participants",
    "clusters",
    _l("Industrial participants"),
    _l("Cluster participants whose main ОКВЭД 2 activity is industrial (sections B–E, classes 05–39)."),
    additive=False,
)
def industrial_participants(scope, grouping):
    pairs = _participants(scope, grouping)
    okved_class = sa.func.substr(Enterprise.okved_main, 1, 2)
    statement = (
        sa.select(pairs.c.g, sa.func.count(pairs.c.enterprise_id))
        .join(Enterprise, Enterprise.id == pairs.c.enterprise_id)
        .where(okved_class.between(*INDUSTRIAL_CLASSES))
        .group_by(pairs.c.g)
    )
    return execute(statement)


def _figures_of_participants(scope, grouping, value, *conditions):
    pairs = _participants(scope, grouping)
    statement = (
        sa.select(pairs.c.g, value)
        .join(
            EnterpriseFigure,
            sa.and_(
                EnterpriseFigure.enterprise_id == pairs.c.enterprise_id,
                EnterpriseFigure.year == scope.period.start.year,
            ),
        )
        .join(Enterprise, Enterprise.id == pairs.c.enterprise_id)
        .where(*conditions)
        .group_by(pairs.c.g)
    )
    return execute(statement)


@source.indicator(
    "participant_employees",
    "kpi",
    _l("Employees of cluster participants"),
    _l("KPI 2: headcount of the cluster participants for the period's year, from their profiles."),
    unit="people",
    additive=False,
)
def participant_employees(scope, grouping):
    return _figures_of_participants(scope, grouping, sa.func.sum(EnterpriseFigure.headcount))


@source.indicator(
    "sme_participant_revenue",
    "kpi",
    _l("Revenue of SME participants, thousand RUB"),
    _l(
        "KPI 3: revenue of the cluster participants that are small and medium enterprises, for the "
        "period's year, in thousands of roubles."
    ),
    unit="thousand_rub",
    additive=False,
)
def sme_participant_revenue(scope, grouping):
    return _figures_of_participants(
        scope,
        grouping,
        round1(sa.func.sum(EnterpriseFigure.revenue) / 1000),
        Enterprise.size_category.in_(SME),
    )


def connect_signals() -> None:
    """Answer ``signals.indicator_sources`` with this module's definitions (called from ``create_app``)."""
    signals.indicator_sources.connect(source.answer)
