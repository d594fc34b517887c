"""An event's agenda: its items (at a venue or an enterprise site, hosted by enterprises, linked to a
technopark or a joint project), their order, overlaps and days."""

import importlib
from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record, snapshot
from ...core.refusal import Refusal
from ...core.urls import is_web_address
from ...enterprises.models import Enterprise
from ...enterprises.services.identifiers import clean_inn
from ...enterprises.services.profiles import get_or_create_by_inn
from ...extensions import db
from ...projects.models import JointProject, ProjectStatus
from ...technoparks.models import Technopark
from ...tenancy.models import Tenant
from ..models import AgendaItem, AgendaItemHost, AgendaKind, Event, Venue
from .common import to_local, to_utc, touch
from .signups import promote_item_waitlist

# --- agenda -------------------------------------------------------------------------------------------

AGENDA_FIELDS = (
    "kind",
    "title_ru",
    "title_en",
    "description_ru",
    "description_en",
    "venue_id",
    "site_address_ru",
    "site_address_en",
    "speakers",
    "linked_title",
    "linked_url",
    "seat_limit",
    "technopark_id",
    "joint_project_id",
)


def save_agenda_item(event: Event, values: dict, actor=None, item: AgendaItem | None = None) -> AgendaItem:
    """Create or change an agenda item.

    ``values["starts_at"]``/``["ends_at"]`` are wall-clock times in the tenant's zone (stored as UTC) and
    must fall within the event's dates. The place is a venue of this event or an enterprise site
    (``site_inn`` finds or creates the profile) with its address. ``host_inns``: the hosting enterprises.
    """
    tenant = event.tenant
    clean = {key: values.get(key) for key in AGENDA_FIELDS}
    for key in ("title_ru", "title_en", "description_ru", "description_en", "site_address_ru"):
        clean[key] = (clean.get(key) or "").strip() or None
    for key in ("site_address_en", "speakers", "linked_title", "linked_url"):
        clean[key] = (clean.get(key) or "").strip() or None
    if not clean["title_ru"]:
        raise Refusal(_("Give the title in Russian."), "title_ru")
    if clean["kind"] not in set(AgendaKind):
        raise Refusal(_("Choose the type of the item."), "kind")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        raise Refusal(_("Give the start and end time."), "starts_at")
    if ends <= starts:
        raise Refusal(_("The item must end after it starts."), "ends_at")
    if not (event.start_date <= starts.date() <= event.end_date and ends.date() <= event.end_date):
        raise Refusal(_("The item must take place within the dates of the session."), "starts_at")
    if clean["seat_limit"] is not None and clean["seat_limit"] < 0:
        raise Refusal(_("The number cannot be negative."), "seat_limit")
    if clean["linked_url"] and not is_web_address(clean["linked_url"]):
        raise Refusal(_("The link must start with http:// or https://."), "linked_url")
    for key, model_path, message in (
        ("technopark_id", "technoparks.models:Technopark", _("Choose one of the center's technoparks.")),
        ("joint_project_id", "projects.models:JointProject", _("Choose one of the center's joint projects.")),
    ):
        if not clean.get(key):
            clean[key] = None
            continue
        module_name, class_name = model_path.split(":")
        model = getattr(importlib.import_module(f"clusterhub.{module_name}"), class_name)
        if db.session.scalar(sa.select(model.id).where(model.id == clean[key])) is None:
            raise Refusal(message, key)
    if clean["venue_id"]:
        venue = db.session.get(Venue, clean["venue_id"])
        if venue is None or venue.event_id != event.id:
            raise Refusal(_("Choose a venue of this session."), "venue_id")
    else:
        clean["venue_id"] = None
    site_enterprise_id = None
    if (values.get("site_inn") or "").strip():
        site_enterprise_id = _enterprise_by_inn(
            values["site_inn"], values.get("site_name"), "site_inn", actor
        )
    if clean["venue_id"] is None and site_enterprise_id is None and not clean["site_address_ru"]:
        raise Refusal(_("Choose a venue or give the address of the site."), "venue_id")
    host_ids = []
    for inn in values.get("host_inns") or []:
        if inn.strip():
            host_ids.append(_enterprise_by_inn(inn, None, "host_inns", actor))
    creating = item is None
    if creating:
        position = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(AgendaItem.position), 0)).where(
                AgendaItem.event_id == event.id
            )
        )
        item = AgendaItem(event_id=event.id, position=position + 1)
        db.session.add(item)
    before = None if creating else snapshot(item, ("title_ru", "starts_at", "ends_at", "seat_limit"))
    for key, value in clean.items():
        setattr(item, key, value)
    item.site_enterprise_id = site_enterprise_id
    item.starts_at, item.ends_at = to_utc(starts, tenant), to_utc(ends, tenant)
    wanted = set(dict.fromkeys(host_ids))
    for link in list(item.host_links):
        if link.enterprise_id not in wanted:
            item.host_links.remove(link)
    present = {link.enterprise_id for link in item.host_links}
    for enterprise_id in host_ids:
        if enterprise_id not in present:
            item.host_links.append(AgendaItemHost(enterprise_id=enterprise_id))
            present.add(enterprise_id)
    touch(event)
    db.session.flush()
    record(
        "event.agenda_item_created" if creating else "event.agenda_item_updated",
        item,
        actor=actor,
        before=before,
        after=snapshot(item, ("title_ru", "starts_at", "ends_at", "seat_limit")),
    )
    if not creating and item.seat_limit != (before or {}).get("seat_limit"):
        promote_item_waitlist(item)
    return item


def _enterprise_by_inn(inn: str, name: str | None, field: str, actor) -> int:
    try:
        inn = clean_inn(inn)
        existing = db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == inn))
        if existing is not None:
            return existing.id
        if not (name or "").strip():
            raise Refusal(
                _("No enterprise profile has the ИНН %(inn)s yet: give its name to create one.", inn=inn),
                field,
            )
        enterprise, _created = get_or_create_by_inn(inn, name, actor=actor)
        return enterprise.id
    except Refusal as error:
        raise Refusal(str(error), field) from error


def delete_agenda_item(item: AgendaItem, actor=None) -> None:
    """Remove an item; people signed up for it are told nothing (the staff decide what to announce)."""
    record("event.agenda_item_deleted", item, actor=actor, before={"title_ru": item.title_ru})
    touch(item.event)
    db.session.delete(item)
    db.session.flush()


def move_agenda_item(item: AgendaItem, direction: int, actor=None) -> None:
    """Swap the item with its neighbour (``direction`` -1: up, +1: down) in the agenda order."""
    items = list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.event_id == item.event_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    index = items.index(item)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    touch(item.event)
    db.session.flush()
    record("event.agenda_reordered", item, actor=actor, after={"position": item.position})


def sort_agenda_by_time(event: Event, actor=None) -> None:
    items = sorted(event.agenda_items, key=lambda i: (i.starts_at, i.position, i.id))
    for position, item in enumerate(items, start=1):
        item.position = position
    touch(event)
    db.session.flush()
    record("event.agenda_sorted", event, actor=actor)


def _place_key(item: AgendaItem):
    if item.venue_id:
        return ("venue", item.venue_id)
    if item.site_enterprise_id:
        return ("site", item.site_enterprise_id)
    return ("address", (item.site_address_ru or "").strip().lower())


def overlapping_item_ids(items) -> set[int]:
    """Ids of items that overlap in time with another item at the same place."""
    by_place = defaultdict(list)
    for item in items:
        by_place[_place_key(item)].append(item)
    flagged = set()
    for group in by_place.values():
        group.sort(key=lambda i: i.starts_at)
        for index, item in enumerate(group):
            for other in group[index + 1 :]:
                if other.starts_at >= item.ends_at:
                    break
                flagged.update((item.id, other.id))
    return flagged


def agenda_by_day(items, tenant: Tenant) -> list[tuple[date, list]]:
    """Items grouped by their local day in the tenant's time zone, days in order, items in agenda order."""
    days = defaultdict(list)
    for item in items:
        days[to_local(item.starts_at, tenant).date()].append(item)
    return [(day, days[day]) for day in sorted(days)]


def linkable_technoparks() -> list[tuple[int, str]]:

    return list(
        db.session.execute(sa.select(Technopark.id, Technopark.name_ru).order_by(Technopark.name_ru)).tuples()
    )


def linkable_projects() -> list[tuple[int, str]]:

    return list(
        db.session.execute(
            sa.select(JointProject.id, JointProject.title_ru)
            .where(JointProject.status != ProjectStatus.DRAFT)
            .order_by(JointProject.title_ru)
        ).tuples()
    )
