"""Equipment calendars: an enterprise asks for a period, the staff confirm, book and block maintenance."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import public, requires
from ...core.forms import ConfirmForm, show_on
from ...core.refusal import Refusal
from ...enterprises.services.representatives import represented_enterprises
from ...extensions import db
from ..forms import BookingForm
from ..models import BOOKING_STATUS_LABELS, Equipment, EquipmentBooking
from ..services import booking
from . import MANAGE_CATALOGUE, bp, child_or_404, technopark_or_404


def _week_start() -> datetime:
    raw = request.args.get("from")
    try:
        day = date.fromisoformat(raw) if raw else date.today()
    except ValueError:
        day = date.today()
    return datetime.combine(day, time())


def _local_to_utc(value: datetime | None) -> datetime | None:
    """A naive local time typed in the tenant's time zone, as naive UTC."""
    if value is None:
        return None
    zone = ZoneInfo(g.tenant.timezone)
    return value.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


@bp.route(
    "/<tenant>/technoparks/<int:technopark_id>/equipment/<int:equipment_id>/calendar", methods=["GET", "POST"]
)
@public
def equipment_calendar(technopark_id, equipment_id):
    technopark = technopark_or_404(technopark_id)
    equipment = child_or_404(Equipment, equipment_id, technopark)
    if not equipment.bookable:
        abort(404)
    enterprises = represented_enterprises(current_user) if current_user.is_authenticated else []
    form = BookingForm()
    form.enterprise_id.choices = [(e.id, e.name) for e in enterprises]
    if request.method == "POST":
        if not current_user.is_authenticated:
            abort(403)
        if enterprises and form.validate_on_submit():
            enterprise = next((e for e in enterprises if e.id == form.enterprise_id.data), None)
            try:
                booking.book(
                    equipment,
                    _local_to_utc(form.starts_at.data),
                    _local_to_utc(form.ends_at.data),
                    actor=current_user,
                    enterprise=enterprise,
                    note=form.note.data,
                )
            except Refusal as error:
                show_on(form, error)
            else:
                flash(_("Your booking request has been sent; the technopark will confirm it."), "success")
                return redirect(request.url)
    start = _week_start()
    return render_template(
        "technoparks/calendar.html",
        technopark=technopark,
        equipment=equipment,
        cal=booking.calendar(equipment, start),
        form=form,
        enterprises=enterprises,
        staff=False,
        status_labels=BOOKING_STATUS_LABELS,
        prev_week=(start - timedelta(days=7)).date(),
        next_week=(start + timedelta(days=7)).date(),
    )


@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/equipment/<int:equipment_id>/bookings",
    methods=["GET", "POST"],
)
@requires(MANAGE_CATALOGUE)
def staff_calendar(technopark_id, equipment_id):
    technopark = technopark_or_404(technopark_id)
    equipment = child_or_404(Equipment, equipment_id, technopark)
    form = BookingForm()
    form.enterprise_id.choices = [(0, "—")]
    if form.validate_on_submit():
        try:
            starts_at, ends_at = _local_to_utc(form.starts_at.data), _local_to_utc(form.ends_at.data)
            if form.maintenance.data:
                booking.block_maintenance(
                    equipment, starts_at, ends_at, actor=current_user, note=form.note.data
                )
            else:
                booking.book(
                    equipment, starts_at, ends_at, actor=current_user, confirmed=True, note=form.note.data
                )
        except Refusal as error:
            show_on(form, error)
        else:
            flash(_("The period has been booked."), "success")
            return redirect(request.url)
    start = _week_start()
    return render_template(
        "technoparks/calendar.html",
        technopark=technopark,
        equipment=equipment,
        cal=booking.calendar(equipment, start),
        form=form,
        enterprises=[],
        staff=True,
        confirm_form=ConfirmForm(),
        status_labels=BOOKING_STATUS_LABELS,
        prev_week=(start - timedelta(days=7)).date(),
        next_week=(start + timedelta(days=7)).date(),
    )


@bp.route(
    "/<tenant>/staff/technoparks/<int:technopark_id>/equipment/<int:equipment_id>/bookings/<int:booking_id>",
    methods=["POST"],
)
@requires(MANAGE_CATALOGUE)
def booking_action(technopark_id, equipment_id, booking_id):
    technopark = technopark_or_404(technopark_id)
    equipment = child_or_404(Equipment, equipment_id, technopark)
    row = db.session.scalar(
        sa.select(EquipmentBooking).where(
            EquipmentBooking.id == booking_id, EquipmentBooking.equipment_id == equipment.id
        )
    )
    if row is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        decide = booking.confirm if request.form.get("action") == "confirm" else booking.cancel
        try:
            decide(row, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The booking has been updated."), "success")
    return redirect(
        url_for("technoparks.staff_calendar", technopark_id=technopark.id, equipment_id=equipment.id)
    )
