"""Indicators read from the centers' sessions (events) and their registrations."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...core import signals
from ...events.models import CATEGORY_LABELS, Event, EventStatus, Registration, RegistrationStatus
from ..registry import Source
from ..sql import aggregate, by_center_and, execute, group_column, grouped, scoped

source = Source()

HELD = (EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED, EventStatus.FINISHED)
TAKING_PART = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


def _events_in_period(scope):
    return sa.and_(
        Event.status.in_(HELD), Event.start_date >= scope.period.start, Event.start_date < scope.period.end
    )


def _registrations(scope, grouping, value, *conditions):
    statement = sa.select(group_column(grouping), value).select_from(Registration)
    statement = statement.join(
        Event, sa.and_(Event.id == Registration.event_id, Event.tenant_id == Registration.tenant_id)
    )
    statement = scoped(statement, scope, Registration.tenant_id).where(_events_in_period(scope), *conditions)
    return execute(grouped(statement, grouping))


@source.indicator(
    "sessions_held",
    "sessions",
    _l("Sessions held"),
    _l(
        "Sessions (practical sessions, conferences, defenses, site visits, webinars) starting in the period, "
        "not cancelled and not drafts."
    ),
)
def sessions_held(scope, grouping):
    return aggregate(scope, grouping, Event, sa.func.count(Event.id), _events_in_period(scope))


@source.indicator(
    "registrations",
    "sessions",
    _l("Registrations"),
    _l("People registered for the period's sessions (confirmed or awaiting approval)."),
    unit="people",
)
def registrations(scope, grouping):
    return _registrations(
        scope, grouping, sa.func.count(Registration.id), Registration.status.in_(TAKING_PART)
    )


@source.indicator(
    "attendance_planned",
    "sessions",
    _l("Planned participants"),
    _l("Participants the centers planned for the period's sessions (the sessions' planned figures)."),
    unit="people",
)
def attendance_planned(scope, grouping):
    return aggregate(
        scope, grouping, Event, sa.func.sum(Event.planned_participants), _events_in_period(scope)
    )


@source.indicator(
    "attendance_actual",
    "sessions",
    _l("Participants who came"),
    _l("Registrants checked in at the period's sessions."),
    unit="people",
)
def attendance_actual(scope, grouping):
    return _registrations(
        scope, grouping, sa.func.count(Registration.id), Registration.checked_in_at.is_not(None)
    )


@source.indicator(
    "session_enterprises",
    "sessions",
    _l("Enterprises taking part"),
    _l("Different enterprises whose people registered for the period's sessions, each counted once."),
    additive=False,
)
def session_enterprises(scope, grouping):
    return _registrations(
        scope,
        grouping,
        sa.func.count(sa.distinct(Registration.enterprise_id)),
        Registration.status.in_(TAKING_PART),
    )


@source.indicator(
    "session_regions",
    "sessions",
    _l("Regions represented"),
    _l("Different regions the registrants of the period's sessions come from."),
    additive=False,
)
def session_regions(scope, grouping):
    return _registrations(
        scope,
        grouping,
        sa.func.count(sa.distinct(Registration.region_id)),
        Registration.status.in_(TAKING_PART),
    )


@source.breakdown(
    "registrations_by_category",
    "sessions",
    _l("Registrations by participant category"),
    _l("People registered for the period's sessions (confirmed or awaiting approval), by who they are."),
    CATEGORY_LABELS,
)
def registrations_by_category(scope):
    return by_center_and(
        scope,
        Registration,
        Registration.category,
        _events_in_period(scope),
        Registration.status.in_(TAKING_PART),
        joins=[
            (Event, sa.and_(Event.id == Registration.event_id, Event.tenant_id == Registration.tenant_id))
        ],
    )


def connect_signals() -> None:
    """Answer ``signals.indicator_sources`` with this module's definitions (called from ``create_app``)."""
    signals.indicator_sources.connect(source.answer)
