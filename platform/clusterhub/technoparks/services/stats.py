"""Per-service and per-equipment figures of the current tenant, for the staff page and the reporting
layer: requests by status and quoted revenue per service; hours booked, maintenance hours and
utilisation per bookable equipment over a period. A fixed number of grouped queries, whatever the size
of the catalogue. Call inside the tenant's scope (``tenant_scope``)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ...extensions import db
from ..models import (
    BookingKind,
    BookingStatus,
    Equipment,
    EquipmentBooking,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
)

QUOTED = (RequestStatus.ACCEPTED, RequestStatus.COMPLETED)
HOUR = Decimal(3600)


def service_statistics(technopark_id: int | None = None) -> list[dict]:
    """For each service: requests by status, total requests, and the revenue quoted in accepted and
    completed requests (``Decimal`` roubles)."""
    services = sa.select(
        ServiceOffer.id, ServiceOffer.name_ru, ServiceOffer.name_en, ServiceOffer.technopark_id
    )
    if technopark_id is not None:
        services = services.where(ServiceOffer.technopark_id == technopark_id)
    rows = {
        row.id: {
            "service_id": row.id,
            "name_ru": row.name_ru,
            "name_en": row.name_en,
            "technopark_id": row.technopark_id,
            "by_status": {status.value: 0 for status in RequestStatus},
            "requests": 0,
            "quoted_revenue": Decimal("0.00"),
        }
        for row in db.session.execute(services.order_by(ServiceOffer.name_ru))
    }
    counts = db.session.execute(
        sa.select(
            ServiceRequest.service_id,
            ServiceRequest.status,
            sa.func.count(),
            sa.func.sum(sa.case((ServiceRequest.status.in_(QUOTED), ServiceRequest.quote), else_=None)),
        ).group_by(ServiceRequest.service_id, ServiceRequest.status)
    )
    for service_id, status, count, quoted in counts:
        row = rows.get(service_id)
        if row is None:
            continue
        row["by_status"][status] = count
        row["requests"] += count
        if quoted is not None:
            row["quoted_revenue"] += Decimal(quoted).quantize(Decimal("0.01"))
    return list(rows.values())


def _overlap_seconds(starts_at, ends_at, start: datetime, end: datetime) -> Decimal:
    lo, hi = max(starts_at, start), min(ends_at, end)
    return Decimal(max(0, (hi - lo).total_seconds()))


def equipment_statistics(start: datetime, end: datetime, technopark_id: int | None = None) -> list[dict]:
    """For each bookable piece of equipment, over ``[start, end)``: hours booked (confirmed bookings),
    maintenance hours, and utilisation = booked / (period − maintenance), as a fraction 0..1."""
    equipment = sa.select(Equipment.id, Equipment.name_ru, Equipment.name_en, Equipment.technopark_id).where(
        Equipment.bookable.is_(True)
    )
    if technopark_id is not None:
        equipment = equipment.where(Equipment.technopark_id == technopark_id)
    rows = {
        row.id: {
            "equipment_id": row.id,
            "name_ru": row.name_ru,
            "name_en": row.name_en,
            "technopark_id": row.technopark_id,
            "booked_hours": Decimal(0),
            "maintenance_hours": Decimal(0),
            "bookings": 0,
            "utilisation": Decimal(0),
        }
        for row in db.session.execute(equipment.order_by(Equipment.name_ru))
    }
    periods = db.session.execute(
        sa.select(
            EquipmentBooking.equipment_id,
            EquipmentBooking.kind,
            EquipmentBooking.starts_at,
            EquipmentBooking.ends_at,
        ).where(
            EquipmentBooking.status == BookingStatus.CONFIRMED,
            EquipmentBooking.starts_at < end,
            EquipmentBooking.ends_at > start,
        )
    )
    for equipment_id, kind, starts_at, ends_at in periods:
        row = rows.get(equipment_id)
        if row is None:
            continue
        hours = _overlap_seconds(starts_at, ends_at, start, end) / HOUR
        if kind == BookingKind.MAINTENANCE:
            row["maintenance_hours"] += hours
        else:
            row["booked_hours"] += hours
            row["bookings"] += 1
    period_hours = Decimal((end - start).total_seconds()) / HOUR
    for row in rows.values():
        available = period_hours - row["maintenance_hours"]
        row["utilisation"] = (
            (row["booked_hours"] / available).quantize(Decimal("0.0001")) if available > 0 else Decimal(0)
        )
        row["booked_hours"] = row["booked_hours"].quantize(Decimal("0.01"))
        row["maintenance_hours"] = row["maintenance_hours"].quantize(Decimal("0.01"))
    return list(rows.values())
