"""Operations on defense rounds: panel, slots, assignments, conflicts, scores, decisions and signing.

Services validate and flush; the request commits. After the protocol is signed every change is refused with
:class:`RoundLocked` and the attempt is written to the audit log; that entry is stored though the change is
not (a ``RoundLocked`` does not roll the request back).
"""

import hashlib
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..accounts.authz import READ_ONLY_ROLES
from ..accounts.models import Membership, TenantRole, role_label
from ..accounts.services import add_membership
from ..audit.services import record
from ..clusters.models import ClusterMember
from ..core import signals
from ..core.refusal import Refusal
from ..enterprises.models import Enterprise
from ..enterprises.services.representatives import is_representative
from ..events.models import AgendaItem, AgendaKind, Event
from ..extensions import db
from ..projects import services as project_services
from ..projects.models import DefenseOutcome, JointProject, ProjectParticipant, ProjectStatus, SelectionRound
from ..tenancy import cross_tenant
from ..tenancy.models import Tenant, utcnow
from . import results as arithmetic
from .assignment import Proposal, propose_assignment
from .models import (
    PANEL_ROLE_LABELS,
    Assignment,
    Conflict,
    ConflictSource,
    DefenseCriterion,
    DefenseRound,
    DefenseSlot,
    PanelMember,
    PanelRole,
    Protocol,
    RoundStatus,
    Score,
)


class RoundLocked(Refusal):
    """The protocol is signed: the attempt was refused and written to the audit log, and that entry is
    stored even though the change is not (a 409: the round's state, not the input, is in the way)."""

    status = 409
    rolls_back = False


def enterprises_sharing_a_cluster(enterprise_ids) -> set:
    """Enterprises that belong to a cluster together with any of ``enterprise_ids`` in this tenant
    (current members: no leaving date)."""

    ids = list(enterprise_ids)
    if not ids:
        return set()
    clusters_of_them = sa.select(ClusterMember.cluster_id).where(
        ClusterMember.enterprise_id.in_(ids), ClusterMember.left_on.is_(None)
    )
    return set(
        db.session.scalars(
            sa.select(ClusterMember.enterprise_id)
            .where(ClusterMember.cluster_id.in_(clusters_of_them), ClusterMember.left_on.is_(None))
            .distinct()
        )
    )


# --- rounds, panel, slots ----------------------------------------------------------------------------


def create_round(
    selection_round: SelectionRound, number: int, title: str, *, actor=None, **values
) -> DefenseRound:
    """A defense round numbered within the selection cycle, with the selection round's criteria copied."""
    if not (title or "").strip():
        raise Refusal(_("Give the round's title."))
    if number not in (1, 2, 3):
        raise Refusal(_("A selection cycle has a first, second or third preliminary defense."))
    taken = db.session.scalar(
        sa.select(DefenseRound.id).where(
            DefenseRound.selection_round_id == selection_round.id, DefenseRound.number == number
        )
    )
    if taken:
        raise Refusal(_("This selection round already has defense number %(n)s.", n=number))
    agenda_item_id = values.pop("agenda_item_id", None)
    if agenda_item_id:
        item = db.session.scalar(sa.select(AgendaItem).where(AgendaItem.id == agenda_item_id))
        if item is None or item.kind != AgendaKind.PROJECT_DEFENSE:
            raise Refusal(_("Choose a «project defense» item of one of the center's sessions."))
        values["agenda_item_id"], values["event_id"] = item.id, item.event_id
        values["held_on"] = values.get("held_on") or item.starts_at
    per_project = int(values.pop("min_experts_per_project", 3))
    if per_project < 1:
        raise Refusal(_("Every project needs at least one expert."))
    defense_round = DefenseRound(
        selection_round_id=selection_round.id,
        number=number,
        title=title.strip(),
        min_experts_per_project=per_project,
        **values,
    )
    for c in selection_round.criteria:
        defense_round.criteria.append(
            DefenseCriterion(
                code=c.code,
                name_ru=c.name_ru,
                name_en=c.name_en,
                weight=c.weight,
                min_score=c.min_score,
                max_score=c.max_score,
                position=c.position,
            )
        )
    db.session.add(defense_round)
    db.session.flush()
    record("defense.round_created", defense_round, actor=actor, after={"title": title, "number": number})
    return defense_round


def _lock(defense_round: DefenseRound, *, exclusive: bool) -> DefenseRound:
    """Re-read the round's status under a row lock (PostgreSQL; SQLite serialises writers anyway).

    Scoring, declining and decisions take a shared lock; closing, reopening and signing an exclusive one,
    so a score can never land after the scoring was closed or a decision after the protocol was signed.
    """
    return db.session.scalar(
        sa.select(DefenseRound)
        .where(DefenseRound.id == defense_round.id)
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    )


def _refuse_if_signed(defense_round: DefenseRound, actor, action: str) -> None:
    if defense_round.status == RoundStatus.SIGNED:
        record("defense.change_refused", defense_round, actor=actor, after={"attempted": action})
        db.session.flush()
        raise RoundLocked(_("The protocol is signed: scores and decisions can no longer change."))


def panel_member_problems(user) -> list[str]:
    """Why ``user`` could not do a panel member's work (log in, score, sign), in words; empty if nothing.

    Every panel role writes (scores, decisions, the signature), so a read-only global role is a problem
    for each of them, not only for experts.
    """

    problems = []
    if user.global_role in READ_ONLY_ROLES:
        problems.append(
            _(
                "the %(role)s role may read everything but change nothing, so they could not score or sign",
                role=role_label(user.global_role).lower(),
            )
        )
    if not user.active:
        problems.append(_("the account is deactivated, so they cannot log in"))
    elif not user.password_hash:
        problems.append(_("no password has been set for the account yet, so they cannot log in"))
    return problems


def panel_readiness(defense_round: DefenseRound) -> list[tuple[PanelMember, list[str]]]:
    """The panel members who could not log in and do their part, each with the reasons; empty when the
    whole panel is ready."""
    return [
        (member, problems)
        for member in defense_round.panel
        if (problems := panel_member_problems(member.user))
    ]


def add_panel_member(
    defense_round: DefenseRound, user, role: str = PanelRole.EXPERT, *, affiliation=None, actor=None
) -> PanelMember:
    """Put ``user`` on the panel. A user with no role in this center (an expert of another center) is
    given the expert role here, so they can reach the round's pages. A user whose global role is
    read-only (federal analyst or reviewer) or whose account is deactivated is refused: they could
    not score."""
    _refuse_if_signed(defense_round, actor, "add_panel_member")
    if role not in set(PanelRole):
        raise Refusal(_("Choose the panel role."))
    if user.global_role in READ_ONLY_ROLES or not user.active:
        raise Refusal(
            _(
                "%(name)s cannot be on the panel: %(reason)s. Put someone with an ordinary account on the panel instead.",
                name=user.full_name,
                reason=panel_member_problems(user)[0],
            )
        )
    if any(m.user_id == user.id for m in defense_round.panel):
        raise Refusal(_("%(name)s is already on the panel.", name=user.full_name))
    if role in (PanelRole.CHAIR, PanelRole.SECRETARY) and any(m.role == role for m in defense_round.panel):
        raise Refusal(_("The panel already has a chair or secretary in this role."))
    has_role = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id))
    if not has_role:
        add_membership(user, db.session.get(Tenant, defense_round.tenant_id), TenantRole.EXPERT, actor=actor)
    member = PanelMember(user_id=user.id, role=role, affiliation=affiliation)
    defense_round.panel.append(member)
    db.session.flush()
    record("defense.panel_added", defense_round, actor=actor, after={"user": user.email, "role": role})
    _tell_panel_member(defense_round, user, role)
    detect_conflicts(defense_round)
    return member


def _tell_panel_member(defense_round: DefenseRound, user, role: str) -> None:
    """Queue an e-mail (sent by the outbox worker after the commit) with the link to the round."""
    from flask import current_app

    from ..outbox.services import enqueue_template

    tenant = db.session.get(Tenant, defense_round.tenant_id)
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    enqueue_template(
        user.email,
        "defense_panel_added",
        user.locale or tenant.default_locale,
        tenant_slug=tenant.slug,
        name=user.full_name,
        tenant=tenant,
        round_title=defense_round.title,
        role=PANEL_ROLE_LABELS[role],
        held_on=defense_round.held_on.strftime("%d.%m.%Y") if defense_round.held_on else None,
        link=f"{base}/{tenant.slug}/defenses/{defense_round.id}",
    )


def add_slot(
    defense_round: DefenseRound, project: JointProject, *, starts_at=None, presenter=None, actor=None
) -> DefenseSlot:
    """Schedule an admitted project of the same selection round."""
    _refuse_if_signed(defense_round, actor, "add_slot")
    if project.status != ProjectStatus.ADMITTED:
        raise Refusal(_("Only projects admitted to the defense can be scheduled."))
    if project.selection_round_id != defense_round.selection_round_id:
        raise Refusal(_("The project belongs to another selection round."))
    if any(s.joint_project_id == project.id for s in defense_round.slots):
        raise Refusal(_("The project is already scheduled in this round."))
    slot = DefenseSlot(
        joint_project_id=project.id,
        starts_at=starts_at,
        presenter=presenter,
        code=f"P-{len(defense_round.slots) + 1:02d}",
    )
    defense_round.slots.append(slot)
    db.session.flush()
    record("defense.slot_added", defense_round, actor=actor, after={"project": project.id, "code": slot.code})
    detect_conflicts(defense_round)
    return slot


def remove_panel_member(member: PanelMember, *, actor=None) -> None:
    """Take someone off the panel while scoring is open; their assignments, conflicts and scores go too."""
    defense_round = db.session.get(DefenseRound, member.defense_round_id)
    _refuse_if_signed(defense_round, actor, "remove_panel_member")
    if defense_round.status != RoundStatus.OPEN:
        raise Refusal(_("The panel can change only while scoring is open."))
    record(
        "defense.panel_removed",
        defense_round,
        actor=actor,
        before={"user_id": member.user_id, "role": member.role},
    )
    for model in (Score, Conflict, Assignment):
        db.session.execute(sa.delete(model).where(model.panel_member_id == member.id))
    defense_round.panel.remove(member)
    db.session.flush()


def remove_slot(slot: DefenseSlot, *, actor=None) -> None:
    """Take a project off the programme while scoring is open, with its assignments, conflicts and scores."""
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    _refuse_if_signed(defense_round, actor, "remove_slot")
    if defense_round.status != RoundStatus.OPEN:
        raise Refusal(_("The programme can change only while scoring is open."))
    record("defense.slot_removed", defense_round, actor=actor, before={"project": slot.joint_project_id})
    for model in (Score, Conflict, Assignment):
        db.session.execute(sa.delete(model).where(model.defense_slot_id == slot.id))
    defense_round.slots.remove(slot)
    db.session.flush()


def set_attendance(member: PanelMember, attended: bool, *, actor=None) -> None:
    defense_round = db.session.get(DefenseRound, member.defense_round_id)
    _refuse_if_signed(defense_round, actor, "set_attendance")
    member.attended = bool(attended)
    db.session.flush()
    record("defense.attendance", member, actor=actor, after={"attended": member.attended})


# --- conflicts of interest ---------------------------------------------------------------------------


def conflicts_in(defense_round_id) -> dict:
    """The round's conflicts of interest keyed by (slot id, panel member id)."""
    rows = db.session.scalars(
        sa.select(Conflict)
        .join(DefenseSlot, DefenseSlot.id == Conflict.defense_slot_id)
        .where(DefenseSlot.defense_round_id == defense_round_id)
    )
    return {(c.defense_slot_id, c.panel_member_id): c for c in rows}


def detect_conflicts(defense_round: DefenseRound) -> list[Conflict]:
    """Record a conflict wherever a panel member represents an enterprise taking part in a project, or one
    sharing a cluster with a participant. Idempotent; declared conflicts are kept as they are."""
    existing = conflicts_in(defense_round.id)
    participants = {}
    for slot in defense_round.slots:
        ids = set(
            db.session.scalars(
                sa.select(ProjectParticipant.enterprise_id).where(
                    ProjectParticipant.joint_project_id == slot.joint_project_id
                )
            )
        )
        participants[slot.id] = ids | enterprises_sharing_a_cluster(ids)
    enterprises = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Enterprise).where(Enterprise.id.in_(set().union(*participants.values()) or {-1}))
        )
    }
    added = []
    for member in defense_round.panel:
        for slot in defense_round.slots:
            if (slot.id, member.id) in existing:
                continue
            hit = next(
                (
                    enterprises[i]
                    for i in sorted(participants[slot.id])
                    if is_representative(member.user, enterprises[i])
                ),
                None,
            )
            if hit is None:
                continue
            conflict = Conflict(
                defense_slot_id=slot.id,
                panel_member_id=member.id,
                source=ConflictSource.DETECTED,
                reason=_("Represents %(name)s (ИНН %(inn)s).", name=hit.name, inn=hit.inn),
            )
            db.session.add(conflict)
            added.append(conflict)
            _drop_scores(slot.id, member.id)
    db.session.flush()
    for conflict in added:
        record("defense.conflict_detected", conflict, after={"reason": conflict.reason})
    return added


def declare_conflict(slot: DefenseSlot, member: PanelMember, reason: str, *, actor=None) -> Conflict:
    """The expert declares a conflict of interest: from now on they neither score nor see the project's
    scores, and any scores they gave it are withdrawn."""
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    _refuse_if_signed(defense_round, actor, "declare_conflict")
    if not (reason or "").strip():
        raise Refusal(_("Say what the conflict of interest is."))
    if (slot.id, member.id) in conflicts_in(defense_round.id):
        raise Refusal(_("A conflict of interest is already recorded for this project."))
    conflict = Conflict(
        defense_slot_id=slot.id,
        panel_member_id=member.id,
        source=ConflictSource.DECLARED,
        reason=reason.strip(),
    )
    db.session.add(conflict)
    _drop_scores(slot.id, member.id)
    db.session.flush()
    record("defense.conflict_declared", conflict, actor=actor, after={"reason": conflict.reason})
    return conflict


def is_conflicted(slot_id, member_id) -> bool:
    return (
        db.session.scalar(
            sa.select(Conflict.id).where(
                Conflict.defense_slot_id == slot_id, Conflict.panel_member_id == member_id
            )
        )
        is not None
    )


def _drop_scores(slot_id, member_id) -> None:
    db.session.execute(
        sa.delete(Score).where(Score.defense_slot_id == slot_id, Score.panel_member_id == member_id)
    )


# --- assignments ---------------------------------------------------------------------------------------


def _may_score(member: PanelMember) -> bool:
    # Members put on the panel before read-only roles were refused are left out of assignments.
    return member.scores and member.user.global_role not in READ_ONLY_ROLES


def assign(slot: DefenseSlot, member: PanelMember, *, actor=None) -> Assignment:
    """Assign a scoring panel member to a project. Conflicted members cannot be assigned."""
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    _refuse_if_signed(defense_round, actor, "assign")
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
    _refuse_if_signed(db.session.get(DefenseRound, slot.defense_round_id), actor, "decline")
    if not (reason or "").strip():
        raise Refusal(_("Give a reason for declining."))
    if assignment.declined_at:
        raise Refusal(_("This assignment has already been declined."))
    assignment.declined_at = utcnow()
    assignment.decline_reason = reason.strip()
    _drop_scores(slot.id, assignment.panel_member_id)
    db.session.flush()
    record("defense.declined", assignment, actor=actor, after={"reason": assignment.decline_reason})


def member_of(defense_round: DefenseRound, user) -> PanelMember | None:
    return next((m for m in defense_round.panel if m.user_id == getattr(user, "id", None)), None)


def is_chair(defense_round: DefenseRound, user) -> bool:
    member = member_of(defense_round, user)
    return member is not None and member.role == PanelRole.CHAIR


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


def select_conflicted_slot_ids(member_id) -> set:
    return set(
        db.session.scalars(sa.select(Conflict.defense_slot_id).where(Conflict.panel_member_id == member_id))
    )


# --- scoring -----------------------------------------------------------------------------------------


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
    defense_round = _lock(db.session.get(DefenseRound, slot.defense_round_id), exclusive=False)
    _refuse_if_signed(defense_round, actor, "score")
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


# --- results -----------------------------------------------------------------------------------------


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


def close_round(defense_round: DefenseRound, *, actor=None) -> None:
    """End scoring: results become visible to the panel and the chair records decisions."""
    defense_round = _lock(defense_round, exclusive=True)
    _refuse_if_signed(defense_round, actor, "close")
    if defense_round.status != RoundStatus.OPEN:
        raise Refusal(_("The round is already closed."))
    defense_round.status = RoundStatus.CLOSED
    defense_round.closed_at = utcnow()
    db.session.flush()
    record("defense.round_closed", defense_round, actor=actor)


def reopen_round(defense_round: DefenseRound, *, actor=None) -> None:
    defense_round = _lock(defense_round, exclusive=True)
    _refuse_if_signed(defense_round, actor, "reopen")
    if defense_round.status != RoundStatus.CLOSED:
        raise Refusal(_("Only a closed round can be reopened."))
    defense_round.status = RoundStatus.OPEN
    defense_round.closed_at = None
    db.session.flush()
    record("defense.round_reopened", defense_round, actor=actor)


def record_decision(slot: DefenseSlot, outcome: str, remarks: str | None, *, actor=None) -> None:
    """The chair's decision on a project, which also sets the project's status ("defended", with outcome)."""
    defense_round = _lock(db.session.get(DefenseRound, slot.defense_round_id), exclusive=False)
    _refuse_if_signed(defense_round, actor, "decision")
    if defense_round.status != RoundStatus.CLOSED:
        raise Refusal(_("Close the scoring before recording decisions."))
    if outcome not in set(DefenseOutcome):
        raise Refusal(_("Choose the panel's decision."))
    before = {"decision": slot.decision, "remarks": slot.remarks}
    slot.decision, slot.remarks = outcome, (remarks or "").strip() or None
    slot.decided_at, slot.decided_by_id = utcnow(), getattr(actor, "id", None)
    project = slot.project
    if project.status == ProjectStatus.ADMITTED:
        project_services.change_status(
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


# --- the protocol ----------------------------------------------------------------------------------------


def _text(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value


def protocol_content(defense_round_id) -> dict:
    """The protocol as plain data: what is hashed, stored, rendered as HTML and as PDF."""
    data = round_data(defense_round_id)
    defense_round, slots = data["round"], data["slots"]
    members = {m.id: m for m in data["panel"]}
    tenant = db.session.get(Tenant, defense_round.tenant_id)
    return {
        "center": {"ru": tenant.name_ru, "en": tenant.name_en},
        "round": {
            "title": defense_round.title,
            "number": defense_round.number,
            "selection_round": defense_round.selection_round.legal_edition,
            "held_on": _text(defense_round.held_on),
            "location": defense_round.location,
            "blind": defense_round.blind,
        },
        "panel": [
            {"name": m.user.full_name, "role": m.role, "affiliation": m.affiliation, "attended": m.attended}
            for m in data["panel"]
        ],
        "criteria": [
            {
                "id": c.id,
                "code": c.code,
                "name_ru": c.name_ru,
                "name_en": c.name_en,
                "weight": _text(c.weight),
                "min": c.min_score,
                "max": c.max_score,
            }
            for c in data["criteria"]
        ],
        "conflicts": [
            {
                "member": members[c.panel_member_id].user.full_name,
                "project": slots[c.defense_slot_id].code,
                "source": c.source,
                "reason": c.reason,
            }
            for c in data["conflicts"]
        ],
        "projects": [
            {
                "code": slots[r.key].code,
                "title": slots[r.key].project.title_ru,
                "applicant": slots[r.key].project.lead_enterprise.name,
                "rank": r.rank,
                "score": _text(r.score),
                "min": _text(r.minimum),
                "max": _text(r.maximum),
                "std_dev": _text(r.std_dev),
                "count": r.count,
                "missing": r.missing,
                "per_criterion": [_text(data["per_criterion"][(r.key, c.id)]) for c in data["criteria"]],
                "decision": slots[r.key].decision,
                "remarks": slots[r.key].remarks,
            }
            for r in data["results"]
        ],
    }


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def pseudonymised_protocol_intact(content: dict, digest: str) -> bool:
    """Was this protocol signed with ``digest`` and has it changed since only by pseudonymisation (names
    replaced on erasure under 152-ФЗ, see ``privacy.services.pseudonymise_protocol``)?"""
    note = (content or {}).get("pseudonymised")
    if not isinstance(note, dict) or note.get("signed_hash") != digest:
        return False
    rest = {key: value for key, value in content.items() if key != "pseudonymised"}
    return content_hash(rest) == note.get("hash")


def sign_protocol(defense_round: DefenseRound, *, actor) -> Protocol:
    """The chair signs: the protocol is frozen with its SHA-256 and the round can no longer change."""
    defense_round = _lock(defense_round, exclusive=True)
    _refuse_if_signed(defense_round, actor, "sign")
    if not is_chair(defense_round, actor):
        raise Refusal(_("Only the chair signs the protocol."))
    if defense_round.status != RoundStatus.CLOSED:
        raise Refusal(_("Close the scoring before signing the protocol."))
    undecided = [s.code for s in defense_round.slots if not s.decision]
    if undecided:
        raise Refusal(_("Record a decision for every project first: %(codes)s.", codes=", ".join(undecided)))
    content = protocol_content(defense_round.id)
    signed_at = utcnow()
    content["signed"] = {"by": actor.full_name, "at": _text(signed_at)}
    protocol = Protocol(
        defense_round_id=defense_round.id,
        content=content,
        content_hash=content_hash(content),
        signed_by_id=actor.id,
        signed_at=signed_at,
    )
    db.session.add(protocol)
    defense_round.status = RoundStatus.SIGNED
    db.session.flush()
    record("defense.protocol_signed", defense_round, actor=actor, after={"hash": protocol.content_hash})
    signals.protocol_signed.send(protocol, defense_round=defense_round)
    return protocol


def protocol_of(defense_round_id) -> Protocol | None:
    return db.session.scalar(sa.select(Protocol).where(Protocol.defense_round_id == defense_round_id))


def verify_protocol(digest: str) -> tuple[Protocol | None, Tenant | None, bool]:
    """Find a signed protocol by its hash in any center and check that its stored content still has it.

    The verification page is public and the hash alone says nothing about which center signed the
    protocol, so this is the named cross-tenant read :func:`~clusterhub.tenancy.cross_tenant.protocol_by_hash`
    (a row with this exact hash), then its center's name."""
    digest = (digest or "").strip().lower()
    if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
        return None, None, False
    protocol = cross_tenant.protocol_by_hash(digest)
    if protocol is None:
        return None, None, False
    tenant = db.session.get(Tenant, protocol.tenant_id)

    intact = content_hash(protocol.content) == digest or pseudonymised_protocol_intact(
        protocol.content, digest
    )
    return protocol, tenant, intact


def defense_agenda_items() -> list[tuple[int, str]]:
    """The center's «project defense» agenda items, for attaching a round to a session."""

    rows = db.session.execute(
        sa.select(AgendaItem.id, AgendaItem.title_ru, AgendaItem.starts_at, Event.title_ru)
        .join(Event, sa.and_(Event.id == AgendaItem.event_id, Event.tenant_id == AgendaItem.tenant_id))
        .where(AgendaItem.kind == AgendaKind.PROJECT_DEFENSE)
        .order_by(AgendaItem.starts_at.desc())
    ).all()
    return [
        (item_id, f"{event_title} — {title} ({starts:%d.%m.%Y})")
        for item_id, title, starts, event_title in rows
    ]


def session_of(defense_round):
    """The session the round is part of, or None."""
    if defense_round.event_id is None:
        return None

    return db.session.scalar(sa.select(Event).where(Event.id == defense_round.event_id))
