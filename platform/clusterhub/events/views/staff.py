"""Staff organise an event: its details and status, venues, organisers and the agenda."""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import requires
from ...core.forms import ConfirmForm, show_on
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...extensions import db
from ..forms import AgendaItemForm, EventForm, OrganiserForm, VenueForm
from ..models import STATUS_TRANSITIONS_LABELS, AgendaItem, Event, EventOrganiser, Venue
from ..services import events as events_services
from ..services.agenda import (
    agenda_by_day,
    delete_agenda_item,
    move_agenda_item,
    overlapping_item_ids,
    save_agenda_item,
    sort_agenda_by_time,
)
from ..services.common import to_local
from ..services.rosters import participation_counts
from . import MANAGE_EVENTS, PER_PAGE, _get, bp

# --- staff: organising ---------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/events/")
@requires(MANAGE_EVENTS)
def staff_events():
    page = paginate(sa.select(Event).order_by(Event.start_date.desc(), Event.id.desc()), per_page=PER_PAGE)
    return render_template("events/staff_events.html", page=page)


@bp.route("/<tenant>/staff/events/new", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def new_event():
    form = EventForm()
    if request.method == "GET":
        form.region_id.data = g.tenant.region_id
        form.city_ru.data = g.tenant.region.capital_ru
        form.city_en.data = g.tenant.region.capital_en
    if form.validate_on_submit():
        try:
            event = events_services.create_event(g.tenant, form.values(), actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The session has been created as a draft."), "success")
            return redirect(url_for("events.staff_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/<tenant>/staff/events/<int:event_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def edit_event(event_id):
    event = _get(Event, event_id)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        try:
            events_services.update_event(event, form.values(), actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The session has been saved."), "success")
            return redirect(url_for("events.staff_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event)


@bp.route("/<tenant>/staff/events/<int:event_id>")
@requires(MANAGE_EVENTS)
def staff_event(event_id):
    event = events_services.load_event_page(event_id, public=False)
    if event is None:
        abort(404)
    return render_template(
        "events/staff_event.html",
        event=event,
        days=agenda_by_day(event.agenda_items, g.tenant),
        overlaps=overlapping_item_ids(event.agenda_items),
        counts=participation_counts(event),
        transitions=[
            s for s in STATUS_TRANSITIONS_LABELS if s in events_services.STATUS_TRANSITIONS[event.status]
        ],
        transition_labels=STATUS_TRANSITIONS_LABELS,
        venue_form=VenueForm(prefix="venue"),
        organiser_form=OrganiserForm(prefix="org"),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/status", methods=["POST"])
@requires(MANAGE_EVENTS)
def event_status(event_id):
    event = _get(Event, event_id)
    if ConfirmForm().validate_on_submit():
        try:
            events_services.set_status(event, request.form.get("status"), actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The session is now: %(status)s.", status=event.status_label), "success")
    return redirect(url_for("events.staff_event", event_id=event.id))


@bp.route("/<tenant>/staff/events/<int:event_id>/delete", methods=["POST"])
@requires(MANAGE_EVENTS)
def delete_event(event_id):
    event = _get(Event, event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("events.staff_event", event_id=event.id))
    try:
        events_services.delete_event(event, actor=current_user)
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("The draft has been deleted."), "success")
    return redirect(url_for("events.staff_events"))


@bp.route("/<tenant>/staff/events/<int:event_id>/venues", methods=["POST"])
@requires(MANAGE_EVENTS)
def add_venue(event_id):
    event = _get(Event, event_id)
    form = VenueForm(prefix="venue")
    if form.validate_on_submit():
        try:
            events_services.add_venue(event, form.data, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The venue has been added."), "success")
    else:
        flash(_("Give the venue's name and address."), "danger")
    return redirect(url_for("events.staff_event", event_id=event.id, _anchor="venues"))


@bp.route("/<tenant>/staff/events/<int:event_id>/venues/<int:venue_id>/delete", methods=["POST"])
@requires(MANAGE_EVENTS)
def delete_venue(event_id, venue_id):
    venue = _get(Venue, venue_id, event_id=event_id)
    if ConfirmForm().validate_on_submit():
        try:
            events_services.delete_venue(venue, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The venue has been removed."), "success")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="venues"))


@bp.route("/<tenant>/staff/events/<int:event_id>/organisers", methods=["POST"])
@requires(MANAGE_EVENTS)
def add_organiser(event_id):
    event = _get(Event, event_id)
    form = OrganiserForm(prefix="org")
    if form.validate_on_submit():
        try:
            events_services.add_organiser(event, form.data, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The organiser has been added."), "success")
    else:
        flash(_("Give the organisation's name."), "danger")
    return redirect(url_for("events.staff_event", event_id=event.id, _anchor="organisers"))


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/organisers/<int:event_organiser_id>/delete", methods=["POST"]
)
@requires(MANAGE_EVENTS)
def delete_organiser(event_id, event_organiser_id):
    organiser = _get(EventOrganiser, event_organiser_id, event_id=event_id)
    if ConfirmForm().validate_on_submit():
        events_services.delete_organiser(organiser, actor=current_user)
        flash(_("The organiser has been removed."), "success")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="organisers"))


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/new", methods=["GET", "POST"])
@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def agenda_item(event_id, agenda_item_id=None):
    event = _get(Event, event_id)
    item = _get(AgendaItem, agenda_item_id, event_id=event.id) if agenda_item_id else None
    form = AgendaItemForm(event, obj=item)
    if request.method == "GET" and item is not None:
        form.starts_at.data = to_local(item.starts_at, g.tenant).replace(tzinfo=None)
        form.ends_at.data = to_local(item.ends_at, g.tenant).replace(tzinfo=None)
        form.venue_id.data = item.venue_id or 0
        form.site_inn.data = item.site_enterprise.inn if item.site_enterprise else ""
        form.host_inns.data = ", ".join(e.inn for e in item.hosts)
    if form.validate_on_submit():
        try:
            saved = save_agenda_item(event, form.values(), actor=current_user, item=item)
        except Refusal as error:
            event = _get(Event, event_id)
            show_on(form, error)
        else:
            flash(_("The agenda item has been saved."), "success")
            db.session.refresh(event)
            if saved.id in overlapping_item_ids(event.agenda_items):
                flash(_("It overlaps in time with another item at the same place."), "warning")
            return redirect(url_for("events.staff_event", event_id=event.id, _anchor="agenda"))
    return render_template("events/agenda_item_form.html", form=form, event=event, item=item)


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/<action>",
    methods=["POST"],
)
@requires(MANAGE_EVENTS)
def agenda_action(event_id, agenda_item_id, action):
    item = _get(AgendaItem, agenda_item_id, event_id=event_id)
    if action not in ("up", "down", "delete"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        if action == "delete":
            delete_agenda_item(item, actor=current_user)
            flash(_("The agenda item has been deleted."), "success")
        else:
            move_agenda_item(item, -1 if action == "up" else 1, actor=current_user)
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="agenda"))


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/sort", methods=["POST"])
@requires(MANAGE_EVENTS)
def agenda_sort(event_id):
    event = _get(Event, event_id)
    if ConfirmForm().validate_on_submit():
        sort_agenda_by_time(event, actor=current_user)
        flash(_("The agenda is in the order of time."), "success")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="agenda"))
