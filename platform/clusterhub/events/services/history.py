"""The enterprise's cross-region history: the public events its people take part in, in every center."""

from flask_babel import gettext as _

from ...core import signals
from ...enterprises.models import Enterprise
from ...enterprises.services.history import HistoryItem
from ...tenancy import cross_tenant
from .links import absolute_url

# --- the enterprise's cross-region history ----------------------------------------------------------------


def enterprise_history(enterprise: Enterprise, viewer=None) -> list[dict]:
    """The public events of every center in which people of ``enterprise`` took part (or are registered).

    Read across tenants by :func:`~clusterhub.tenancy.cross_tenant.enterprise_session_participation`
    (read-only, published events only); only aggregate counts per event are returned, never the names of
    people, so any viewer may see it.
    """
    rows = cross_tenant.enterprise_session_participation(enterprise.id)
    # The keys tenant/kind/title/date/status/url match the enterprise profile's history items, so a
    # provider for it is a one-line adapter.
    return [
        {
            "event": event,
            "tenant": tenant,
            "participants": count,
            "present": present,
            "kind": _("Session"),
            "title": event.title,
            "date": event.start_date,
            "status": _("Participants: %(count)s, present: %(present)s", count=count, present=present),
            "url": absolute_url("events.event_page", tenant=tenant.slug, event_id=event.id),
        }
        for event, tenant, count, present in rows
    ]


def registration_history(enterprise: Enterprise, viewer=None) -> list:
    """History provider for the enterprise profile: one item per session its people take part in."""

    return [
        HistoryItem(
            tenant=row["tenant"],
            kind=row["kind"],
            title=row["title"],
            date=row["date"],
            status=row["status"],
            url=row["url"],
        )
        for row in enterprise_history(enterprise, viewer)
    ]


def connect_signals() -> None:
    """Sessions in an enterprise's history (``signals.enterprise_history``)."""
    signals.enterprise_history.connect(registration_history)
