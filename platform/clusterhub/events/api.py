"""JSON API of the events module under /api/v1/tenants/<tenant>/events: read events and agenda, register
(with the same validation as the form), read one's registrations; staff read participants."""

import sqlalchemy as sa
from flask import Blueprint, abort, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.authz import login_required, public, requires
from ..api.openapi import API_PREFIX, doc
from ..extensions import csrf, db
from . import services as svc
from .models import Event, Registration
from .views import MANAGE_EVENTS

bp = Blueprint("events_api", __name__, url_prefix=f"{API_PREFIX}/tenants/<tenant>")
csrf.exempt(bp)

EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title_ru": {"type": "string"},
        "title_en": {"type": ["string", "null"]},
        "kind": {"type": "string"},
        "status": {"type": "string"},
        "city_ru": {"type": "string"},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
        "capacity": {"type": ["integer", "null"]},
        "url": {"type": "string"},
    },
}
ITEM_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title_ru": {"type": "string"},
        "kind": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "place": {"type": ["string", "null"]},
        "address": {"type": ["string", "null"]},
        "seat_limit": {"type": ["integer", "null"]},
    },
}
REGISTRATION_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "event_id": {"type": "integer"},
        "status": {"type": "string"},
        "full_name": {"type": "string"},
        "email": {"type": "string"},
        "category": {"type": "string"},
        "region": {"type": "string"},
        "organisation": {"type": "string"},
        "inn": {"type": ["string", "null"]},
        "position": {"type": ["string", "null"]},
        "checked_in_at": {"type": ["string", "null"]},
    },
}


def _iso(value):
    return value.isoformat() + "Z" if value is not None else None


def event_json(event: Event) -> dict:
    return {
        "id": event.id,
        "title_ru": event.title_ru,
        "title_en": event.title_en,
        "description_ru": event.description_ru,
        "description_en": event.description_en,
        "kind": event.kind,
        "status": event.status,
        "city_ru": event.city_ru,
        "city_en": event.city_en,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "capacity": event.capacity,
        "requires_approval": event.requires_approval,
        "url": svc.absolute_url("events.event_page", tenant=g.tenant.slug, event_id=event.id),
    }


def item_json(item) -> dict:
    return {
        "id": item.id,
        "title_ru": item.title_ru,
        "title_en": item.title_en,
        "kind": item.kind,
        "starts_at": _iso(item.starts_at),
        "ends_at": _iso(item.ends_at),
        "place": item.place_label or None,
        "address": item.place_address or None,
        "hosts": [{"inn": e.inn, "name": e.name} for e in item.hosts],
        "speakers": item.speaker_list,
        "seat_limit": item.seat_limit,
    }


def registration_json(r: Registration) -> dict:
    return {
        "id": r.id,
        "event_id": r.event_id,
        "status": r.status,
        "full_name": r.full_name,
        "email": r.email,
        "category": r.category,
        "region": r.region.tax_code,
        "organisation": r.organisation,
        "inn": r.enterprise.inn if r.enterprise else None,
        "position": r.position_title,
        "checked_in_at": _iso(r.checked_in_at),
    }


def _public_event(event_id) -> Event:
    event = svc.load_event_page(event_id)
    if event is None:
        abort(404)
    return event


@bp.route("/events")
@public
@doc(
    "Published sessions of a center",
    public=True,
    query={"past": ("boolean", "past sessions instead of upcoming ones")},
    response={"type": "object", "properties": {"items": {"type": "array", "items": EVENT_SCHEMA}}},
)
def events():
    past = request.args.get("past") in ("1", "true")
    rows = db.session.scalars(svc.public_events(upcoming=not past, limit=200)).all()
    return jsonify(items=[event_json(e) for e in rows])


@bp.route("/events/<int:event_id>")
@public
@doc("One session with its agenda", public=True, response=EVENT_SCHEMA)
def event(event_id):
    event = _public_event(event_id)
    counts = svc.participation_counts(event)
    return jsonify(
        {
            **event_json(event),
            "agenda": [item_json(i) for i in event.agenda_items],
            "organisers": [
                {"name_ru": o.name_ru, "name_en": o.name_en, "role": o.role} for o in event.organisers
            ],
            "venues": [{"name_ru": v.name_ru, "address_ru": v.address_ru} for v in event.venues],
            "counts": {k: counts[k] for k in ("participants", "enterprises", "regions")},
        }
    )


@bp.route("/events/<int:event_id>/agenda")
@public
@doc(
    "The agenda of a session (times in UTC)",
    public=True,
    response={"type": "object", "properties": {"items": {"type": "array", "items": ITEM_SCHEMA}}},
)
def agenda(event_id):
    return jsonify(items=[item_json(i) for i in _public_event(event_id).agenda_items])


@bp.route("/events/<int:event_id>/registrations", methods=["POST"])
@login_required
@doc(
    "Register the token's user (the same rules as the form)",
    request_body={
        "type": "object",
        "required": ["category", "region", "organisation", "consent"],
        "properties": {
            "full_name": {"type": "string"},
            "category": {"type": "string"},
            "region": {"type": "string", "description": "tax code of the region, e.g. 11"},
            "organisation": {"type": "string"},
            "inn": {"type": "string"},
            "position": {"type": "string"},
            "phone": {"type": "string"},
            "consent": {"type": "boolean", "description": "consent to personal data processing (152-ФЗ)"},
        },
    },
    response=REGISTRATION_SCHEMA,
    status=201,
)
def register(event_id):
    from ..regions.models import Region

    event = db.session.scalar(
        sa.select(Event).where(Event.id == event_id, Event.status.in_(svc.VISIBLE_PUBLIC))
    )
    if event is None:
        abort(404)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _json_error(400, _("Send a JSON object with the registration's fields."))
    for key in ("full_name", "category", "organisation", "inn", "position", "phone"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return _json_error(400, _("The field %(field)s must be text.", field=key), key)
    region_id = db.session.scalar(
        sa.select(Region.id).where(Region.tax_code == str(data.get("region") or ""))
    )
    person = svc.Participant(
        full_name=data.get("full_name") or current_user.full_name,
        email=current_user.email,
        category=data.get("category"),
        region_id=region_id,
        organisation=data.get("organisation") or "",
        position_title=data.get("position"),
        phone=data.get("phone"),
        inn=data.get("inn"),
        consent=data.get("consent") is True,
        locale=current_user.locale or "ru",
    )
    try:
        registration = svc.register(event, person, user=current_user, actor=current_user)
    except svc.EventError as error:
        db.session.rollback()
        return jsonify(error={"code": 422, "message": str(error), "field": error.field}), 422
    db.session.commit()
    return jsonify(registration_json(registration)), 201


def _json_error(code: int, message: str, field: str | None = None):
    return jsonify(error={"code": code, "message": message, "field": field}), code


@bp.route("/registrations")
@login_required
@doc(
    "The token user's registrations in this center",
    response={"type": "object", "properties": {"items": {"type": "array", "items": REGISTRATION_SCHEMA}}},
)
def my_registrations():
    rows = db.session.scalars(
        sa.select(Registration)
        .where(Registration.email == current_user.email)
        .order_by(Registration.created_at.desc())
        .options(sa.orm.selectinload(Registration.region), sa.orm.selectinload(Registration.enterprise))
    ).all()
    return jsonify(items=[registration_json(r) for r in rows])


@bp.route("/events/<int:event_id>/participants")
@requires(MANAGE_EVENTS)
@doc(
    "Participants of a session (staff)",
    query={
        "status": ("string", "registration status"),
        "q": ("string", "search in name, e-mail, organisation"),
        "page": ("integer", "page number, 100 per page"),
    },
    response={"type": "object", "properties": {"items": {"type": "array", "items": REGISTRATION_SCHEMA}}},
)
def participants(event_id):
    from ..core.pagination import paginate

    event = db.session.scalar(sa.select(Event).where(Event.id == event_id))
    if event is None:
        abort(404)
    page = paginate(
        svc.participants_query(event, status=request.args.get("status"), search=request.args.get("q")),
        per_page=100,
    )
    return jsonify(
        items=[registration_json(r) for r in page.items], page=page.page, pages=page.pages, total=page.total
    )


ROSTER_PERSON_SCHEMA = {
    "type": "object",
    "description": "passport-free fields only",
    "properties": {
        "signup_id": {"type": "integer"},
        "registration_id": {"type": "integer"},
        "position_in_list": {"type": "integer"},
        "full_name": {"type": "string"},
        "organisation": {"type": "string"},
        "position": {"type": ["string", "null"]},
        "region": {"type": "string", "description": "tax code of the region"},
        "email": {"type": "string"},
        "phone": {"type": ["string", "null"]},
    },
}
ROSTER_SCHEMA = {
    "type": "object",
    "properties": {
        "item": ITEM_SCHEMA,
        "seat_limit": {"type": ["integer", "null"]},
        "seats_taken": {"type": "integer"},
        "seats_free": {"type": ["integer", "null"]},
        "seated": {"type": "array", "items": ROSTER_PERSON_SCHEMA},
        "waiting": {"type": "array", "items": ROSTER_PERSON_SCHEMA},
    },
}


def _roster_item(event_id, agenda_item_id):
    from .models import AgendaItem

    item = db.session.scalar(
        sa.select(AgendaItem).where(AgendaItem.id == agenda_item_id, AgendaItem.event_id == event_id)
    )
    if item is None:
        abort(404)
    return item


def _roster_json(item) -> dict:
    roster = svc.item_roster(item)

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


def _refused(error):
    db.session.rollback()
    return jsonify(error={"code": 422, "message": str(error), "field": error.field}), 422


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>/roster")
@requires(MANAGE_EVENTS)
@doc("The roster of an agenda item: seats in order, then the waiting list (staff)", response=ROSTER_SCHEMA)
def roster(event_id, agenda_item_id):
    return jsonify(_roster_json(_roster_item(event_id, agenda_item_id)))


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>/roster", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Put a participant on an agenda item: a free seat, else its waiting list (staff)",
    request_body={
        "type": "object",
        "required": ["registration_id"],
        "properties": {"registration_id": {"type": "integer"}},
    },
    response=ROSTER_SCHEMA,
)
def roster_add(event_id, agenda_item_id):
    item = _roster_item(event_id, agenda_item_id)
    data = request.get_json(silent=True) or {}
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.id == data.get("registration_id"), Registration.event_id == event_id
        )
    )
    if registration is None:
        abort(404)
    try:
        svc.add_to_item(item, registration, actor=current_user)
    except svc.EventError as error:
        return _refused(error)
    db.session.commit()
    return jsonify(_roster_json(item)), 201


@bp.route(
    "/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>/move", methods=["POST"]
)
@requires(MANAGE_EVENTS)
@doc(
    "Move a person to another agenda item of the session (staff); returns the target's roster",
    request_body={
        "type": "object",
        "required": ["agenda_item_id"],
        "properties": {"agenda_item_id": {"type": "integer", "description": "the item to move to"}},
    },
    response=ROSTER_SCHEMA,
)
def roster_move(event_id, agenda_item_id, agenda_signup_id):
    signup = _roster_signup(event_id, agenda_item_id, agenda_signup_id)
    target = _roster_item(event_id, (request.get_json(silent=True) or {}).get("agenda_item_id"))
    try:
        svc.move_signup(signup, target, actor=current_user)
    except svc.EventError as error:
        return _refused(error)
    db.session.commit()
    return jsonify(_roster_json(target))


@bp.route(
    "/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>", methods=["DELETE"]
)
@requires(MANAGE_EVENTS)
@doc(
    "Take a person off an agenda item; the first person waiting gets the seat (staff)", response=ROSTER_SCHEMA
)
def roster_remove(event_id, agenda_item_id, agenda_signup_id):
    signup = _roster_signup(event_id, agenda_item_id, agenda_signup_id)
    try:
        svc.remove_signup(signup, actor=current_user)
    except svc.EventError as error:
        return _refused(error)
    db.session.commit()
    return jsonify(_roster_json(signup.agenda_item))


def _roster_signup(event_id, agenda_item_id, agenda_signup_id):
    from .models import AgendaSignup

    item = _roster_item(event_id, agenda_item_id)
    signup = db.session.scalar(
        sa.select(AgendaSignup).where(
            AgendaSignup.id == agenda_signup_id, AgendaSignup.agenda_item_id == item.id
        )
    )
    if signup is None:
        abort(404)
    return signup
