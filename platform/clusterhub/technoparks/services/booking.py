"""Booking equipment by time, and maintenance blocks.

Guarantee: confirmed bookings and maintenance blocks of one piece of equipment never overlap.
- The service takes a row lock on the equipment (``SELECT ... FOR UPDATE`` on PostgreSQL) before it
  looks for overlaps, so two confirmations of the same equipment run one after the other; SQLite
  serialises writers anyway.
- On PostgreSQL the exclusion constraint ``technopark_bookings_no_overlap`` (btree_gist over
  ``tsrange(starts_at, ends_at)``, see the migration) refuses an overlap whatever writes it; its
  violation is turned into the same :class:`BookingConflict`.
Periods are half-open, ``[starts_at, ends_at)``: a booking may start when the previous one ends.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...enterprises.services.representatives import is_representative
from ...extensions import db
from ..models import BookingKind, BookingStatus, Equipment, EquipmentBooking

MAX_BOOKING = timedelta(days=92)


class BookingConflict(Refusal):
    """The equipment is already booked for part of the time asked (a 409: another booking is in the way)."""

    status = 409


def _lock_equipment(equipment_id: int) -> Equipment:
    statement = sa.select(Equipment).where(Equipment.id == equipment_id)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    equipment = db.session.scalar(statement.execution_options(populate_existing=True))
    if equipment is None:
        raise Refusal(_("The equipment was not found."))
    return equipment


def _check_period(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at is None or ends_at is None:
        raise Refusal(_("Give the start and the end of the period."), "starts_at")
    if ends_at <= starts_at:
        raise Refusal(_("The end must be after the start."), "ends_at")
    if ends_at - starts_at > MAX_BOOKING:
        raise Refusal(_("A period can last at most 92 days."), "ends_at")


def overlapping(equipment_id: int, starts_at: datetime, ends_at: datetime, exclude_id=None):
    statement = sa.select(EquipmentBooking).where(
        EquipmentBooking.equipment_id == equipment_id,
        EquipmentBooking.status == BookingStatus.CONFIRMED,
        EquipmentBooking.starts_at < ends_at,
        EquipmentBooking.ends_at > starts_at,
    )
    if exclude_id is not None:
        statement = statement.where(EquipmentBooking.id != exclude_id)
    return db.session.scalars(statement.order_by(EquipmentBooking.starts_at)).all()


def _conflict_error(conflicts) -> BookingConflict:
    first = conflicts[0] if conflicts else None
    if first is not None and first.kind == BookingKind.MAINTENANCE:
        return BookingConflict(_("The equipment is under maintenance during this period."), "starts_at")
    return BookingConflict(_("This period overlaps another confirmed booking of the equipment."), "starts_at")


def _flush_confirmed(booking: EquipmentBooking) -> None:
    """Flush under a savepoint: an exclusion-constraint violation becomes a BookingConflict and leaves
    the surrounding transaction usable."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        if "technopark_bookings_no_overlap" in str(exc.orig):
            raise _conflict_error([]) from exc
        raise


def book(
    equipment: Equipment,
    starts_at: datetime,
    ends_at: datetime,
    *,
    actor,
    enterprise=None,
    confirmed: bool = False,
    request_id: int | None = None,
    note: str | None = None,
) -> EquipmentBooking:
    """Book bookable equipment. A representative's booking waits for the technopark's confirmation
    (``confirmed=False``); staff may confirm at once. A confirmed booking never overlaps another."""
    _check_period(starts_at, ends_at)
    if not equipment.bookable:
        raise Refusal(_("This equipment cannot be booked by time."))
    # A booking request (not staff's own confirmed booking) is always made for an enterprise the actor
    # represents: a posted id of someone else's enterprise must not become an anonymous booking.
    if not confirmed and (enterprise is None or not is_representative(actor, enterprise)):
        raise Refusal(_("You can only book on behalf of an enterprise you represent."), "enterprise_id")
    booking = EquipmentBooking(
        equipment_id=equipment.id,
        kind=BookingKind.BOOKING,
        status=BookingStatus.PENDING,
        starts_at=starts_at,
        ends_at=ends_at,
        enterprise_id=getattr(enterprise, "id", None),
        request_id=request_id,
        created_by_id=getattr(actor, "id", None),
        note=(note or "").strip() or None,
    )
    if confirmed:
        _lock_equipment(equipment.id)
        conflicts = overlapping(equipment.id, starts_at, ends_at)
        if conflicts:
            raise _conflict_error(conflicts)
        booking.status = BookingStatus.CONFIRMED
    db.session.add(booking)
    _flush_confirmed(booking)
    record(
        "technopark.booking_created",
        booking,
        actor=actor,
        after={"equipment": equipment.id, "from": starts_at, "to": ends_at, "status": booking.status},
    )
    return booking


def confirm(booking: EquipmentBooking, actor) -> EquipmentBooking:
    """Confirm a pending booking if its period is still free."""
    if booking.status != BookingStatus.PENDING:
        raise Refusal(_("Only a booking awaiting confirmation can be confirmed."))
    _lock_equipment(booking.equipment_id)
    conflicts = overlapping(booking.equipment_id, booking.starts_at, booking.ends_at, exclude_id=booking.id)
    if conflicts:
        raise _conflict_error(conflicts)
    booking.status = BookingStatus.CONFIRMED
    _flush_confirmed(booking)
    record("technopark.booking_confirmed", booking, actor=actor, after={"status": booking.status})
    return booking


def block_maintenance(equipment: Equipment, starts_at: datetime, ends_at: datetime, *, actor, note=None):
    """Take equipment out of service for a period; refused if a confirmed booking falls in it."""
    _check_period(starts_at, ends_at)
    _lock_equipment(equipment.id)
    conflicts = overlapping(equipment.id, starts_at, ends_at)
    if conflicts:
        raise BookingConflict(
            _("Confirmed bookings fall in this period: move or cancel them first."), "starts_at"
        )
    block = EquipmentBooking(
        equipment_id=equipment.id,
        kind=BookingKind.MAINTENANCE,
        status=BookingStatus.CONFIRMED,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_id=getattr(actor, "id", None),
        note=(note or "").strip() or None,
    )
    db.session.add(block)
    _flush_confirmed(block)
    record("technopark.maintenance_blocked", block, actor=actor, after={"from": starts_at, "to": ends_at})
    return block


def cancel(booking: EquipmentBooking, actor) -> EquipmentBooking:
    if booking.status == BookingStatus.CANCELLED:
        raise Refusal(_("The booking is already cancelled."))
    before = booking.status
    booking.status = BookingStatus.CANCELLED
    db.session.flush()
    record("technopark.booking_cancelled", booking, actor=actor, before={"status": before})
    return booking


def calendar(equipment: Equipment, start: datetime, days: int = 7) -> dict:
    """Taken periods (confirmed and pending bookings, maintenance) of the equipment between ``start`` and
    ``start + days``, and the free gaps between the confirmed ones."""
    end = start + timedelta(days=days)
    rows = db.session.scalars(
        sa.select(EquipmentBooking)
        .where(
            EquipmentBooking.equipment_id == equipment.id,
            EquipmentBooking.status != BookingStatus.CANCELLED,
            EquipmentBooking.starts_at < end,
            EquipmentBooking.ends_at > start,
        )
        .options(sa.orm.joinedload(EquipmentBooking.enterprise))
        .order_by(EquipmentBooking.starts_at)
    ).all()
    free = []
    cursor = start
    for row in rows:
        if row.status != BookingStatus.CONFIRMED:
            continue
        if row.starts_at > cursor:
            free.append((cursor, row.starts_at))
        cursor = max(cursor, row.ends_at)
    if cursor < end:
        free.append((cursor, end))
    return {"start": start, "end": end, "taken": rows, "free": free}


def hours(value: timedelta) -> Decimal:
    return (Decimal(value.total_seconds()) / 3600).quantize(Decimal("0.01"))
