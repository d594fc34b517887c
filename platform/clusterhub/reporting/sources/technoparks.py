"""Indicators read from the technopark catalogues."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...technoparks.models import (
    REQUEST_STATUS_LABELS,
    BookingKind,
    BookingStatus,
    EquipmentBooking,
    OfferStatus,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    Technopark,
)
from ..indicators import aggregate, breakdown, by_center_and, in_period, indicator
from .sql import clip, hours_between, percent, round1

COUNT_REQUESTS = sa.func.count(ServiceRequest.id)


@indicator(
    "technoparks",
    "technoparks",
    _l("Technoparks"),
    _l("Technoparks in the catalogues of the centers (all, whatever their register status)."),
)
def technoparks(scope, grouping):
    return aggregate(scope, grouping, Technopark, sa.func.count(Technopark.id))


@indicator(
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


@indicator(
    "service_requests",
    "technoparks",
    _l("Service requests"),
    _l("Requests for technopark services made by enterprises in the period."),
)
def service_requests(scope, grouping):
    return aggregate(
        scope, grouping, ServiceRequest, COUNT_REQUESTS, in_period(ServiceRequest.created_at, scope)
    )


@indicator(
    "paid_services_delivered",
    "kpi",
    _l("Paid services delivered"),
    _l("KPI 5: technopark service requests of the period completed with a price (a quote above zero)."),
)
def paid_services_delivered(scope, grouping):
    return aggregate(
        scope,
        grouping,
        ServiceRequest,
        COUNT_REQUESTS,
        in_period(ServiceRequest.created_at, scope),
        ServiceRequest.status == RequestStatus.COMPLETED,
        ServiceRequest.quote > 0,
    )


@indicator(
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


@indicator(
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


@breakdown(
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
