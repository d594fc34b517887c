"""Defense rounds and their programme: creating a round (at a session's «project defense» item or
standalone), scheduling projects, closing and reopening the scoring.

Services validate and flush; the request commits."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...events.models import AgendaItem, AgendaKind, Event
from ...extensions import db
from ...projects.models import JointProject, ProjectStatus, SelectionRound
from ...tenancy.models import utcnow
from ..models import Assignment, Conflict, DefenseCriterion, DefenseRound, DefenseSlot, RoundStatus, Score
from .conflicts import detect_conflicts
from .locks import lock_round, refuse_if_signed


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


def add_slot(
    defense_round: DefenseRound, project: JointProject, *, starts_at=None, presenter=None, actor=None
) -> DefenseSlot:
    """Schedule an admitted project of the same selection round."""
    refuse_if_signed(defense_round, actor, "add_slot")
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


def remove_slot(slot: DefenseSlot, *, actor=None) -> None:
    """Take a project off the programme while scoring is open, with its assignments, conflicts and scores."""
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    refuse_if_signed(defense_round, actor, "remove_slot")
    if defense_round.status != RoundStatus.OPEN:
        raise Refusal(_("The programme can change only while scoring is open."))
    record("defense.slot_removed", defense_round, actor=actor, before={"project": slot.joint_project_id})
    for model in (Score, Conflict, Assignment):
        db.session.execute(sa.delete(model).where(model.defense_slot_id == slot.id))
    defense_round.slots.remove(slot)
    db.session.flush()


def close_round(defense_round: DefenseRound, *, actor=None) -> None:
    """End scoring: results become visible to the panel and the chair records decisions."""
    defense_round = lock_round(defense_round, exclusive=True)
    refuse_if_signed(defense_round, actor, "close")
    if defense_round.status != RoundStatus.OPEN:
        raise Refusal(_("The round is already closed."))
    defense_round.status = RoundStatus.CLOSED
    defense_round.closed_at = utcnow()
    db.session.flush()
    record("defense.round_closed", defense_round, actor=actor)


def reopen_round(defense_round: DefenseRound, *, actor=None) -> None:
    defense_round = lock_round(defense_round, exclusive=True)
    refuse_if_signed(defense_round, actor, "reopen")
    if defense_round.status != RoundStatus.CLOSED:
        raise Refusal(_("Only a closed round can be reopened."))
    defense_round.status = RoundStatus.OPEN
    defense_round.closed_at = None
    db.session.flush()
    record("defense.round_reopened", defense_round, actor=actor)


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
