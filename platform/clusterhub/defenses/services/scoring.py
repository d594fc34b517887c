"""The experts' scores: recorded only by an assigned, non-conflicted member while the round is open;
the chair follows who has finished."""

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ..models import Assignment, DefenseCriterion, DefenseRound, DefenseSlot, PanelMember, RoundStatus, Score
from .assignments import assignments_in
from .conflicts import conflicts_in, is_conflicted
from .locks import lock_round, refuse_if_signed


def _clean_value(raw, criterion: DefenseCriterion) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise Refusal(_("A score is a number."))
    try:
        value = Decimal(str(raw).replace(",", "."))
    except (InvalidOperation, TypeError) as exc:
        raise Refusal(_("A score is a number.")) from exc
    if not value.is_finite():
        raise Refusal(_("A score is a number."))
    # The range first: quantizing 1e30 would overflow the decimal context.
    in_range = criterion.min_score <= value <= criterion.max_score
    if in_range and value != value.quantize(Decimal("0.1")):
        raise Refusal(_("Scores have at most one decimal place."))
    if not in_range:
        raise Refusal(
            _(
                "The score for “%(name)s” must be from %(min)s to %(max)s.",
                name=criterion.name_ru,
                min=criterion.min_score,
                max=criterion.max_score,
            )
        )
    return value


def score_project(slot: DefenseSlot, member: PanelMember, values: dict, *, actor=None) -> list[Score]:
    """Record the member's scores for a project: ``{criterion_id: (value, comment)}``; a value of ``None``
    clears that criterion. Only an assigned, non-conflicted member scores, only while the round is open."""
    defense_round = lock_round(db.session.get(DefenseRound, slot.defense_round_id), exclusive=False)
    refuse_if_signed(defense_round, actor, "score")
    if defense_round.status != RoundStatus.OPEN:
        raise Refusal(_("Scoring is closed for this round."))
    if is_conflicted(slot.id, member.id):
        raise Refusal(_("You have a conflict of interest with this project and cannot score it."))
    assignment = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.defense_slot_id == slot.id, Assignment.panel_member_id == member.id
        )
    )
    if assignment is None or assignment.declined_at:
        raise Refusal(_("You are not assigned to this project."))
    criteria = {c.id: c for c in defense_round.criteria}
    current = {
        s.defense_criterion_id: s
        for s in db.session.scalars(
            sa.select(Score).where(Score.defense_slot_id == slot.id, Score.panel_member_id == member.id)
        )
    }
    cleaned = {}
    for criterion_id, (raw, comment) in values.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            raise Refusal(_("Unknown criterion."))
        if comment is not None and not isinstance(comment, str):
            raise Refusal(_("A comment is text."))
        cleaned[criterion.id] = (
            None if raw is None or raw == "" else _clean_value(raw, criterion),
            (comment or "").strip(),
        )
    saved = []
    for criterion_id, (value, comment) in cleaned.items():
        score = current.get(criterion_id)
        if value is None:
            if score is not None:
                db.session.delete(score)
            continue
        if score is None:
            score = Score(
                defense_slot_id=slot.id, panel_member_id=member.id, defense_criterion_id=criterion_id
            )
            db.session.add(score)
        score.value, score.comment = value, comment or None
        saved.append(score)
    db.session.flush()
    record(
        "defense.scored",
        slot,
        actor=actor,
        after={"member": member.id, "scores": {str(k): str(v) for k, (v, _c) in cleaned.items()}},
    )
    return saved


def own_scores(slot_id, member_id) -> dict:
    return {
        s.defense_criterion_id: s
        for s in db.session.scalars(
            sa.select(Score).where(Score.defense_slot_id == slot_id, Score.panel_member_id == member_id)
        )
    }


def progress(defense_round: DefenseRound) -> list[dict]:
    """Per active assignment: how many criteria are scored. The chair sees who has not finished."""
    counts = {}
    for slot_id, member_id, n in db.session.execute(
        sa.select(Score.defense_slot_id, Score.panel_member_id, sa.func.count())
        .join(DefenseSlot, DefenseSlot.id == Score.defense_slot_id)
        .where(DefenseSlot.defense_round_id == defense_round.id)
        .group_by(Score.defense_slot_id, Score.panel_member_id)
    ):
        counts[(slot_id, member_id)] = n
    conflicts = conflicts_in(defense_round.id)
    slots = {s.id: s for s in defense_round.slots}
    members = {m.id: m for m in defense_round.panel}
    total = len(defense_round.criteria)
    rows = []
    for a in sorted(assignments_in(defense_round.id), key=lambda a: (a.defense_slot_id, a.panel_member_id)):
        if a.declined_at or (a.defense_slot_id, a.panel_member_id) in conflicts:
            continue
        done = counts.get((a.defense_slot_id, a.panel_member_id), 0)
        rows.append(
            {
                "slot": slots[a.defense_slot_id],
                "member": members[a.panel_member_id],
                "scored": done,
                "total": total,
                "complete": done >= total,
            }
        )
    return rows
