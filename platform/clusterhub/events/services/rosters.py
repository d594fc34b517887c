"""Rosters: who holds the seats of an agenda item and who waits, the staff's moves between items, the
staff participant list and the event's figures."""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ...regions.models import Region
from ..models import (
    SEAT_HOLDING,
    AgendaItem,
    AgendaSignup,
    Event,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from .signups import cancel_signup, lock_item, sign_up

# --- rosters of agenda items (who holds the seats of a site visit, who waits) ---------------------------


@dataclass
class Roster:
    """The people of one agenda item: seats taken and the waiting list, each in sign-up order."""

    item: AgendaItem
    seated: list[AgendaSignup]
    waiting: list[AgendaSignup]

    @property
    def free(self) -> int | None:
        """Seats left (None: the item has no seat limit)."""
        if self.item.seat_limit is None:
            return None
        return max(0, self.item.seat_limit - len(self.seated))


def item_roster(item: AgendaItem) -> Roster:
    """The roster of ``item``; the waiting list is in the order seats are given out."""
    signups = db.session.scalars(
        sa.select(AgendaSignup)
        .where(
            AgendaSignup.agenda_item_id == item.id,
            AgendaSignup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
        )
        .order_by(AgendaSignup.created_at, AgendaSignup.id)
        .options(
            selectinload(AgendaSignup.registration).options(
                selectinload(Registration.region), selectinload(Registration.enterprise)
            )
        )
    ).all()
    return Roster(
        item=item,
        seated=[s for s in signups if s.status == SignupStatus.CONFIRMED],
        waiting=[s for s in signups if s.status == SignupStatus.WAITLISTED],
    )


def roster_candidates(item: AgendaItem) -> list[Registration]:
    """Participants of the item's session who hold a seat at it and are not on this item yet."""
    on_item = sa.select(AgendaSignup.registration_id).where(
        AgendaSignup.agenda_item_id == item.id, AgendaSignup.status != SignupStatus.CANCELLED
    )
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == item.event_id,
                Registration.status.in_(SEAT_HOLDING),
                Registration.id.not_in(on_item),
            )
            .order_by(Registration.full_name, Registration.id)
        )
    )


def add_to_item(item: AgendaItem, registration: Registration, actor) -> AgendaSignup:
    """Staff put a participant on an item: a seat if one is left, else the end of its waiting list.

    It is :func:`sign_up` (the item's row lock, then count), so staff can no more oversell than the
    registrants themselves."""
    active = db.session.scalar(
        sa.select(AgendaSignup.id).where(
            AgendaSignup.registration_id == registration.id,
            AgendaSignup.agenda_item_id == item.id,
            AgendaSignup.status != SignupStatus.CANCELLED,
        )
    )
    if active:
        raise Refusal(_("%(name)s is already on this list.", name=registration.full_name))
    return sign_up(registration, item, actor=actor)


def move_signup(signup: AgendaSignup, target: AgendaItem, actor) -> AgendaSignup:
    """Move a person from one item to another of the same session, e.g. between two site visits.

    Both items are locked (in id order, so two opposite moves cannot deadlock) before anything is counted:
    the person gets a seat at ``target`` only if one is free (else its waiting list), and the place given
    up at the source goes to the first person waiting there."""
    source = signup.agenda_item
    if target.id == source.id:
        raise Refusal(_("Choose another item to move to."))
    if target.event_id != source.event_id:
        raise Refusal(_("This item belongs to another session."))
    if signup.status == SignupStatus.CANCELLED:
        raise Refusal(_("This person is no longer on the list."))
    for item in sorted((source, target), key=lambda i: i.id):
        lock_item(item)
    was = signup.status
    moved = add_to_item(target, signup.registration, actor)
    cancel_signup(signup, actor=actor)
    record(
        "event.agenda_signup_moved",
        moved,
        actor=actor,
        before={"item": source.id, "status": was},
        after={"item": target.id, "status": moved.status},
    )
    return moved


def remove_signup(signup: AgendaSignup, actor) -> None:
    """Staff take a person off an item; their seat goes to the first person waiting."""
    if signup.status == SignupStatus.CANCELLED:
        raise Refusal(_("This person is no longer on the list."))
    cancel_signup(signup, actor=actor)


# --- figures ------------------------------------------------------------------------------------------


def participation_counts(event: Event) -> dict:
    """Participants (holding a seat), distinct enterprises and regions; and the same for those present."""
    r = Registration
    seat = r.status.in_(SEAT_HOLDING)
    present = r.checked_in_at.is_not(None)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(seat),
            sa.func.count(sa.distinct(sa.case((seat, r.enterprise_id)))),
            sa.func.count(sa.distinct(sa.case((seat, r.region_id)))),
            sa.func.count().filter(present),
            sa.func.count(sa.distinct(sa.case((present, r.enterprise_id)))),
            sa.func.count(sa.distinct(sa.case((present, r.region_id)))),
            sa.func.count().filter(r.status == RegistrationStatus.WAITLISTED),
        ).where(r.event_id == event.id)
    ).one()
    return {
        "participants": row[0],
        "enterprises": row[1],
        "regions": row[2],
        "present": row[3],
        "present_enterprises": row[4],
        "present_regions": row[5],
        "waitlisted": row[6],
    }


def statistics(event: Event) -> dict:
    """Registrations holding a seat (and those present) by category, region and federal district."""
    r = Registration
    seat = r.status.in_(SEAT_HOLDING)
    present = sa.func.count().filter(r.checked_in_at.is_not(None))
    by_category = db.session.execute(
        sa.select(r.category, sa.func.count(), present)
        .where(r.event_id == event.id, seat)
        .group_by(r.category)
    ).all()
    by_region = db.session.execute(
        sa.select(Region, sa.func.count(), present)
        .join(Region, Region.id == r.region_id)
        .where(r.event_id == event.id, seat)
        .group_by(Region.id)
        .order_by(sa.func.count().desc(), Region.name_ru)
    ).all()
    by_district = defaultdict(lambda: [0, 0])
    for region, count, here in by_region:
        by_district[region.federal_district][0] += count
        by_district[region.federal_district][1] += here
    return {
        "by_category": by_category,
        "by_region": by_region,
        "by_district": sorted(by_district.items(), key=lambda kv: -kv[1][0]),
        "counts": participation_counts(event),
    }


# The orders the staff participant list can be sorted in (its column headers); the first is the default.
PARTICIPANT_ORDERS = {
    "name": (Registration.full_name, Registration.id),
    "organisation": (Registration.organisation, Registration.full_name, Registration.id),
    "status": (Registration.status, Registration.full_name, Registration.id),
    "newest": (Registration.created_at.desc(), Registration.id.desc()),
}


def participants_query(
    event: Event,
    status: str | None = None,
    category: str | None = None,
    region_id: int | None = None,
    search: str | None = None,
    checked_in: str | None = None,
    sort: str | None = None,
):
    """The staff participant list, filtered and in the order asked for (by name when the order is unknown);
    regions and enterprises are loaded with it."""
    statement = (
        sa.select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.region), selectinload(Registration.enterprise))
        .order_by(*PARTICIPANT_ORDERS.get(sort or "name", PARTICIPANT_ORDERS["name"]))
    )
    if status:
        statement = statement.where(Registration.status == status)
    if category:
        statement = statement.where(Registration.category == category)
    if region_id:
        statement = statement.where(Registration.region_id == region_id)
    if checked_in == "yes":
        statement = statement.where(Registration.checked_in_at.is_not(None))
    elif checked_in == "no":
        statement = statement.where(Registration.checked_in_at.is_(None))
    if search and search.strip():
        text = search.strip()
        # lower() folds Cyrillic on PostgreSQL but not on SQLite, so the usual spellings are tried as well.
        variants = {text, text.lower(), text.capitalize(), text.title(), text.upper()}
        columns = (Registration.full_name, Registration.email, Registration.organisation)
        statement = statement.where(
            sa.or_(
                Registration.code == text.upper(),
                *(sa.func.lower(column).like(f"%{text.lower()}%") for column in columns),
                *(column.like(f"%{variant}%") for column in columns for variant in variants),
            )
        )
    return statement
