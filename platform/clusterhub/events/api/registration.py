"""Registration (the token's user, or the staff adding a participant), the participants' list and
actions, and check-in at the door."""

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from ...api import openapi as contract
from ...api.idempotency import idempotent
from ...api.lists import ListQuery, cursor_page
from ...api.openapi import doc, respond
from ...core.access import login_required, requires
from ...extensions import db
from ..models import Event, Registration
from ..services import check_in as check_in_services
from ..services import registration as registration_services
from ..services.events import VISIBLE_PUBLIC
from ..services.rosters import participants_query
from ..views import CHECK_IN, MANAGE_EVENTS
from . import TAGS, _item, _region_id, _registration, _staff_event, bp
from .payloads import (
    CheckInBody,
    CheckInOut,
    MyRegistrationList,
    ParticipantBody,
    ParticipantPatch,
    ParticipantQuery,
    RegistrationList,
    RegistrationOut,
    SelfRegistrationBody,
    registration_json,
)

# --- registration ---------------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/registrations", methods=["POST"])
@login_required
@doc(
    "Register the token's user (the same rules as the form)",
    tags=TAGS,
    body=SelfRegistrationBody,
    response=RegistrationOut,
    status=201,
)
def register(event_id):
    event = db.session.scalar(sa.select(Event).where(Event.id == event_id, Event.status.in_(VISIBLE_PUBLIC)))
    if event is None:
        abort(404)
    data = contract.body(SelfRegistrationBody)
    person = registration_services.Participant(
        full_name=data.full_name or current_user.full_name,
        email=current_user.email,
        category=data.category,
        region_id=_region_id(data.region),
        organisation=data.organisation,
        position_title=data.position,
        phone=data.phone,
        inn=data.inn,
        consent=data.consent,
        locale=current_user.locale or "ru",
    )
    registration = registration_services.register(event, person, user=current_user, actor=current_user)
    return respond(RegistrationOut, registration_json(registration), 201)


@bp.route("/registrations")
@login_required
@doc(
    "The token user's registrations in this center (paged by cursor; updated_since for a sync)",
    tags=TAGS,
    query=ListQuery,
    response=MyRegistrationList,
)
def my_registrations():
    params = contract.query(ListQuery)
    statement = (
        sa.select(Registration)
        .where(Registration.email == current_user.email)
        .options(sa.orm.selectinload(Registration.region), sa.orm.selectinload(Registration.enterprise))
    )
    rows, next_cursor = cursor_page(statement, Registration, params)
    return respond(
        MyRegistrationList, {"items": [registration_json(r) for r in rows], "next_cursor": next_cursor}
    )


@bp.route("/events/<int:event_id>/participants")
@requires(MANAGE_EVENTS)
@doc(
    "Participants of a session (staff); with updated_since, those changed since then",
    tags=TAGS,
    query=ParticipantQuery,
    response=RegistrationList,
)
def participants(event_id):
    event = _staff_event(event_id)
    params = contract.query(ParticipantQuery)
    checked_in = None if params.checked_in is None else ("yes" if params.checked_in else "no")
    statement = participants_query(
        event, status=params.status, category=params.category, search=params.q, checked_in=checked_in
    )
    rows, next_cursor = cursor_page(statement, Registration, params)
    return respond(
        RegistrationList, {"items": [registration_json(r) for r in rows], "next_cursor": next_cursor}
    )


@bp.route("/events/<int:event_id>/participants", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Register someone else (staff): a seat, or the waiting list when the session is full",
    tags=TAGS,
    body=ParticipantBody,
    response=RegistrationOut,
    status=201,
)
def add_participant(event_id):
    event = _staff_event(event_id)
    data = contract.body(ParticipantBody)
    person = registration_services.Participant(
        full_name=data.full_name,
        email=data.email,
        category=data.category,
        region_id=_region_id(data.region),
        organisation=data.organisation,
        position_title=data.position,
        phone=data.phone,
        inn=data.inn,
        consent=data.consent,
        locale=data.locale,
    )
    registration = registration_services.register(event, person, actor=current_user)
    return respond(RegistrationOut, registration_json(registration), 201, etag=True)


@bp.route("/events/<int:event_id>/participants/<int:registration_id>")
@requires(MANAGE_EVENTS)
@doc("One participant of a session (staff)", tags=TAGS, response=RegistrationOut, etag=True)
def participant(event_id, registration_id):
    return respond(RegistrationOut, registration_json(_registration(event_id, registration_id)), etag=True)


@bp.route("/events/<int:event_id>/participants/<int:registration_id>", methods=["PATCH"])
@requires(MANAGE_EVENTS)
@doc(
    "Correct a participant's details (staff; send the ETag you read in If-Match)",
    tags=TAGS,
    body=ParticipantPatch,
    response=RegistrationOut,
    if_match=True,
)
def update_participant(event_id, registration_id):
    registration = _registration(event_id, registration_id)
    contract.check_if_match(RegistrationOut, registration_json(registration))
    patch = contract.body(ParticipantPatch).model_dump(exclude_unset=True)
    values = {
        "full_name": registration.full_name,
        "email": registration.email,
        "phone": registration.phone,
        "category": registration.category,
        "region_id": registration.region_id,
        "organisation": registration.organisation,
        "position_title": registration.position_title,
        "inn": registration.enterprise.inn if registration.enterprise else None,
    }
    if "region" in patch:
        values["region_id"] = _region_id(patch.pop("region")) if patch.get("region") else None
    if "position" in patch:
        values["position_title"] = patch.pop("position")
    values.update(patch)
    registration_services.update_registration(registration, values, actor=current_user)
    db.session.expire(registration, ["region", "enterprise"])  # the ids changed: read what they name now
    return respond(RegistrationOut, registration_json(registration), etag=True)


_ACTIONS = {
    "confirm": (
        "Confirm a guest whose confirmation e-mail never arrived (staff; audited)",
        lambda r: registration_services.confirm_by_staff(r, actor=current_user),
    ),
    "approve": (
        "Approve a registration awaiting approval",
        lambda r: registration_services.approve(r, actor=current_user),
    ),
    "decline": (
        "Decline a registration awaiting approval or on the waiting list",
        lambda r: registration_services.decline(r, actor=current_user),
    ),
    "cancel": (
        "Cancel a registration (the person is told; the seat goes to the waiting list)",
        lambda r: registration_services.cancel_registration(r, actor=current_user, by_staff=True),
    ),
}


def _action_view(name, summary, act):
    def view(event_id, registration_id):
        registration = _registration(event_id, registration_id)
        act(registration)
        return respond(RegistrationOut, registration_json(registration), etag=True)

    view.__name__ = f"participant_{name}"
    view.__doc__ = summary
    return view


for _name, (_summary, _act) in _ACTIONS.items():
    bp.add_url_rule(
        f"/events/<int:event_id>/participants/<int:registration_id>/{_name}",
        endpoint=f"participant_{_name}",
        view_func=requires(MANAGE_EVENTS)(
            doc(_summary, tags=TAGS, response=RegistrationOut)(_action_view(_name, _summary, _act))
        ),
        methods=["POST"],
    )


@bp.route("/events/<int:event_id>/check-in", methods=["POST"])
@requires(CHECK_IN)
@doc(
    "Check a participant in by the code on their ticket (or the scanned ticket); a scanner's retry with "
    "the same Idempotency-Key gets the same answer and changes nothing",
    tags=TAGS,
    body=CheckInBody,
    response=CheckInOut,
    idempotency_key=True,
)
@idempotent
def check_in(event_id):
    event = _staff_event(event_id)
    data = contract.body(CheckInBody)
    item = _item(event.id, data.agenda_item_id) if data.agenda_item_id else None
    registration = check_in_services.find_for_check_in(event, data.code)
    fresh = check_in_services.check_in(registration, actor=current_user, item=item)
    message = (
        _("Checked in: %(name)s.", name=registration.full_name)
        if fresh
        else _("%(name)s was already checked in; nothing changed.", name=registration.full_name)
    )
    return respond(
        CheckInOut, {"fresh": fresh, "message": message, "registration": registration_json(registration)}
    )
