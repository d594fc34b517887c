"""Rosters of agenda items: who holds the seats and who waits, adding, moving and removing people."""

import sqlalchemy as sa
from flask_login import current_user
from pydantic import Field

from ...api import openapi as contract
from ...api.openapi import Body, Payload, doc, respond
from ...core.access import requires
from ...extensions import db
from ..models import AgendaSignup
from ..services.rosters import add_to_item, item_roster, move_signup, remove_signup
from ..views import MANAGE_EVENTS
from . import TAGS, _item, _registration, bp
from .payloads import AgendaItemOut, item_json

# --- rosters of agenda items ----------------------------------------------------------------------------


class RosterPerson(Payload):
    """Passport-free fields only."""

    signup_id: int
    registration_id: int
    position_in_list: int
    full_name: str
    organisation: str
    position: str | None
    region: str = Field(description="tax code of the region")
    email: str
    phone: str | None


class Roster(Payload):
    item: AgendaItemOut
    seat_limit: int | None
    seats_taken: int
    seats_free: int | None
    seated: list[RosterPerson]
    waiting: list[RosterPerson]


class RosterAddBody(Body):
    registration_id: int = Field(ge=0)


class RosterMoveBody(Body):
    agenda_item_id: int = Field(ge=0, description="the item to move to")


def _roster_json(item) -> dict:
    roster = item_roster(item)

    def person(signup, number):
        r = signup.registration
        return {
            "signup_id": signup.id,
            "registration_id": r.id,
            "position_in_list": number,
            "full_name": r.full_name,
            "organisation": r.organisation,
            "position": r.position_title,
            "region": r.region.tax_code,
            "email": r.email,
            "phone": r.phone,
        }

    return {
        "item": item_json(item),
        "seat_limit": item.seat_limit,
        "seats_taken": len(roster.seated),
        "seats_free": roster.free,
        "seated": [person(s, n) for n, s in enumerate(roster.seated, start=1)],
        "waiting": [person(s, n) for n, s in enumerate(roster.waiting, start=1)],
    }


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>/roster")
@requires(MANAGE_EVENTS)
@doc(
    "The roster of an agenda item: seats in order, then the waiting list (staff)", tags=TAGS, response=Roster
)
def roster(event_id, agenda_item_id):
    return respond(Roster, _roster_json(_item(event_id, agenda_item_id)))


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>/roster", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Put a participant on an agenda item: a free seat, else its waiting list (staff)",
    tags=TAGS,
    body=RosterAddBody,
    response=Roster,
    status=201,
)
def roster_add(event_id, agenda_item_id):
    item = _item(event_id, agenda_item_id)
    data = contract.body(RosterAddBody)
    registration = _registration(event_id, data.registration_id)
    add_to_item(item, registration, actor=current_user)
    return respond(Roster, _roster_json(item), 201)


def _roster_signup(event_id, agenda_item_id, agenda_signup_id) -> AgendaSignup:
    item = _item(event_id, agenda_item_id)
    return db.first_or_404(
        sa.select(AgendaSignup).where(
            AgendaSignup.id == agenda_signup_id, AgendaSignup.agenda_item_id == item.id
        )
    )


@bp.route(
    "/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>/move", methods=["POST"]
)
@requires(MANAGE_EVENTS)
@doc(
    "Move a person to another agenda item of the session (staff); returns the target's roster",
    tags=TAGS,
    body=RosterMoveBody,
    response=Roster,
)
def roster_move(event_id, agenda_item_id, agenda_signup_id):
    signup = _roster_signup(event_id, agenda_item_id, agenda_signup_id)
    target = _item(event_id, contract.body(RosterMoveBody).agenda_item_id)
    move_signup(signup, target, actor=current_user)
    return respond(Roster, _roster_json(target))


@bp.route(
    "/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>", methods=["DELETE"]
)
@requires(MANAGE_EVENTS)
@doc(
    "Take a person off an agenda item; the first person waiting gets the seat (staff)",
    tags=TAGS,
    response=Roster,
)
def roster_remove(event_id, agenda_item_id, agenda_signup_id):
    signup = _roster_signup(event_id, agenda_item_id, agenda_signup_id)
    remove_signup(signup, actor=current_user)
    return respond(Roster, _roster_json(signup.agenda_item))
