"""A round's results (the arithmetic is in :mod:`.arithmetic`) and the chair's decision on each
project, which moves the project along its workflow."""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ...projects.models import DefenseOutcome, JointProject, ProjectStatus
from ...projects.services import workflow as project_workflow
from ...tenancy.models import utcnow
from ..models import Conflict, DefenseCriterion, DefenseRound, DefenseSlot, PanelMember, RoundStatus, Score
from . import arithmetic
from .locks import lock_round, refuse_if_signed


def round_data(defense_round_id) -> dict:
    """Everything the results page and the protocol show, in a constant number of queries."""
    defense_round = db.session.scalar(
        sa.select(DefenseRound)
        .options(joinedload(DefenseRound.selection_round))
        .where(DefenseRound.id == defense_round_id)
    )
    criteria = list(
        db.session.scalars(
            sa.select(DefenseCriterion)
            .where(DefenseCriterion.defense_round_id == defense_round_id)
            .order_by(DefenseCriterion.position)
        )
    )
    slots = list(
        db.session.scalars(
            sa.select(DefenseSlot)
            .options(joinedload(DefenseSlot.project).joinedload(JointProject.lead_enterprise))
            .where(DefenseSlot.defense_round_id == defense_round_id)
            .order_by(DefenseSlot.starts_at, DefenseSlot.id)
        )
    )
    panel = list(
        db.session.scalars(
            sa.select(PanelMember)
            .where(PanelMember.defense_round_id == defense_round_id)
            .order_by(PanelMember.id)
        )
    )
    conflicts = list(
        db.session.scalars(
            sa.select(Conflict)
            .join(DefenseSlot, DefenseSlot.id == Conflict.defense_slot_id)
            .where(DefenseSlot.defense_round_id == defense_round_id)
            .order_by(Conflict.id)
        )
    )
    scores = list(
        db.session.scalars(
            sa.select(Score)
            .join(DefenseSlot, DefenseSlot.id == Score.defense_slot_id)
            .where(DefenseSlot.defense_round_id == defense_round_id)
        )
    )
    conflicted = {(c.defense_slot_id, c.panel_member_id) for c in conflicts}
    specs = [CriterionSpecFrom(c) for c in criteria]
    sheets: dict = {}
    for s in scores:
        if (s.defense_slot_id, s.panel_member_id) in conflicted:
            continue  # never counted, whatever happened before the conflict was recorded
        sheets.setdefault(s.defense_slot_id, {}).setdefault(s.panel_member_id, {})[s.defense_criterion_id] = (
            s.value
        )
    results = arithmetic.rank(
        [arithmetic.project_result(slot.id, list(sheets.get(slot.id, {}).values()), specs) for slot in slots]
    )
    per_criterion = {}
    for slot in slots:
        for c in criteria:
            values = [sheet[c.id] for sheet in sheets.get(slot.id, {}).values() if c.id in sheet]
            per_criterion[(slot.id, c.id)] = (
                (sum(values) / len(values)).quantize(Decimal("0.01")) if values else None
            )
    return {
        "round": defense_round,
        "criteria": criteria,
        "slots": {s.id: s for s in slots},
        "panel": panel,
        "conflicts": conflicts,
        "results": results,
        "per_criterion": per_criterion,
        "sheets": sheets,
    }


def CriterionSpecFrom(c: DefenseCriterion) -> arithmetic.CriterionSpec:  # noqa: N802 - a constructor
    return arithmetic.CriterionSpec(c.id, Decimal(c.weight), Decimal(c.min_score), Decimal(c.max_score))


def record_decision(slot: DefenseSlot, outcome: str, remarks: str | None, *, actor=None) -> None:
    """The chair's decision on a project, which also sets the project's status ("defended", with outcome)."""
    defense_round = lock_round(db.session.get(DefenseRound, slot.defense_round_id), exclusive=False)
    refuse_if_signed(defense_round, actor, "decision")
    if defense_round.status != RoundStatus.CLOSED:
        raise Refusal(_("Close the scoring before recording decisions."))
    if outcome not in set(DefenseOutcome):
        raise Refusal(_("Choose the panel's decision."))
    before = {"decision": slot.decision, "remarks": slot.remarks}
    slot.decision, slot.remarks = outcome, (remarks or "").strip() or None
    slot.decided_at, slot.decided_by_id = utcnow(), getattr(actor, "id", None)
    project = slot.project
    if project.status == ProjectStatus.ADMITTED:
        project_workflow.change_status(
            project, ProjectStatus.DEFENDED, actor=actor, outcome=outcome, remark=slot.remarks
        )
    elif project.status == ProjectStatus.DEFENDED:
        project.defense_outcome, project.remarks = outcome, slot.remarks
    else:
        raise Refusal(_("The project is no longer awaiting a defense decision."))
    db.session.flush()
    record(
        "defense.decision",
        slot,
        actor=actor,
        before=before,
        after={"decision": outcome, "remarks": slot.remarks},
    )
