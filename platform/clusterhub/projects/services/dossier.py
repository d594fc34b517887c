"""A joint project's dossier: the project itself, its cost estimate, calendar plan and target indicators
(with the half-year facts once the subsidy is granted), checked against the round's rules. Only a draft
changes. Services validate and flush; the request's unit of work commits."""

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...clusters.models import Cluster
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...extensions import db
from ...tenancy.models import utcnow
from ..models import (
    STATUS_LABELS,
    CostCategory,
    CostItem,
    IndicatorKind,
    IndicatorValue,
    JointProject,
    ParticipantRole,
    PlanStage,
    ProjectParticipant,
    ProjectStatus,
    ProjectStatusChange,
    SelectionRound,
    TargetIndicator,
)
from .rules import check_project


def _kopecks(value) -> int:
    """Roubles (str/Decimal, up to two decimals) or kopecks (int) to kopecks; negative refused."""
    if isinstance(value, int):
        kopecks = value
    else:
        try:
            amount = Decimal(str(value).replace(" ", "").replace(",", "."))
        except InvalidOperation as exc:
            raise Refusal(_("Give an amount in roubles, e.g. 1500000.00.")) from exc
        if amount != amount.quantize(Decimal("0.01")):
            raise Refusal(_("Amounts have at most two decimal places (kopecks)."))
        kopecks = int(amount * 100)
    if kopecks < 0:
        raise Refusal(_("Amounts cannot be negative."))
    return kopecks


EDITABLE_STATUSES = {ProjectStatus.DRAFT}


def check_editable(project: JointProject) -> None:
    if project.status not in EDITABLE_STATUSES:
        status = str(STATUS_LABELS.get(project.status, project.status))
        raise Refusal(_("Only a draft can be edited; this project's status is «%(status)s».", status=status))


def create_project(
    selection_round: SelectionRound, lead: Enterprise, title_ru: str, *, actor=None, **values
) -> JointProject:
    """A draft dossier; the lead enterprise becomes its first participant."""
    if not (title_ru or "").strip():
        raise Refusal(_("Give the project's title."))
    cluster_id = values.get("cluster_id") or None
    if (
        cluster_id is not None
        and db.session.scalar(sa.select(Cluster.id).where(Cluster.id == cluster_id)) is None
    ):
        raise Refusal(_("Choose one of the center's clusters."))
    project = JointProject(
        cluster_id=cluster_id,
        selection_round_id=selection_round.id,
        selection_round=selection_round,
        lead_enterprise_id=lead.id,
        title_ru=title_ru.strip(),
        title_en=values.get("title_en"),
        summary_ru=values.get("summary_ru"),
        summary_en=values.get("summary_en"),
        requested_subsidy=_kopecks(values.get("requested_subsidy", 0)),
        co_financing=_kopecks(values.get("co_financing", 0)),
        status=ProjectStatus.DRAFT,
    )
    db.session.add(project)
    project.participants.append(ProjectParticipant(enterprise_id=lead.id, role=ParticipantRole.LEAD))
    project.status_changes.append(
        ProjectStatusChange(
            from_status=None, to_status=ProjectStatus.DRAFT, actor_id=getattr(actor, "id", None)
        )
    )
    db.session.flush()
    record("project.created", project, actor=actor, after={"title": project.title_ru, "lead": lead.inn})
    return project


def update_project(project: JointProject, values: dict, *, actor=None) -> None:
    check_editable(project)
    before = {k: getattr(project, k) for k in values}
    for key in ("title_ru", "title_en", "summary_ru", "summary_en"):
        if key in values:
            setattr(project, key, values[key])
    for key in ("requested_subsidy", "co_financing"):
        if key in values:
            setattr(project, key, _kopecks(values[key]))
    if not (project.title_ru or "").strip():
        raise Refusal(_("Give the project's title."))
    db.session.flush()
    record(
        "project.updated", project, actor=actor, before=before, after={k: getattr(project, k) for k in values}
    )


def add_cost_item(
    project: JointProject, category: str, description: str, amount, *, eligible=True, actor=None
) -> CostItem:
    check_editable(project)
    if category not in set(CostCategory):
        raise Refusal(_("Choose a cost category."))
    if not (description or "").strip():
        raise Refusal(_("Describe the cost."))
    kopecks = _kopecks(amount)
    if kopecks == 0:
        raise Refusal(_("A cost line needs an amount above zero."))
    item = CostItem(
        category=category, description=description.strip(), amount=kopecks, eligible=bool(eligible)
    )
    project.cost_items.append(item)
    db.session.flush()
    record("project.cost_added", project, actor=actor, after={"category": category, "amount": kopecks})
    return item


def remove_line(project: JointProject, line, *, actor=None) -> None:
    """Remove a cost line, plan stage, product or indicator of a draft."""
    check_editable(project)
    record("project.line_removed", project, actor=actor, before={"type": type(line).__name__, "id": line.id})
    db.session.delete(line)
    db.session.flush()
    db.session.expire(project)


def add_stage(project: JointProject, title: str, starts_on: date, ends_on: date, *, actor=None) -> PlanStage:
    check_editable(project)
    if not (title or "").strip():
        raise Refusal(_("Give the stage's title."))
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise Refusal(_("A stage ends on or after the day it starts."))
    stage = PlanStage(title=title.strip(), starts_on=starts_on, ends_on=ends_on)
    project.stages.append(stage)
    db.session.flush()
    record("project.stage_added", project, actor=actor, after={"title": stage.title})
    return stage


def add_indicator(
    project: JointProject, kind: str, unit: str, plan: dict[tuple[int, int], object], *, actor=None
) -> TargetIndicator:
    """An indicator with semi-annual plan values ``{(year, half): value}`` (half 1 or 2)."""
    check_editable(project)
    if kind not in set(IndicatorKind):
        raise Refusal(_("Choose the kind of indicator."))
    indicator = TargetIndicator(kind=kind, unit=(unit or "").strip() or "-")
    for (year, half), value in sorted(plan.items()):
        if half not in (1, 2) or not 2000 <= int(year) <= 2100:
            raise Refusal(_("Plan values are per half-year: a year and half 1 or 2."))
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:
            raise Refusal(_("Plan values are numbers.")) from exc
        if amount < 0:
            raise Refusal(_("Plan values cannot be negative."))
        indicator.values.append(IndicatorValue(year=int(year), half=half, plan=amount))
    project.indicators.append(indicator)
    db.session.flush()
    record("project.indicator_added", project, actor=actor, after={"kind": kind})
    return indicator


def report_indicator_fact(project: JointProject, value_id: int, fact, *, actor=None) -> IndicatorValue:
    """Record the half-year fact of a target indicator; only for projects filed or granted a subsidy."""
    if project.status not in (ProjectStatus.FILED, ProjectStatus.GRANTED):
        raise Refusal(_("Facts are reported once the project is filed or granted the subsidy."))
    value = db.session.scalar(
        sa.select(IndicatorValue)
        .join(TargetIndicator, TargetIndicator.id == IndicatorValue.target_indicator_id)
        .where(IndicatorValue.id == value_id, TargetIndicator.joint_project_id == project.id)
    )
    if value is None:
        raise Refusal(_("No such plan value in this project."))
    try:
        amount = Decimal(str(fact).replace(",", ".").replace(" ", ""))
    except InvalidOperation as exc:
        raise Refusal(_("The fact is a number.")) from exc
    if amount < 0:
        raise Refusal(_("The fact cannot be negative."))
    before = value.fact
    value.fact, value.reported_at = amount, utcnow()
    db.session.flush()
    record(
        "project.indicator_fact",
        project,
        actor=actor,
        before={"fact": before},
        after={"value_id": value.id, "year": value.year, "half": value.half, "fact": amount},
    )
    return value


def rule_checks(project: JointProject):
    return check_project(project, project.selection_round)


def cluster_choices() -> list[tuple[int, str]]:
    """The center's clusters, for the dossier's cluster field."""

    # Plain tuples: WTForms takes a choice for a (value, label) pair only if it is a tuple, not a Row.
    rows = db.session.execute(sa.select(Cluster.id, Cluster.name).order_by(Cluster.name))
    return [(cluster_id, name) for cluster_id, name in rows]
