"""A session's agenda items."""

import sqlalchemy as sa
from flask import g
from flask_login import current_user

from ...api import openapi as contract
from ...api.lists import ListQuery, cursor_page
from ...api.openapi import doc, respond
from ...core.access import public, requires
from ..models import AgendaItem
from ..services import agenda as agenda_services
from ..services.common import to_local
from ..views import MANAGE_EVENTS
from . import TAGS, _event, _item, _local, bp
from .payloads import AgendaItemBody, AgendaItemOut, AgendaItemPatch, AgendaList, item_json

# --- agenda ---------------------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/agenda")
@public
@doc("The agenda of a session (times in UTC)", tags=TAGS, public=True, query=ListQuery, response=AgendaList)
def agenda(event_id):
    event = _event(event_id)
    params = contract.query(ListQuery)
    rows, next_cursor = cursor_page(
        sa.select(AgendaItem).where(AgendaItem.event_id == event.id), AgendaItem, params
    )
    rows.sort(key=lambda i: (i.position, i.id))
    return respond(AgendaList, {"items": [item_json(i) for i in rows], "next_cursor": next_cursor})


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>")
@public
@doc("One agenda item", tags=TAGS, public=True, response=AgendaItemOut, etag=True)
def agenda_item(event_id, agenda_item_id):
    event = _event(event_id)
    return respond(AgendaItemOut, item_json(_item(event.id, agenda_item_id)), etag=True)


def _item_values(item: AgendaItem) -> dict:
    """The item as the service's values (times as the center's wall clock), for a partial update."""
    values = {key: getattr(item, key) for key in agenda_services.AGENDA_FIELDS}
    values["starts_at"] = to_local(item.starts_at, g.tenant).replace(tzinfo=None)
    values["ends_at"] = to_local(item.ends_at, g.tenant).replace(tzinfo=None)
    values["site_inn"] = item.site_enterprise.inn if item.site_enterprise else None
    values["host_inns"] = [e.inn for e in item.hosts]
    return values


def _agenda_values(data: dict) -> dict:
    for key in ("starts_at", "ends_at"):
        if key in data:
            data[key] = _local(data[key])
    if "speakers" in data and data["speakers"] is not None:
        data["speakers"] = "\n".join(s.strip() for s in data["speakers"] if s.strip())
    return data


@bp.route("/events/<int:event_id>/agenda", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc("Add an item to a session's agenda", tags=TAGS, body=AgendaItemBody, response=AgendaItemOut, status=201)
def create_agenda_item(event_id):
    event = _event(event_id)
    values = _agenda_values(contract.body(AgendaItemBody).model_dump())
    item = agenda_services.save_agenda_item(event, values, actor=current_user)
    return respond(AgendaItemOut, item_json(item), 201, etag=True)


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>", methods=["PATCH"])
@requires(MANAGE_EVENTS)
@doc(
    "Change an agenda item (send the ETag you read in If-Match)",
    tags=TAGS,
    body=AgendaItemPatch,
    response=AgendaItemOut,
    if_match=True,
)
def update_agenda_item(event_id, agenda_item_id):
    event = _event(event_id)
    item = _item(event.id, agenda_item_id)
    contract.check_if_match(AgendaItemOut, item_json(item))
    values = _item_values(item)
    values.update(_agenda_values(contract.body(AgendaItemPatch).model_dump(exclude_unset=True)))
    agenda_services.save_agenda_item(event, values, actor=current_user, item=item)
    return respond(AgendaItemOut, item_json(item), etag=True)


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>", methods=["DELETE"])
@requires(MANAGE_EVENTS)
@doc("Remove an agenda item", tags=TAGS, status=204)
def delete_agenda_item(event_id, agenda_item_id):
    event = _event(event_id)
    agenda_services.delete_agenda_item(_item(event.id, agenda_item_id), actor=current_user)
    return "", 204
