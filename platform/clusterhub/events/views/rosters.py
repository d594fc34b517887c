"""Staff pages of an agenda item's roster: who holds its seats and who waits, moves between items and
exports."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import requires
from ...core.forms import ConfirmForm
from ...core.refusal import Refusal
from ..forms import RosterAddForm, RosterMoveForm, as_choices
from ..models import AgendaItem, AgendaSignup, Registration
from ..services import exports
from ..services.common import to_local
from ..services.rosters import add_to_item, item_roster, move_signup, remove_signup, roster_candidates
from . import MANAGE_EVENTS, _get, bp
from .participants import _download

# --- staff: rosters of agenda items -----------------------------------------------------------------------


def _roster_item(event_id, agenda_item_id) -> AgendaItem:
    return _get(AgendaItem, agenda_item_id, event_id=event_id)


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster")
@requires(MANAGE_EVENTS)
def roster(event_id, agenda_item_id):
    """Who holds the seats of an item (a site visit's bus) and who waits, in order; add, move, remove."""
    item = _roster_item(event_id, agenda_item_id)
    add_form = RosterAddForm(prefix="add")
    add_form.registration_id.choices = as_choices(
        [(r.id, f"{r.full_name} — {r.organisation}") for r in roster_candidates(item)]
    )
    move_form = RosterMoveForm(prefix="move")
    move_form.agenda_item_id.choices = as_choices(
        [
            (other.id, f"{to_local(other.starts_at, g.tenant):%d.%m %H:%M} {other.title}")
            for other in item.event.agenda_items
            if other.id != item.id
        ]
    )
    return render_template(
        "events/roster.html",
        event=item.event,
        item=item,
        roster=item_roster(item),
        add_form=add_form,
        move_form=move_form,
        confirm_form=ConfirmForm(),
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/add", methods=["POST"])
@requires(MANAGE_EVENTS)
def roster_add(event_id, agenda_item_id):
    item = _roster_item(event_id, agenda_item_id)
    form = RosterAddForm(prefix="add")
    form.registration_id.choices = as_choices([(r.id, r.full_name) for r in roster_candidates(item)])
    if form.validate_on_submit():
        registration = _get(Registration, form.registration_id.data, event_id=event_id)
        _roster_change(
            lambda: add_to_item(item, registration, actor=current_user),
            lambda signup: _(
                "%(name)s is on the list: %(where)s.",
                name=registration.full_name,
                where=_signup_place(signup),
            ),
        )
    else:
        flash(_("Choose a participant of this session."), "danger")
    return redirect(url_for("events.roster", event_id=event_id, agenda_item_id=item.id))


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>/<action>",
    methods=["POST"],
)
@requires(MANAGE_EVENTS)
def roster_action(event_id, agenda_item_id, agenda_signup_id, action):
    item = _roster_item(event_id, agenda_item_id)
    signup = _get(AgendaSignup, agenda_signup_id, agenda_item_id=item.id)
    registration = signup.registration
    if action == "remove":
        if ConfirmForm().validate_on_submit():
            try:
                remove_signup(signup, actor=current_user)
            except Refusal as error:
                flash(str(error), "danger")
            else:
                flash(_("%(name)s has been taken off the list.", name=registration.full_name), "success")
    elif action == "move":
        form = RosterMoveForm(prefix="move")
        form.agenda_item_id.choices = as_choices([(i.id, i.title) for i in item.event.agenda_items])
        if form.validate_on_submit():
            target = _get(AgendaItem, form.agenda_item_id.data, event_id=event_id)
            _roster_change(
                lambda: move_signup(signup, target, actor=current_user),
                lambda moved: _(
                    "%(name)s moved to «%(item)s»: %(where)s.",
                    name=registration.full_name,
                    item=target.title,
                    where=_signup_place(moved),
                ),
            )
    else:
        abort(404)
    return redirect(url_for("events.roster", event_id=event_id, agenda_item_id=item.id))


def _roster_change(change, message) -> None:
    """Commit a roster change and say where the person ended up (a seat or the waiting list)."""
    try:
        signup = change()
    except Refusal as error:
        flash(str(error), "danger")
        return
    flash(message(signup), "success")


def _signup_place(signup: AgendaSignup) -> str:
    return _("a seat") if signup.status == "confirmed" else _("the waiting list")


@bp.route("/<tenant>/staff/events/<int:event_id>/agenda/<int:agenda_item_id>/roster.<fmt>")
@requires(MANAGE_EVENTS)
def roster_export(event_id, agenda_item_id, fmt):
    item = _roster_item(event_id, agenda_item_id)
    roster = item_roster(item)
    name = f"roster-{event_id}-{item.id}.{fmt}"
    if fmt == "xlsx":
        return _download(exports.roster_xlsx(roster), exports.XLSX_MIMETYPE, name)
    if fmt == "pdf":
        return _download(exports.roster_pdf(roster, g.tenant), "application/pdf", name, inline=True)
    abort(404)
