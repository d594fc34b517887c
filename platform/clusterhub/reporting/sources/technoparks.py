"""Indicators read from the technopark catalogues."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...core import signals
from ...technoparks.models import (
    REQUEST_STATUS_LABELS,
    BookingKind,
    BookingStatus,
    EquipmentBooking,
    OfferStatus,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    ServiceRequestEvent,
    Technopark,
)
from ..registry import Source
from ..sql import (
    aggregate,
    by_center_and,
    clip,
    execute,
    group_column,
    grouped,
    hours_between,
    in_period,
    percent,
    round1,
    scoped,
)

source = Source()

COUNT_REQUESTS = sa.func.count(ServiceRequest.id)


def completed_in_period(scope):
    """(condition, join) of the requests completed within the period.

    A request is completed on the end of its scheduled work, or on the day the technopark marked it
    completed when that came first: a request done in 2021 and entered (and marked) in 2026 counts in
    2021, one finished early counts when it was finished."""
    marks = (
        sa.select(
            ServiceRequestEvent.tenant_id,
            ServiceRequestEvent.request_id,
            sa.func.min(ServiceRequestEvent.created_at).label("marked_at"),
        )
        .where(ServiceRequestEvent.to_status == RequestStatus.COMPLETED)
        .group_by(ServiceRequestEvent.tenant_id, ServiceRequestEvent.request_id)
        .subquery("completion_marks")
    )
    join = (
        marks,
        sa.and_(marks.c.request_id == ServiceRequest.id, marks.c.tenant_id == ServiceRequest.tenant_id),
    )
    marked_at = sa.func.coalesce(marks.c.marked_at, ServiceRequest.updated_at)
    scheduled_end = ServiceRequest.scheduled_end
    # Dates and timestamps are compared each with its own kind of bound (SQLite compares them as text).
    by_schedule = sa.and_(
        scheduled_end.is_not(None),
        scheduled_end < marked_at,
        scheduled_end >= scope.period.start,
        scheduled_end < scope.period.end,
    )
    by_mark = sa.and_(
        sa.or_(scheduled_end.is_(None), scheduled_end >= marked_at), in_period(marked_at, scope)
    )
    return sa.and_(ServiceRequest.status == RequestStatus.COMPLETED, sa.or_(by_schedule, by_mark)), join


@source.indicator(
    "technoparks",
    "technoparks",
    _l("Technoparks"),
    _l("Technoparks in the catalogues of the centers (all, whatever their register status)."),
)
def technoparks(scope, grouping):
    return aggregate(scope, grouping, Technopark, sa.func.count(Technopark.id))


@source.indicator(
    "services_published",
    "technoparks",
    _l("Services published"),
    _l("Technopark services open to enterprises in the catalogues (drafts not counted)."),
)
def services_published(scope, grouping):
    return aggregate(
        scope,
        grouping,
        ServiceOffer,
        sa.func.count(ServiceOffer.id),
        ServiceOffer.status == OfferStatus.PUBLISHED,
    )


@source.indicator(
    "service_requests",
    "technoparks",
    _l("Service requests"),
    _l("Requests for technopark services made by enterprises in the period; dated by the request."),
)
def service_requests(scope, grouping):
    return aggregate(
        scope, grouping, ServiceRequest, COUNT_REQUESTS, in_period(ServiceRequest.created_at, scope)
    )


@source.indicator(
    "paid_services_delivered",
    "kpi",
    _l("Paid services delivered"),
    _l(
        "KPI 5: technopark service requests with a price (a quote above zero) completed in the period; dated "
        "by the completion: the end of the scheduled work, or the day the request was marked completed if "
        "earlier."
    ),
)
def paid_services_delivered(scope, grouping):
    completed, (marks, on) = completed_in_period(scope)
    statement = sa.select(group_column(grouping), COUNT_REQUESTS).select_from(ServiceRequest)
    statement = statement.outerjoin(marks, on)
    statement = scoped(statement, scope, ServiceRequest.tenant_id).where(completed, ServiceRequest.quote > 0)
    return execute(grouped(statement, grouping))


@source.indicator(
    "request_completion_rate",
    "technoparks",
    _l("Requests completed, %"),
    _l("Share of the period's service requests that the technopark completed."),
    unit="percent",
)
def request_completion_rate(scope, grouping):
    completed = sa.func.sum(sa.case((ServiceRequest.status == RequestStatus.COMPLETED, 1), else_=0))
    return aggregate(
        scope,
        grouping,
        ServiceRequest,
        percent(completed, COUNT_REQUESTS),
        in_period(ServiceRequest.created_at, scope),
    )


@source.indicator(
    "booked_equipment_hours",
    "technoparks",
    _l("Equipment hours booked"),
    _l("Hours of confirmed equipment bookings falling within the period (maintenance not counted)."),
    unit="hours",
)
def booked_equipment_hours(scope, grouping):
    start, end = scope.period.start_dt, scope.period.end_dt
    hours = round1(
        sa.func.sum(
            hours_between(
                clip(EquipmentBooking.starts_at, start, end), clip(EquipmentBooking.ends_at, start, end)
            )
        )
    )
    return aggregate(
        scope,
        grouping,
        EquipmentBooking,
        hours,
        EquipmentBooking.status == BookingStatus.CONFIRMED,
        EquipmentBooking.kind == BookingKind.BOOKING,
        EquipmentBooking.starts_at < end,
        EquipmentBooking.ends_at > start,
    )


@source.breakdown(
    "requests_by_status",
    "technoparks",
    _l("Service requests by status"),
    _l("Requests for technopark services made in the period, by where they stand now."),
    REQUEST_STATUS_LABELS,
)
def requests_by_status(scope):
    return by_center_and(
        scope, ServiceRequest, ServiceRequest.status, in_period(ServiceRequest.created_at, scope)
    )


def connect_signals() -> None:
    """Answer ``signals.indicator_sources`` with this module's definitions (called from ``create_app``)."""
    signals.indicator_sources.connect(source.answer)
