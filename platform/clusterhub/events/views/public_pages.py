"""The public pages of a center's events and the platform calendar, and their iCalendar feeds."""

import sqlalchemy as sa
from flask import Response, abort, g, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user

from ...core import page_cache as page_cache_markers
from ...core.access import public
from ...core.pagination import paginate
from ...core.security import csp_nonce
from ...core.shared_store import shared_store
from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.row_cache import content_version
from ..forms import KIND_FILTER, region_choices
from ..models import ACTIVE_STATUSES, EVENT_KIND_LABELS, Event, EventStatus, Registration, local_today
from ..services import ical
from ..services.agenda import agenda_by_day
from ..services.events import (
    CALENDAR_STATUSES,
    VISIBLE_PUBLIC,
    calendar_events,
    load_event_page,
    public_events,
)
from ..services.rosters import participation_counts
from . import _locale, bp
from . import cache as page_cache

# --- public pages ---------------------------------------------------------------------------------------


@bp.route("/<tenant>/events/")
@public
def index():
    upcoming = db.session.scalars(
        public_events(upcoming=True).options(sa.orm.selectinload(Event.region))
    ).all()
    past = paginate(public_events(upcoming=False), per_page=20)
    return render_template("events/index.html", upcoming=upcoming, past=past)


@bp.route("/<tenant>/events/<int:event_id>")
@public
def event_page(event_id):
    # Anonymous visitors without pending messages all see the same page: served from the page cache
    # when the event has not changed since it was rendered (see cache.py).
    cacheable = not current_user.is_authenticated and "_flashes" not in session
    shared_version = content_version(shared_store(), g.tenant.id) if cacheable else None
    if shared_version is not None:
        # With Redis, the version of everything the center owns says whether the page is current: no query.
        # The local date is in the key: the day after the session the page loses its registration button.
        key = (g.tenant.id, event_id, str(_locale()), local_today(g.tenant.timezone).isoformat())
        page = page_cache.serve(key, shared_version, csp_nonce())
        if page is not None:
            return page
    elif cacheable:
        row = db.session.execute(
            sa.select(Event.updated_at, Event.status, Event.end_date).where(Event.id == event_id)
        ).first()
        if row is None or row.status not in VISIBLE_PUBLIC:
            abort(404)
        # The day after the session the page must lose its registration button, with no change to the row.
        ended = row.end_date < local_today(g.tenant.timezone)
        key = (g.tenant.id, event_id, str(_locale()), ended)
        page = page_cache.serve(key, row.updated_at, csp_nonce())
        if page is not None:
            return page
    event = load_event_page(event_id)
    if event is None:
        abort(404)
    counts = participation_counts(event)
    mine = None
    if current_user.is_authenticated:
        mine = db.session.scalar(
            sa.select(Registration).where(
                Registration.event_id == event.id,
                Registration.email == current_user.email,
                Registration.status.in_(ACTIVE_STATUSES),
            )
        )
    html = render_template(
        "events/event.html",
        event=event,
        days=agenda_by_day(event.agenda_items, g.tenant),
        counts=counts,
        mine=mine,
        seats_left=None if event.capacity is None else max(0, event.capacity - counts["participants"]),
    )
    if cacheable:
        version = shared_version if shared_version is not None else row.updated_at
        page_cache.put(key, version, page_cache_markers.freeze(html, csp_nonce()))
    return html


@bp.route("/calendar")
@public
def calendar():
    region_id = request.args.get("region", type=int)
    kind = request.args.get("kind") or None
    show_past = request.args.get("past") == "1"
    rows = calendar_events(
        region_id=region_id,
        kind=kind if kind in EVENT_KIND_LABELS else None,
        since=None if show_past else utcnow().date(),
    )
    return render_template(
        "events/calendar.html",
        rows=rows,
        regions=region_choices(blank=_("All regions")),
        kinds=KIND_FILTER,
        region_id=region_id or 0,
        kind=kind or "",
        show_past=show_past,
    )


# --- iCal feeds -------------------------------------------------------------------------------------------


def _ics(body: str, name: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="{name}.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


@bp.route("/<tenant>/events/<int:event_id>.ics")
@public
def event_ics(event_id):
    event = load_event_page(event_id)
    if event is None or event.status == EventStatus.CANCELLED:
        abort(404)
    return _ics(ical.event_calendar(event, g.tenant), f"event-{event.id}")


@bp.route("/<tenant>/events.ics")
@public
def tenant_ics():
    events = db.session.scalars(
        sa.select(Event).where(Event.status.in_(CALENDAR_STATUSES)).order_by(Event.start_date)
    ).all()
    return _ics(ical.tenant_calendar(events, g.tenant), g.tenant.slug)


@bp.route("/<tenant>/events/calendar/<token>.ics")
@public
def person_ics(token):
    email = ical.email_from_token(token, g.tenant.id)
    if email is None:
        abort(404)
    return _ics(ical.person_calendar(email, g.tenant), "my-agenda")
