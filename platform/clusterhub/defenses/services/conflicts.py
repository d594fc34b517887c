"""Conflicts of interest between panel members and projects: detected from who represents which
enterprise, or declared by the expert. A conflicted member neither scores nor sees the project's scores."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...clusters.models import ClusterMember
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...enterprises.services.representatives import is_representative
from ...extensions import db
from ...projects.models import ProjectParticipant
from ..models import Conflict, ConflictSource, DefenseRound, DefenseSlot, PanelMember, Score
from .locks import refuse_if_signed


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
            drop_scores(slot.id, member.id)
    db.session.flush()
    for conflict in added:
        record("defense.conflict_detected", conflict, after={"reason": conflict.reason})
    return added


def declare_conflict(slot: DefenseSlot, member: PanelMember, reason: str, *, actor=None) -> Conflict:
    """The expert declares a conflict of interest: from now on they neither score nor see the project's
    scores, and any scores they gave it are withdrawn."""
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    refuse_if_signed(defense_round, actor, "declare_conflict")
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
    drop_scores(slot.id, member.id)
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


def drop_scores(slot_id, member_id) -> None:
    db.session.execute(
        sa.delete(Score).where(Score.defense_slot_id == slot_id, Score.panel_member_id == member_id)
    )


def select_conflicted_slot_ids(member_id) -> set:
    return set(
        db.session.scalars(sa.select(Conflict.defense_slot_id).where(Conflict.panel_member_id == member_id))
    )
