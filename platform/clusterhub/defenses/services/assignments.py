"""Which panel member scores which project: one by one, everyone, or the balanced proposal
(:mod:`.proposal`); an expert may decline an assignment."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ...audit.services import record
from ...core.access import READ_ONLY_ROLES
from ...core.refusal import Refusal
from ...extensions import db
from ...projects.models import JointProject
from ...tenancy.models import utcnow
from ..models import Assignment, DefenseRound, DefenseSlot, PanelMember
from .conflicts import conflicts_in, drop_scores, is_conflicted, select_conflicted_slot_ids
from .locks import refuse_if_signed
from .panel import panel_member_problems
from .proposal import Proposal, propose_assignment


def _may_score(member: PanelMember) -> bool:
    # Members put on the panel before read-only roles were refused are left out of assignments.
    return member.scores and member.user.global_role not in READ_ONLY_ROLES


def assign(slot: DefenseSlot, member: PanelMember, *, actor=None) -> Assignment:
    """Assign a scoring panel member to a project. Conflicted members cannot be assigned."""
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    refuse_if_signed(defense_round, actor, "assign")
    if member.defense_round_id != slot.defense_round_id or not member.scores:
        raise Refusal(_("Only the chair and the experts of this panel score projects."))
    if is_conflicted(slot.id, member.id):
        raise Refusal(_("%(name)s has a conflict of interest with this project.", name=member.user.full_name))
    if member.user.global_role in READ_ONLY_ROLES:
        raise Refusal(
            _(
                "%(name)s cannot score: %(reason)s.",
                name=member.user.full_name,
                reason=panel_member_problems(member.user)[0],
            )
        )
    existing = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.defense_slot_id == slot.id, Assignment.panel_member_id == member.id
        )
    )
    if existing is not None:
        return existing
    assignment = Assignment(defense_slot_id=slot.id, panel_member_id=member.id)
    db.session.add(assignment)
    db.session.flush()
    record("defense.assigned", assignment, actor=actor, after={"slot": slot.code, "user_id": member.user_id})
    return assignment


def assign_all(defense_round: DefenseRound, *, actor=None) -> int:
    """Assign every scoring member to every project they have no conflict with."""
    count = 0
    for slot in defense_round.slots:
        for member in defense_round.panel:
            if _may_score(member) and not is_conflicted(slot.id, member.id):
                assign(slot, member, actor=actor)
                count += 1
    return count


def assignments_in(defense_round_id) -> list[Assignment]:
    """Every assignment of the round, declined ones included."""
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .join(DefenseSlot, DefenseSlot.id == Assignment.defense_slot_id)
            .where(DefenseSlot.defense_round_id == defense_round_id)
        )
    )


def propose(defense_round: DefenseRound, per_project: int | None = None) -> Proposal:
    """A balanced proposal keeping current assignments; conflicts and declined pairs are excluded."""
    assignments = assignments_in(defense_round.id)
    excluded = set(conflicts_in(defense_round.id))
    excluded |= {(a.defense_slot_id, a.panel_member_id) for a in assignments if a.declined_at}
    existing = {}
    for a in assignments:
        if not a.declined_at:
            existing.setdefault(a.defense_slot_id, []).append(a.panel_member_id)
    return propose_assignment(
        [s.id for s in defense_round.slots],
        [m.id for m in defense_round.panel if _may_score(m)],
        per_project or defense_round.min_experts_per_project,
        excluded=excluded,
        existing=existing,
    )


def apply_proposal(defense_round: DefenseRound, *, actor=None) -> Proposal:
    proposal = propose(defense_round)
    slots = {s.id: s for s in defense_round.slots}
    members = {m.id: m for m in defense_round.panel}
    for slot_id, member_ids in proposal.assignments.items():
        for member_id in member_ids:
            assign(slots[slot_id], members[member_id], actor=actor)
    return proposal


def decline(assignment: Assignment, reason: str, *, actor=None) -> None:
    """The expert declines an assignment, giving a reason; their scores for it are withdrawn."""
    slot = assignment.slot
    refuse_if_signed(db.session.get(DefenseRound, slot.defense_round_id), actor, "decline")
    if not (reason or "").strip():
        raise Refusal(_("Give a reason for declining."))
    if assignment.declined_at:
        raise Refusal(_("This assignment has already been declined."))
    assignment.declined_at = utcnow()
    assignment.decline_reason = reason.strip()
    drop_scores(slot.id, assignment.panel_member_id)
    db.session.flush()
    record("defense.declined", assignment, actor=actor, after={"reason": assignment.decline_reason})


def assignments_of(member: PanelMember) -> list[Assignment]:
    """The member's active assignments (not declined, not conflicted), in the order of the programme."""
    conflicted = select_conflicted_slot_ids(member.id)
    rows = db.session.scalars(
        sa.select(Assignment)
        .join(DefenseSlot, DefenseSlot.id == Assignment.defense_slot_id)
        .options(
            joinedload(Assignment.slot)
            .joinedload(DefenseSlot.project)
            .joinedload(JointProject.lead_enterprise)
        )
        .where(Assignment.panel_member_id == member.id)
        .order_by(DefenseSlot.starts_at, DefenseSlot.id)
    ).all()
    return [a for a in rows if a.defense_slot_id not in conflicted]
