"""Indicators read from the technopark catalogues."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...technoparks.models import (
    BookingKind,
    BookingStatus,
    EquipmentBooking,
    OfferStatus,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    Technopark,
)
from ..indicators import execute, group_column, grouped, indicator, scoped
from .sql import clip, hours_between, percent


def _in_period(column, scope):
    return sa.and_(column >= scope.period.start_dt, column < scope.period.end_dt)


@indicator(
    "technoparks",
    "technoparks",
    _l("Technoparks"),
    _l("Technoparks in the catalogues of the centers (all, whatever their register status)."),
)
def technoparks(scope, grouping):
    statement = sa.select(group_column(grouping), sa.func.count(Technopark.id)).select_from(Technopark)
    return execute(grouped(scoped(statement, scope, Technopark.tenant_id), grouping))


@indicator(
    "services_published",
    "technoparks",
    _l("Services published"),
    _l("Technopark services open to enterprises in the catalogues (drafts not counted)."),
)
def services_published(scope, grouping):
    statement = sa.select(group_column(grouping), sa.func.count(ServiceOffer.id)).select_from(ServiceOffer)
    statement = scoped(statement, scope, ServiceOffer.tenant_id).where(
        ServiceOffer.status == OfferStatus.PUBLISHED
    )
    return execute(grouped(statement, grouping))


@indicator(
    "service_requests",
    "technoparks",
    _l("Service requests"),
    _l("Requests for technopark services made by enterprises in the period."),
)
def service_requests(scope, grouping):
    statement = sa.select(group_column(grouping), sa.func.count(ServiceRequest.id)).select_from(
        ServiceRequest
    )
    statement = scoped(statement, scope, ServiceRequest.tenant_id).where(
        _in_period(ServiceRequest.created_at, scope)
    )
    return execute(grouped(statement, grouping))


@indicator(
    "paid_services_delivered",
    "kpi",
    _l("Paid services delivered"),
    _l("KPI 5: technopark service requests of the period completed with a price (a quote above zero)."),
)
def paid_services_delivered(scope, grouping):
    statement = sa.select(group_column(grouping), sa.func.count(ServiceRequest.id)).select_from(
        ServiceRequest
    )
    statement = scoped(statement, scope, ServiceRequest.tenant_id).where(
        _in_period(ServiceRequest.created_at, scope),
        ServiceRequest.status == RequestStatus.COMPLETED,
        ServiceRequest.quote > 0,
    )
    return execute(grouped(statement, grouping))


@indicator(
    "request_completion_rate",
    "technoparks",
    _l("Requests completed, %"),
    _l("Share of the period's service requests that the technopark completed."),
    unit="percent",
)
def request_completion_rate(scope, grouping):
    completed = sa.func.sum(sa.case((ServiceRequest.status == RequestStatus.COMPLETED, 1), else_=0))
    statement = sa.select(group_column(grouping), percent(completed, sa.func.count(ServiceRequest.id)))
    statement = scoped(statement.select_from(ServiceRequest), scope, ServiceRequest.tenant_id)
    return execute(grouped(statement.where(_in_period(ServiceRequest.created_at, scope)), grouping))


@indicator(
    "booked_equipment_hours",
    "technoparks",
    _l("Equipment hours booked"),
    _l("Hours of confirmed equipment bookings falling within the period (maintenance not counted)."),
    unit="hours",
)
def booked_equipment_hours(scope, grouping):
    start, end = scope.period.start_dt, scope.period.end_dt
    hours = sa.func.round(
        sa.func.sum(
            hours_between(
                clip(EquipmentBooking.starts_at, start, end), clip(EquipmentBooking.ends_at, start, end)
            )
        ),
        1,
    )
    statement = sa.select(group_column(grouping), hours).select_from(EquipmentBooking)
    statement = scoped(statement, scope, EquipmentBooking.tenant_id).where(
        EquipmentBooking.status == BookingStatus.CONFIRMED,
        EquipmentBooking.kind == BookingKind.BOOKING,
        EquipmentBooking.starts_at < end,
        EquipmentBooking.ends_at > start,
    )
    return execute(grouped(statement, grouping))
