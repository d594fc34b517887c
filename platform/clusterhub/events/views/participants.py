"""Staff pages of an event's participants: the list, its exports, one participant, the figures and the
import of a delegation."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...core.access import requires
from ...core.forms import ConfirmForm, show_on
from ...core.page_cache import per_viewer
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...core.uploads import previewed_rows
from ...core.urls import safe_next_url
from ...extensions import db
from ...regions.models import district_name
from ..forms import (
    CATEGORY_FILTER,
    STATUS_FILTER,
    DelegationImportForm,
    MessageForm,
    StaffRegistrationForm,
    region_choices,
)
from ..models import ACTIVE_STATUSES, CATEGORY_LABELS, Event, Registration, RegistrationStatus
from ..services import exports, rosters
from ..services import imports as delegation
from ..services import registration as registration_services
from ..services.notifications import message_registrants
from ..services.signups import personal_agenda
from . import MANAGE_EVENTS, PER_PAGE, _get, _locale, bp

# --- staff: participants ----------------------------------------------------------------------------------


def _filters():
    return {
        "status": request.args.get("status") or None,
        "category": request.args.get("category") or None,
        "region_id": request.args.get("region", type=int) or None,
        "search": request.args.get("q") or None,
        "checked_in": request.args.get("present") or None,
        "sort": request.args.get("sort") if request.args.get("sort") in rosters.PARTICIPANT_ORDERS else None,
    }


def _filter_args(filters):
    return {
        k: v
        for k, v in {
            "status": filters["status"],
            "category": filters["category"],
            "region": filters["region_id"],
            "q": filters["search"],
            "present": filters["checked_in"],
            "sort": filters.get("sort"),
        }.items()
        if v
    }


# Staff reopen the list between check-ins far more often than the center writes: kept per viewer and per
# content version of the center (the message form's POST is never kept).
@bp.route("/<tenant>/staff/events/<int:event_id>/participants", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
@per_viewer("participant-list")
def participants(event_id):
    event = _get(Event, event_id)
    filters = _filters()
    statement = rosters.participants_query(event, **filters)
    message_form = MessageForm()
    if message_form.validate_on_submit():
        recipients = db.session.scalars(statement.where(Registration.status.in_(ACTIVE_STATUSES))).all()
        try:
            count = message_registrants(
                event, recipients, message_form.subject.data, message_form.body.data, actor=current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The message has been queued; recipients: %(count)s.", count=count), "success")
            return redirect(url_for("events.participants", event_id=event.id, **_filter_args(filters)))
    page = paginate(statement, per_page=PER_PAGE)
    return render_template(
        "events/participants.html",
        event=event,
        page=page,
        filters=filters,
        filter_args=_filter_args(filters),
        statuses=STATUS_FILTER,
        categories=CATEGORY_FILTER,
        regions=region_choices(blank=_("Any region")),
        message_form=message_form,
        confirm_form=ConfirmForm(),
    )


EXPORT_COLUMNS = (
    (_l("Full name"), lambda r: r.full_name),
    (_l("E-mail"), lambda r: r.email),
    (_l("Phone"), lambda r: r.phone or ""),
    (_l("Category"), lambda r: r.category_label),
    (_l("Region"), lambda r: r.region.name),
    (_l("Federal district"), lambda r: district_name(r.region.federal_district)),
    (_l("Organisation"), lambda r: r.organisation),
    (_l("ИНН"), lambda r: r.enterprise.inn if r.enterprise else ""),
    (_l("Position"), lambda r: r.position_title or ""),
    (_l("Status"), lambda r: r.status_label),
    (_l("Registered (UTC)"), lambda r: r.created_at.strftime("%Y-%m-%d %H:%M")),
    (_l("Checked in (UTC)"), lambda r: r.checked_in_at.strftime("%Y-%m-%d %H:%M") if r.checked_in_at else ""),
    (_l("Consent version"), lambda r: r.consent_version),
    (_l("Code"), lambda r: r.code),
)


@bp.route("/<tenant>/staff/events/<int:event_id>/participants.<fmt>")
@requires(MANAGE_EVENTS)
def export_participants(event_id, fmt):
    event = _get(Event, event_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows = db.session.scalars(rosters.participants_query(event, **_filters())).all()
    header = [str(label) for label, _value in EXPORT_COLUMNS]
    data = [[value(r) for _label, value in EXPORT_COLUMNS] for r in rows]
    if fmt == "csv":
        body, content_type = exports.table_csv(header, data), "text/csv; charset=utf-8"
    else:
        body, content_type = exports.table_xlsx(header, data, _("Participants")), exports.XLSX_MIMETYPE
    return _download(body, content_type, f"participants-{event.id}.{fmt}")


def _download(body: bytes, content_type: str, filename: str, inline: bool = False) -> Response:
    # content_type, not mimetype: Flask would append a second charset to a text type.
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/participants/<int:registration_id>", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def participant(event_id, registration_id):
    registration = _get(Registration, registration_id, event_id=event_id)
    form = StaffRegistrationForm(obj=registration)
    if request.method == "GET":
        form.inn.data = registration.enterprise.inn if registration.enterprise else ""
    if form.validate_on_submit():
        try:
            registration_services.update_registration(registration, form.data, actor=current_user)
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The registration has been saved."), "success")
            return redirect(url_for("events.participant", event_id=event_id, registration_id=registration.id))
    return render_template(
        "events/participant.html",
        registration=registration,
        event=registration.event,
        form=form,
        confirm_form=ConfirmForm(),
        signups=personal_agenda(registration),
    )


@bp.route(
    "/<tenant>/staff/events/<int:event_id>/participants/<int:registration_id>/<action>",
    methods=["POST"],
)
@requires(MANAGE_EVENTS)
def participant_action(event_id, registration_id, action):
    registration = _get(Registration, registration_id, event_id=event_id)
    if action not in ("approve", "decline", "cancel", "confirm"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            if action == "confirm":
                registration_services.confirm_by_staff(registration, actor=current_user)
            elif action == "approve":
                registration_services.approve(registration, actor=current_user)
            elif action == "decline":
                registration_services.decline(registration, actor=current_user)
            else:
                registration_services.cancel_registration(registration, actor=current_user, by_staff=True)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(
                _("%(name)s: %(status)s.", name=registration.full_name, status=registration.status_label),
                "success",
            )
    return redirect(
        safe_next_url(request.form.get("next"), url_for("events.participants", event_id=event_id))
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/statistics")
@requires(MANAGE_EVENTS)
def statistics(event_id):
    event = _get(Event, event_id)
    return render_template(
        "events/statistics.html",
        event=event,
        stats=rosters.statistics(event),
        category_labels=CATEGORY_LABELS,
        district_name=district_name,
    )


@bp.route("/<tenant>/staff/events/<int:event_id>/import", methods=["GET", "POST"])
@requires(MANAGE_EVENTS)
def import_delegation(event_id):
    """A delegation from a file: upload → preview with errors per row → register everyone or no one."""
    event = _get(Event, event_id)
    form = DelegationImportForm()
    confirm_form = ConfirmForm()
    rows = None
    if request.form.get("rows") and confirm_form.validate_on_submit():
        try:
            raw = previewed_rows(request.form["rows"])
            registrations = delegation.commit(
                event, raw, _import_defaults(request.form), current_user, locale=str(_locale())
            )
        except Refusal as error:
            flash(str(error), "danger")
        except (ValueError, TypeError):  # not a refusal: the view returns normally, so it drops the attempt
            db.session.rollback()
            flash(_("The preview has expired: upload the file again."), "danger")
        else:
            waiting = sum(r.status == RegistrationStatus.WAITLISTED for r in registrations)
            flash(
                _(
                    "People registered: %(count)s, of them on the waiting list: %(waiting)s.",
                    count=len(registrations),
                    waiting=waiting,
                ),
                "success",
            )
            return redirect(url_for("events.participants", event_id=event.id))
    elif form.validate_on_submit():
        upload = form.file.data
        try:
            raw = delegation.read_delegation(upload.filename or "", upload.read())
            rows = delegation.preview(event, raw, _import_defaults(form.data))
        except Refusal as error:
            show_on(form, error, "file")
    seats_left = registration_services.seats_left(event)
    return render_template(
        "events/import.html",
        event=event,
        form=form,
        confirm_form=confirm_form,
        rows=rows,
        rows_json=delegation.rows_to_json(rows) if rows else "",
        error_count=sum(1 for r in rows if r.errors) if rows else 0,
        seats_left=seats_left,
        defaults=_import_defaults(form.data) if rows else None,
        template_header=", ".join(delegation.TEMPLATE_HEADER),
    )


def _import_defaults(values) -> "delegation.Defaults":
    try:
        region_id = int(values.get("region_id") or 0) or None
    except (TypeError, ValueError):
        region_id = None
    return delegation.Defaults(
        organisation=(values.get("organisation") or "").strip(),
        category=values.get("category") or "enterprise",
        region_id=region_id,
    )
