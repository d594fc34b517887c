"""iCalendar feeds (RFC 5545), written by hand: CRLF line ends, lines folded at 75 octets, TEXT values
escaped, times in UTC. Feeds: one event, a center's published events, and a person's own agenda (by a
signed URL, since a calendar application cannot log in)."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ...extensions import db
from ...tenancy.models import utcnow
from ..models import (
    AgendaItem,
    AgendaSignup,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from .links import absolute_url

PRODID = "-//ClusterHub//Sessions//RU"


def escape(text: str | None) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    text = (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with a space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def _date(value) -> str:
    return value.strftime("%Y%m%d")


def _vevent(
    uid, summary, start, end, *, description=None, location=None, url=None, all_day=False, status=None
):
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{_utc(utcnow())}"]
    if all_day:
        lines += [f"DTSTART;VALUE=DATE:{_date(start)}", f"DTEND;VALUE=DATE:{_date(end + timedelta(days=1))}"]
    else:
        lines += [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(end)}"]
    lines.append(f"SUMMARY:{escape(summary)}")
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if url:
        lines.append(f"URL:{url}")
    if status:
        lines.append(f"STATUS:{status}")
    lines.append("END:VEVENT")
    return lines


def _calendar(name: str, events: list[list[str]]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event_lines in events:
        lines += event_lines
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _host() -> str:
    return current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0] or "clusterhub"


def _event_url(event: Event, tenant) -> str:
    return absolute_url("events.event_page", tenant=tenant.slug, event_id=event.id)


def _item_vevent(item: AgendaItem, event: Event, tenant) -> list[str]:
    location = ", ".join(p for p in (item.place_label, item.place_address) if p)
    return _vevent(
        f"item-{item.id}@{tenant.slug}.{_host()}",
        f"{item.title_ru} — {event.title_ru}",
        item.starts_at,
        item.ends_at,
        description=item.description_ru,
        location=location,
        url=_event_url(event, tenant),
    )


def _event_vevent(event: Event, tenant) -> list[str]:
    return _vevent(
        f"event-{event.id}@{tenant.slug}.{_host()}",
        event.title_ru,
        event.start_date,
        event.end_date,
        description=event.description_ru,
        location=event.city_ru,
        url=_event_url(event, tenant),
        all_day=True,
        status="CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED",
    )


def event_calendar(event: Event, tenant) -> str:
    """The event as a whole-day entry plus every agenda item at its UTC time."""
    entries = [_event_vevent(event, tenant)] + [_item_vevent(i, event, tenant) for i in event.agenda_items]
    return _calendar(event.title_ru, entries)


def tenant_calendar(events, tenant) -> str:
    return _calendar(tenant.name_ru, [_event_vevent(e, tenant) for e in events])


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="clusterhub.events.calendar")


def person_token(tenant_id: int, email: str) -> str:
    return _serializer().dumps({"t": tenant_id, "e": email})


def email_from_token(token: str, tenant_id: int) -> str | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return data.get("e") if data.get("t") == tenant_id else None


def person_calendar(email: str, tenant) -> str:
    """A person's agenda in this center: the items they signed up for, or whole events with no sign-up."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.email == email,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING)),
        )
        .options(sa.orm.selectinload(Registration.event))
    ).all()
    signups = db.session.scalars(
        sa.select(AgendaSignup)
        .where(
            AgendaSignup.registration_id.in_([r.id for r in registrations]),
            AgendaSignup.status == SignupStatus.CONFIRMED,
        )
        .options(sa.orm.selectinload(AgendaSignup.agenda_item))
    ).all()
    by_registration = {}
    for signup in signups:
        by_registration.setdefault(signup.registration_id, []).append(signup.agenda_item)
    entries = []
    for registration in registrations:
        event = registration.event
        if event.status == EventStatus.CANCELLED:
            continue
        items = by_registration.get(registration.id)
        if items:
            entries += [_item_vevent(i, event, tenant) for i in sorted(items, key=lambda i: i.starts_at)]
        else:
            entries.append(_event_vevent(event, tenant))
    return _calendar(f"{tenant.name_ru}: {email}", entries)
