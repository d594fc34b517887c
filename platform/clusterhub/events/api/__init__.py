"""JSON API of the events module under /api/v1/tenants/<tenant>/events: sessions and their agenda
(published ones for everybody; every one, and their changes, for the center's staff), registration,
the staff's participant management, agenda-item rosters and check-in at the door. The blueprint and the
loading of rows live here; ``payloads`` holds the schemas, and ``events``, ``agenda``, ``registration``
and ``rosters`` the operations.

Every write calls the service the staff pages call, so the rules and their messages are the same; the
unit of work commits a handler that returns and rolls back one that meets a refusal."""

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, g
from flask_babel import gettext as _

from ...api.lists import naive_utc
from ...api.openapi import API_PREFIX
from ...core.access import can
from ...core.refusal import Refusal
from ...extensions import csrf, db
from ...regions.models import Region
from ..models import AgendaItem, Event, Registration
from ..services.common import to_local
from ..services.events import load_event_page
from ..views import MANAGE_EVENTS

bp = Blueprint("events_api", __name__, url_prefix=f"{API_PREFIX}/tenants/<tenant>")
csrf.exempt(bp)

TAGS = ["events"]


# --- loading --------------------------------------------------------------------------------------------


def _event(event_id) -> Event:
    """A session the caller may see: any of the center's for its staff, a published one for others."""
    event = load_event_page(event_id, public=not can(MANAGE_EVENTS))
    if event is None:
        abort(404)
    return event


def _staff_event(event_id) -> Event:
    return db.first_or_404(sa.select(Event).where(Event.id == event_id))


def _item(event_id, agenda_item_id) -> AgendaItem:
    return db.first_or_404(
        sa.select(AgendaItem).where(AgendaItem.id == agenda_item_id, AgendaItem.event_id == event_id)
    )


def _registration(event_id, registration_id) -> Registration:
    return db.first_or_404(
        sa.select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
    )


def _region_id(tax_code: str | None, field: str = "region") -> int | None:
    if not tax_code:
        return None
    region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == tax_code.strip()))
    if region_id is None:
        raise Refusal(_("Choose a region from the list."), field)
    return region_id


def _local(moment: datetime | None) -> datetime | None:
    """An API time → the wall-clock time in the center's zone that the services take."""
    if moment is None or moment.tzinfo is None:
        return moment
    return to_local(naive_utc(moment), g.tenant).replace(tzinfo=None)


# The operations register their routes on ``bp``; imported last, as they use what is defined above.
from . import agenda, events, registration, rosters  # noqa: E402, F401
