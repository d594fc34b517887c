"""On site: checking registrants in (by code, ticket or name) and printing badges."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ...core.access import requires
from ...core.forms import ConfirmForm
from ...core.refusal import Refusal
from ...core.security import permits_camera
from ...core.urls import safe_next_url
from ...extensions import db
from ..forms import CheckInForm, as_choices
from ..models import AgendaItem, Event, Registration, RegistrationStatus
from ..services import check_in as check_in_services
from ..services.common import to_local
from ..services.links import ticket_link
from ..services.rosters import participants_query, participation_counts
from . import CHECK_IN, MANAGE_EVENTS, _get, _qr_svg, bp
from .participants import _filters

# --- staff: on site -------------------------------------------------------------------------------------


@bp.route("/<tenant>/staff/events/<int:event_id>/check-in", methods=["GET", "POST"])
@permits_camera
@requires(CHECK_IN)
def check_in(event_id):
    event = _get(Event, event_id)
    form = CheckInForm()
    form.agenda_item_id.choices = as_choices(
        [(0, _("The session (entrance)"))]
        + [(i.id, f"{to_local(i.starts_at, g.tenant):%d.%m %H:%M} {i.title}") for i in event.agenda_items]
    )
    result = None
    if request.method == "GET":
        form.agenda_item_id.data = request.args.get("item", 0, type=int)
    if form.validate_on_submit():
        item = (
            _get(AgendaItem, form.agenda_item_id.data, event_id=event.id)
            if form.agenda_item_id.data
            else None
        )
        try:
            registration = check_in_services.find_for_check_in(event, form.code.data)
            fresh = check_in_services.check_in(registration, actor=current_user, item=item)
        except Refusal as error:
            result = {"ok": False, "message": str(error)}
        else:
            result = {
                "ok": True,
                "fresh": fresh,
                "registration": registration,
                "message": _("Checked in: %(name)s.", name=registration.full_name)
                if fresh
                else _("%(name)s was already checked in; nothing changed.", name=registration.full_name),
            }
        form.code.data = ""
    search = (request.args.get("q") or "").strip()
    return render_template(
        "events/check_in.html",
        event=event,
        form=form,
        result=result,
        counts=participation_counts(event),
        confirm_form=ConfirmForm(),
        search=search,
        found=check_in_services.check_in_candidates(event, search),
        item_id=form.agenda_item_id.data or 0,
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/check-in/<int:registration_id>", methods=["POST"])
@requires(CHECK_IN)
def check_in_registration(event_id, registration_id):
    """Check one participant in with one click (found by name at the door, or from the participant list).

    Clicking twice changes nothing and says so; every check-in is in the audit log."""
    registration = _get(Registration, registration_id, event_id=event_id)
    item_id = request.form.get("item_id", 0, type=int)
    item = _get(AgendaItem, item_id, event_id=event_id) if item_id else None
    if ConfirmForm().validate_on_submit():
        try:
            fresh = check_in_services.check_in(registration, actor=current_user, item=item)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            if fresh:
                flash(_("Checked in: %(name)s.", name=registration.full_name), "success")
            else:
                flash(
                    _("%(name)s was already checked in; nothing changed.", name=registration.full_name),
                    "info",
                )
    return redirect(
        safe_next_url(request.form.get("next"), url_for("events.check_in", event_id=event_id, item=item_id))
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/check-in/<int:registration_id>/undo", methods=["POST"])
@requires(CHECK_IN)
def undo_check_in(event_id, registration_id):
    registration = _get(Registration, registration_id, event_id=event_id)
    item_id = request.form.get("item_id", 0, type=int)
    item = _get(AgendaItem, item_id, event_id=event_id) if item_id else None
    if ConfirmForm().validate_on_submit():
        check_in_services.undo_check_in(registration, actor=current_user, item=item)
        flash(_("The check-in of %(name)s has been undone.", name=registration.full_name), "success")
    return redirect(
        safe_next_url(request.form.get("next"), url_for("events.check_in", event_id=event_id, item=item_id))
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/badges")
@bp.route("/<tenant>/staff/events/<int:event_id>/badges/<int:registration_id>")
@requires(MANAGE_EVENTS)
def badges(event_id, registration_id=None):
    """Print-ready badges (A6, four to an A4 page): one, or all confirmed registrants (optionally filtered)."""
    event = _get(Event, event_id)
    if registration_id:
        rows = [_get(Registration, registration_id, event_id=event_id)]
    else:
        filters = _filters()
        filters["status"] = filters["status"] or RegistrationStatus.CONFIRMED
        rows = db.session.scalars(participants_query(event, **filters)).all()
    qr = {r.id: Markup(_qr_svg(ticket_link(r))) for r in rows}
    return render_template("events/badges.html", event=event, rows=rows, qr=qr)
