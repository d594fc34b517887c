"""Indicators read from joint projects and their preliminary defenses."""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...core import signals
from ...defenses.models import DefenseCriterion, DefenseRound, DefenseSlot, Score
from ...events.models import AgendaItem
from ...projects.models import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    CostItem,
    DefenseOutcome,
    IndicatorValue,
    JointProject,
    ProjectStatus,
    SelectionRound,
)
from ..registry import Source
from ..sql import (
    COUNTRY,
    by_center_and,
    execute,
    group_column,
    grouped,
    in_period,
    percent,
    round1,
    rows,
    scoped,
)

source = Source()

S = ProjectStatus
PRESENTED = (S.SUBMITTED, S.ADMITTED, S.DEFENDED, S.FILED, S.GRANTED, S.REFUSED)
DEFENDED = (S.DEFENDED, S.FILED, S.GRANTED, S.REFUSED)
FILED = (S.FILED, S.GRANTED, S.REFUSED)

# Each figure is dated by when the thing happened, not when its row was entered (a defense held in 2021
# and entered in 2026 counts in 2021):
# - a project by its submission to the center (a project that never went through "submitted", e.g. an
#   imported one, by its creation);
SUBMITTED_ON = sa.func.coalesce(JointProject.submitted_at, JointProject.created_at)
# - a defense round by its "project defense" agenda item at a session, else the date the center gave it,
#   else its creation;
DEFENSE_HELD_ON = sa.func.coalesce(AgendaItem.starts_at, DefenseRound.held_on, DefenseRound.created_at)


def with_defense_dates(statement):
    """Join the date each defense round was held (``DEFENSE_HELD_ON``) to a statement on DefenseRound."""
    return statement.outerjoin(
        AgendaItem,
        sa.and_(AgendaItem.id == DefenseRound.agenda_item_id, AgendaItem.tenant_id == DefenseRound.tenant_id),
    )


def last_defense_of_projects():
    """``(tenant_id, joint_project_id, held_on)``: the date of each project's latest defense."""
    statement = (
        sa.select(
            DefenseSlot.tenant_id,
            DefenseSlot.joint_project_id,
            sa.func.max(DEFENSE_HELD_ON).label("held_on"),
        )
        .select_from(DefenseSlot)
        .join(
            DefenseRound,
            sa.and_(
                DefenseRound.id == DefenseSlot.defense_round_id,
                DefenseRound.tenant_id == DefenseSlot.tenant_id,
            ),
        )
    )
    return (
        with_defense_dates(statement)
        .group_by(DefenseSlot.tenant_id, DefenseSlot.joint_project_id)
        .subquery("last_defense")
    )


def defended_in_period(scope):
    """(condition, join) of projects whose defense falls in the period: the latest defense round they had a
    slot in, or, for a project marked defended without a round on the platform, its submission."""
    last = last_defense_of_projects()
    join = (
        last,
        sa.and_(last.c.joint_project_id == JointProject.id, last.c.tenant_id == JointProject.tenant_id),
    )
    return in_period(sa.func.coalesce(last.c.held_on, SUBMITTED_ON), scope), join


def _projects(scope, grouping, value, *conditions, joins=(), dated_by=None):
    """``value`` over the projects of the scope, dated by their submission unless ``dated_by`` says."""
    statement = sa.select(group_column(grouping), value).select_from(JointProject)
    for target, on in joins:
        statement = statement.outerjoin(target, on)
    dated = in_period(SUBMITTED_ON, scope) if dated_by is None else dated_by
    statement = scoped(statement, scope, JointProject.tenant_id).where(dated, *conditions)
    return execute(grouped(statement, grouping))


def _defended(scope, grouping, value, *conditions):
    """``value`` over the defended projects whose defense falls in the period."""
    dated, join = defended_in_period(scope)
    return _projects(
        scope, grouping, value, JointProject.status.in_(DEFENDED), *conditions, joins=[join], dated_by=dated
    )


def _count(*conditions):
    return lambda scope, grouping: _projects(scope, grouping, sa.func.count(JointProject.id), *conditions)


source.indicator(
    "projects_presented",
    "projects",
    _l("Joint projects presented"),
    _l(
        "Joint cluster projects submitted to a center in the period (drafts not counted); dated by the submission."
    ),
)(_count(JointProject.status.in_(PRESENTED)))


@source.indicator(
    "projects_defended",
    "projects",
    _l("Projects defended"),
    _l(
        "Presented projects that went through a preliminary defense (any outcome); dated by the defense: "
        "its agenda item at a session, else the date of the defense round."
    ),
)
def projects_defended(scope, grouping):
    return _defended(scope, grouping, sa.func.count(JointProject.id))


source.indicator(
    "projects_filed",
    "projects",
    _l("Filed for the federal selection"),
    _l(
        "Defended projects filed for Минпромторг's competitive selection, of the projects submitted in the "
        "period; dated by the submission."
    ),
)(_count(JointProject.status.in_(FILED)))
source.indicator(
    "subsidies_granted",
    "projects",
    _l("Subsidies granted"),
    _l(
        "Projects that were granted the subsidy after the federal selection, of the projects submitted in "
        "the period; dated by the submission."
    ),
)(_count(JointProject.status == S.GRANTED))


@source.indicator(
    "projects_recommended_share",
    "projects",
    _l("Recommended at defense, %"),
    _l(
        "Share of the projects defended in the period that the panel recommended (with or without "
        "revisions); dated by the defense."
    ),
    unit="percent",
)
def projects_recommended_share(scope, grouping):
    recommended = sa.func.sum(
        sa.case(
            (
                JointProject.defense_outcome.in_(
                    [DefenseOutcome.RECOMMENDED, DefenseOutcome.RECOMMENDED_WITH_REVISIONS]
                ),
                1,
            ),
            else_=0,
        )
    )
    return _defended(scope, grouping, percent(recommended, sa.func.count(JointProject.id)))


@source.indicator(
    "requested_subsidy",
    "projects",
    _l("Subsidy requested, thousand RUB"),
    _l("Subsidy the projects submitted in the period ask for, in thousands of roubles."),
    unit="thousand_rub",
)
def requested_subsidy(scope, grouping):
    return _projects(
        scope,
        grouping,
        round1(sa.func.sum(JointProject.requested_subsidy) / 100_000.0),
        JointProject.status.in_(PRESENTED),
    )


@source.indicator(
    "projects_budget",
    "projects",
    _l("Budget of presented projects, thousand RUB"),
    _l("Total cost estimates (смета) of the projects submitted in the period, in thousands of roubles."),
    unit="thousand_rub",
)
def projects_budget(scope, grouping):
    costs = (
        sa.select(CostItem.tenant_id, CostItem.joint_project_id, sa.func.sum(CostItem.amount).label("total"))
        .group_by(CostItem.tenant_id, CostItem.joint_project_id)
        .subquery()
    )
    return _projects(
        scope,
        grouping,
        round1(sa.func.sum(costs.c.total) / 100_000.0),
        JointProject.status.in_(PRESENTED),
        joins=[
            (
                costs,
                sa.and_(
                    costs.c.joint_project_id == JointProject.id, costs.c.tenant_id == JointProject.tenant_id
                ),
            )
        ],
    )


@source.indicator(
    "requested_subsidy_of_cap",
    "projects",
    _l("Subsidy requested against the round caps, %"),
    _l(
        "The subsidy the projects submitted in the period ask for as a share of the caps of their selection "
        "rounds (the most one applicant may receive in the round)."
    ),
    unit="percent",
    higher_is_better=False,
)
def requested_subsidy_of_cap(scope, grouping):
    return _projects(
        scope,
        grouping,
        percent(sa.func.sum(JointProject.requested_subsidy), sa.func.sum(SelectionRound.applicant_cap)),
        JointProject.status.in_(PRESENTED),
        joins=[(SelectionRound, SelectionRound.id == JointProject.selection_round_id)],
    )


@source.breakdown(
    "projects_by_status",
    "projects",
    _l("Projects by status"),
    _l("Joint projects submitted in the period (drafts: created in the period), by where they stand now."),
    STATUS_LABELS,
)
def projects_by_status(scope):
    return by_center_and(scope, JointProject, JointProject.status, in_period(SUBMITTED_ON, scope))


@source.breakdown(
    "defense_outcomes",
    "projects",
    _l("Defense outcomes"),
    _l("Projects defended in the period, by the panel's outcome; dated by the defense."),
    OUTCOME_LABELS,
)
def defense_outcomes(scope):
    dated, join = defended_in_period(scope)
    return by_center_and(
        scope,
        JointProject,
        JointProject.defense_outcome,
        dated,
        JointProject.defense_outcome.is_not(None),
        joins=[join],
        outer=True,
    )


def _normalised_scores(scope, grouping):
    """Per group: mean and mean square of every score scaled to 0–100 of its criterion's range."""
    scaled = (
        100.0
        * (Score.value - DefenseCriterion.min_score)
        / sa.func.nullif(DefenseCriterion.max_score - DefenseCriterion.min_score, 0)
    )
    statement = (
        sa.select(
            group_column(grouping), sa.func.avg(scaled), sa.func.avg(scaled * scaled), sa.func.count(Score.id)
        )
        .select_from(Score)
        .join(
            DefenseCriterion,
            sa.and_(
                DefenseCriterion.id == Score.defense_criterion_id,
                DefenseCriterion.tenant_id == Score.tenant_id,
            ),
        )
        .join(
            DefenseSlot,
            sa.and_(DefenseSlot.id == Score.defense_slot_id, DefenseSlot.tenant_id == Score.tenant_id),
        )
        .join(
            DefenseRound,
            sa.and_(
                DefenseRound.id == DefenseSlot.defense_round_id, DefenseRound.tenant_id == Score.tenant_id
            ),
        )
    )
    statement = with_defense_dates(statement)
    statement = scoped(statement, scope, Score.tenant_id).where(in_period(DEFENSE_HELD_ON, scope))
    return {row[0]: row[1:] for row in rows(grouped(statement, grouping)) if row[3]}


@source.indicator(
    "score_mean",
    "projects",
    _l("Average expert score, %"),
    _l(
        "Mean of all expert scores of the defense rounds held in the period (dated by the defense's agenda "
        "item, else the round's date), each scaled to its criterion's range (from 0 to 100)."
    ),
    unit="percent",
)
def score_mean(scope, grouping):
    rows = _normalised_scores(scope, grouping)
    return {g: Decimal(str(round(float(mean), 1))) for g, (mean, _sq, _n) in rows.items()} or (
        {COUNTRY: 0} if grouping == "country" else {}
    )


@source.indicator(
    "score_spread",
    "projects",
    _l("Spread of expert scores, %"),
    _l("Standard deviation of the same scaled scores: how much the experts disagree."),
    unit="percent",
    higher_is_better=False,
)
def score_spread(scope, grouping):
    rows = _normalised_scores(scope, grouping)
    return {
        g: Decimal(str(round(max(0.0, float(sq) - float(mean) ** 2) ** 0.5, 1)))
        for g, (mean, sq, _n) in rows.items()
    }


@source.indicator(
    "indicator_attainment",
    "projects",
    _l("Project targets attained, %"),
    _l(
        "Half-year facts reported by subsidy recipients against the plan values of the same half-years, for the "
        "half-years starting in the period (only the half-years already reported)."
    ),
    unit="percent",
)
def indicator_attainment(scope, grouping):

    half_start_month = sa.case((IndicatorValue.half == 1, 1), else_=7)
    reported_in_period = sa.and_(
        IndicatorValue.year * 100 + half_start_month
        >= scope.period.start.year * 100 + scope.period.start.month,
        IndicatorValue.year * 100 + half_start_month < scope.period.end.year * 100 + scope.period.end.month,
    )
    statement = sa.select(
        group_column(grouping), percent(sa.func.sum(IndicatorValue.fact), sa.func.sum(IndicatorValue.plan))
    )
    statement = scoped(statement.select_from(IndicatorValue), scope, IndicatorValue.tenant_id).where(
        IndicatorValue.fact.is_not(None), reported_in_period
    )
    return execute(grouped(statement, grouping))


def connect_signals() -> None:
    """Answer ``signals.indicator_sources`` with this module's definitions (called from ``create_app``)."""
    signals.indicator_sources.connect(source.answer)
