"""Events («сессии»): the event with its venues and organisers (``events``), its agenda (``agenda``) and
the participants' registrations with their places on agenda items (``registrations``). Every model is
imported here, so ``from clusterhub.events.models import Event`` works and SQLAlchemy knows all of them
when the mappers are configured."""

from .agenda import AGENDA_KIND_LABELS, AgendaItem, AgendaItemHost, AgendaKind
from .events import (
    EVENT_KIND_LABELS,
    EVENT_STATUS_LABELS,
    ORGANISER_ROLE_LABELS,
    STATUS_TRANSITIONS_LABELS,
    VISIBLE_STATUSES,
    Event,
    EventKind,
    EventOrganiser,
    EventStatus,
    OrganiserRole,
    Venue,
    local_today,
)
from .registrations import (
    ACTIVE_STATUSES,
    CATEGORY_LABELS,
    REGISTRATION_STATUS_LABELS,
    SEAT_HOLDING,
    AgendaSignup,
    ParticipantCategory,
    Registration,
    RegistrationStatus,
    SignupStatus,
)

__all__ = [
    "ACTIVE_STATUSES",
    "AGENDA_KIND_LABELS",
    "AgendaItem",
    "AgendaItemHost",
    "AgendaKind",
    "AgendaSignup",
    "CATEGORY_LABELS",
    "EVENT_KIND_LABELS",
    "EVENT_STATUS_LABELS",
    "Event",
    "EventKind",
    "EventOrganiser",
    "EventStatus",
    "ORGANISER_ROLE_LABELS",
    "OrganiserRole",
    "ParticipantCategory",
    "REGISTRATION_STATUS_LABELS",
    "Registration",
    "RegistrationStatus",
    "SEAT_HOLDING",
    "STATUS_TRANSITIONS_LABELS",
    "SignupStatus",
    "VISIBLE_STATUSES",
    "Venue",
    "local_today",
]
