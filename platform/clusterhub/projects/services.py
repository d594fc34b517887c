"""Operations on selection rounds and joint project dossiers. Services validate and flush; the request's unit
of work commits."""

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..clusters.models import Cluster
from ..core import signals
from ..core.refusal import Refusal
from ..enterprises.models import Enterprise
from ..enterprises.services.history import HistoryItem
from ..enterprises.services.representatives import represented_enterprises
from ..extensions import db
from ..tenancy import cross_tenant
from ..tenancy.models import Tenant, utcnow
from .models import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    CostCategory,
    CostItem,
    DefenseOutcome,
    IndicatorKind,
    IndicatorValue,
    JointProject,
    ParticipantRole,
    PlanStage,
    ProjectParticipant,
    ProjectProduct,
    ProjectStatus,
    ProjectStatusChange,
    SelectionCriterion,
    SelectionRound,
    TargetIndicator,
)
from .rules import OKPD2_PATTERN, check_project

# --- selection rounds ------------------------------------------------------------------------------

# Criteria the panels apply (after the Rules of Decree 41: import substitution, cooperation, economics,
# fit with the cluster's functional map and programme). Weights sum to 1; scores 0–10.
DEFAULT_CRITERIA = [
    ("import_substitution", "Уровень импортозамещения продукции", "Import substitution level", "0.25"),
    (
        "cooperation",
        "Глубина кооперации участников кластера",
        "Depth of cooperation between participants",
        "0.20",
    ),
    ("economics", "Экономическая эффективность и окупаемость", "Economic efficiency and payback", "0.20"),
    (
        "cluster_fit",
        "Соответствие карте и программе развития кластера",
        "Fit with the cluster's map and programme",
        "0.15",
    ),
    ("jobs", "Создание высокопроизводительных рабочих мест", "High-productivity jobs created", "0.10"),
    ("readiness", "Готовность проекта и команды", "Readiness of the project and the team", "0.10"),
]

# From DOMAIN.md: 2021 round — up to 50 % of costs, 300 mln RUB over 3 years; from 2023 — up to 50 % of
# the cost of starter batches, at most 150 mln RUB per applicant. The minimum of two participants (a
# maker and a buyer) follows from the joint-project definition and is data, like everything here.
DEFAULT_ROUNDS = [
    {
        "code": "pp41-2021",
        "year": 2021,
        "legal_edition": "ПП РФ № 41 от 28.01.2016 в ред. 2021",
        "applicant_cap": 300_000_000_00,
        "max_subsidy_share": Decimal("0.5"),
        "min_participants": 2,
        "deadline": date(2021, 8, 31),
    },
    {
        "code": "pp41-2023",
        "year": 2023,
        "legal_edition": "ПП РФ № 41 от 28.01.2016 в ред. 2023",
        "applicant_cap": 150_000_000_00,
        "max_subsidy_share": Decimal("0.5"),
        "min_participants": 2,
        "deadline": None,
    },
]


def seed_selection_rounds() -> list[SelectionRound]:
    """Create the default rounds and their criteria if missing (idempotent; existing rounds are kept)."""
    rounds = []
    for values in DEFAULT_ROUNDS:
        existing = db.session.scalar(sa.select(SelectionRound).where(SelectionRound.code == values["code"]))
        if existing is None:
            existing = create_selection_round(values, criteria=DEFAULT_CRITERIA)
        rounds.append(existing)
    return rounds


def create_selection_round(values: dict, criteria, actor=None) -> SelectionRound:
    """A new round with its criteria ``(code, name_ru, name_en, weight[, min, max])``."""
    if not 0 < Decimal(values["max_subsidy_share"]) <= 1:
        raise Refusal(_("The subsidy share must be above 0 and at most 1 (a hundred per cent)."))
    selection_round = SelectionRound(**values)
    for position, row in enumerate(criteria):
        code, name_ru, name_en, weight, *score_range = row
        low, high = score_range or (0, 10)
        if high <= low or Decimal(weight) <= 0:
            raise Refusal(_("Each criterion needs a positive weight and a score range."))
        selection_round.criteria.append(
            SelectionCriterion(
                code=code,
                name_ru=name_ru,
                name_en=name_en,
                weight=Decimal(weight),
                min_score=low,
                max_score=high,
                position=position,
            )
        )
    db.session.add(selection_round)
    db.session.flush()
    record("selection_round.created", selection_round, actor=actor, after={"code": selection_round.code})
    return selection_round


def selection_rounds() -> list[SelectionRound]:
    return list(db.session.scalars(sa.select(SelectionRound).order_by(SelectionRound.year.desc())))


# --- dossiers ---------------------------------------------------------------------------------------


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


def _editable(project: JointProject) -> None:
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
    _editable(project)
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


def add_participant(
    project: JointProject, enterprise: Enterprise, role: str, *, actor=None
) -> ProjectParticipant:
    _editable(project)
    if role not in set(ParticipantRole) - {ParticipantRole.LEAD}:
        raise Refusal(_("Choose the participant's role."))
    if any(p.enterprise_id == enterprise.id for p in project.participants):
        raise Refusal(_("%(name)s already takes part in the project.", name=enterprise.name))
    participant = ProjectParticipant(enterprise_id=enterprise.id, role=role)
    project.participants.append(participant)
    db.session.flush()
    record("project.participant_added", project, actor=actor, after={"inn": enterprise.inn, "role": role})
    return participant


def remove_participant(participant: ProjectParticipant, *, actor=None) -> None:
    project = participant.project
    _editable(project)
    if participant.role == ParticipantRole.LEAD:
        raise Refusal(_("The lead enterprise cannot be removed."))
    if any(participant.id in (p.maker_id, p.buyer_id) for p in project.products):
        raise Refusal(_("A product names this participant as maker or buyer; change the product first."))
    record(
        "project.participant_removed",
        project,
        actor=actor,
        before={"enterprise_id": participant.enterprise_id},
    )
    project.participants.remove(participant)
    db.session.flush()


def clean_okpd2(code: str) -> str:
    code = (code or "").strip()
    if not OKPD2_PATTERN.match(code):
        raise Refusal(_("The ОКПД2 code %(code)s is not valid: use the form 16.21.13.000.", code=code))
    return code


def add_product(
    project: JointProject,
    name: str,
    okpd2: str,
    *,
    import_substitution=True,
    maker=None,
    buyer=None,
    actor=None,
) -> ProjectProduct:
    _editable(project)
    if not (name or "").strip():
        raise Refusal(_("Give the product's name."))
    okpd2 = clean_okpd2(okpd2)
    for participant in (maker, buyer):
        if participant is not None and participant.joint_project_id != project.id:
            raise Refusal(_("The maker and the buyer must take part in the project."))
    if maker is not None and buyer is not None and maker.id == buyer.id:
        raise Refusal(_("A joint project's product is made by one participant for another."))
    product = ProjectProduct(
        name=name.strip(),
        okpd2=okpd2,
        import_substitution=bool(import_substitution),
        maker_id=getattr(maker, "id", None),
        buyer_id=getattr(buyer, "id", None),
    )
    project.products.append(product)
    db.session.flush()
    record("project.product_added", project, actor=actor, after={"name": product.name, "okpd2": okpd2})
    return product


def add_cost_item(
    project: JointProject, category: str, description: str, amount, *, eligible=True, actor=None
) -> CostItem:
    _editable(project)
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
    _editable(project)
    record("project.line_removed", project, actor=actor, before={"type": type(line).__name__, "id": line.id})
    db.session.delete(line)
    db.session.flush()
    db.session.expire(project)


def add_stage(project: JointProject, title: str, starts_on: date, ends_on: date, *, actor=None) -> PlanStage:
    _editable(project)
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
    _editable(project)
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


# --- status workflow --------------------------------------------------------------------------------

TRANSITIONS = {
    ProjectStatus.DRAFT: {ProjectStatus.SUBMITTED},
    ProjectStatus.SUBMITTED: {ProjectStatus.ADMITTED, ProjectStatus.DRAFT},  # back to draft = returned
    ProjectStatus.ADMITTED: {ProjectStatus.DEFENDED, ProjectStatus.SUBMITTED},
    # after a preliminary defense a project may be admitted to the second one, or filed
    ProjectStatus.DEFENDED: {ProjectStatus.FILED, ProjectStatus.ADMITTED},
    ProjectStatus.FILED: {ProjectStatus.GRANTED, ProjectStatus.REFUSED},
    ProjectStatus.GRANTED: set(),
    ProjectStatus.REFUSED: set(),
}


def allowed_transitions(project: JointProject) -> list[str]:
    allowed = set(TRANSITIONS.get(project.status, set()))
    if project.status == ProjectStatus.DEFENDED and project.defense_outcome == DefenseOutcome.NOT_RECOMMENDED:
        allowed.discard(ProjectStatus.FILED)
    return [s for s in ProjectStatus if s in allowed]


def change_status(
    project: JointProject,
    to_status: str,
    *,
    actor=None,
    outcome: str | None = None,
    remark: str | None = None,
) -> ProjectStatusChange:
    """Move the project along the workflow, recording who and when. Invalid moves are refused.

    Submitting requires every rule check of the round to pass; "defended" requires an outcome.
    """
    if to_status not in allowed_transitions(project):
        raise Refusal(
            _("A project cannot go from %(from)s to %(to)s.", **{"from": project.status, "to": to_status})
        )
    if to_status == ProjectStatus.SUBMITTED and project.status == ProjectStatus.DRAFT:
        project.submitted_at = utcnow()
        failed = [c.label for c in rule_checks(project) if not c.passed]
        if failed:
            project.submitted_at = None
            raise Refusal(
                _("The project does not meet the round's rules: %(rules)s.", rules="; ".join(failed))
            )
    if to_status == ProjectStatus.DEFENDED:
        if outcome not in set(DefenseOutcome):
            raise Refusal(_("Record the panel's outcome."))
        project.defense_outcome = outcome
        if remark is not None:
            project.remarks = remark
    change = ProjectStatusChange(
        from_status=project.status,
        to_status=to_status,
        outcome=outcome,
        actor_id=getattr(actor, "id", None),
        remark=remark,
    )
    before = project.status
    project.status = to_status
    project.status_changes.append(change)
    db.session.flush()
    record(
        "project.status_changed",
        project,
        actor=actor,
        before={"status": before},
        after={"status": to_status, "outcome": outcome},
    )
    signals.project_status_changed.send(project, previous_status=before)
    return change


# --- who sees what -----------------------------------------------------------------------------------


def projects_of_representative(user) -> list[JointProject]:
    """Projects of the current tenant in which ``user`` represents a participating enterprise."""
    enterprise_ids = [e.id for e in represented_enterprises(user)]
    if not enterprise_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(JointProject)
            .where(
                JointProject.id.in_(
                    sa.select(ProjectParticipant.joint_project_id).where(
                        ProjectParticipant.enterprise_id.in_(enterprise_ids)
                    )
                )
            )
            .order_by(JointProject.created_at.desc())
        )
    )


def represents_participant(user, project: JointProject) -> bool:
    ids = {e.id for e in represented_enterprises(user)}
    return any(p.enterprise_id in ids for p in project.participants)


def cluster_choices() -> list[tuple[int, str]]:
    """The center's clusters, for the dossier's cluster field."""

    # Plain tuples: WTForms takes a choice for a (value, label) pair only if it is a tuple, not a Row.
    rows = db.session.execute(sa.select(Cluster.id, Cluster.name).order_by(Cluster.name))
    return [(cluster_id, name) for cluster_id, name in rows]


def project_history(enterprise, viewer):
    """The joint projects the enterprise takes part in, in every center, with status and defense outcome."""
    from flask import url_for

    statement = (
        sa.select(JointProject, Tenant)
        .join(
            ProjectParticipant,
            sa.and_(
                ProjectParticipant.joint_project_id == JointProject.id,
                ProjectParticipant.tenant_id == JointProject.tenant_id,
            ),
        )
        .join(Tenant, Tenant.id == JointProject.tenant_id)
        .where(ProjectParticipant.enterprise_id == enterprise.id, JointProject.status != ProjectStatus.DRAFT)
        .order_by(JointProject.created_at.desc())
    )
    items = []
    for project, tenant in cross_tenant.enterprise_rows(statement):
        status = str(STATUS_LABELS.get(project.status, project.status))
        if project.defense_outcome:
            status += f" · {OUTCOME_LABELS.get(project.defense_outcome, project.defense_outcome)}"
        items.append(
            HistoryItem(
                tenant=tenant,
                kind=_("Joint project"),
                title=project.title_ru,
                date=project.created_at,
                status=status,
                url=url_for("projects.mine", tenant=tenant.slug),
            )
        )
    return items


def connect_signals() -> None:
    """Joint projects in an enterprise's history (``signals.enterprise_history``)."""
    signals.enterprise_history.connect(project_history)
