"""Data for `make bench`: an event with 30 agenda items and 500 registrations, built quickly (bulk rows,
no mail, no audit: this is load-test data, not a user action)."""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from clusterhub.events.models import (
    AgendaItem,
    AgendaKind,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.tenancy.models import Tenant, utcnow
from clusterhub.tenancy.scoping import tenant_scope

CATEGORIES = ("enterprise", "executive_authority", "cluster_center", "expert", "media", "other")


def build(tenant: Tenant, items: int = 30, registrations: int = 500) -> Event:
    """Create the bench event in ``tenant`` and commit; returns it."""
    regions = db.session.scalars(sa.select(Region.id)).all()
    start = utcnow().date() + timedelta(days=10)
    with tenant_scope(db.session, tenant.id):
        event = Event(
            title_ru="Нагрузочная сессия",
            title_en="Benchmark session",
            kind=EventKind.CONFERENCE,
            city_ru="Сыктывкар",
            region_id=tenant.region_id,
            start_date=start,
            end_date=start + timedelta(days=2),
            status=EventStatus.PUBLISHED,
            capacity=registrations * 2,
        )
        db.session.add(event)
        db.session.flush()
        base = datetime(start.year, start.month, start.day, 6, 0)
        db.session.add_all(
            AgendaItem(
                event_id=event.id,
                position=n,
                kind=AgendaKind.PRESENTATION,
                title_ru=f"Доклад {n}",
                starts_at=base + timedelta(hours=n * 1.5),
                ends_at=base + timedelta(hours=n * 1.5 + 1),
                site_address_ru=f"Зал {n % 3 + 1}",
            )
            for n in range(items)
        )
        now = utcnow()
        db.session.execute(
            sa.insert(Registration),
            [
                {
                    "tenant_id": tenant.id,
                    "event_id": event.id,
                    "status": RegistrationStatus.CONFIRMED,
                    "full_name": f"Участник {n}",
                    "email": f"bench{n}@example.test",
                    "locale": "ru",
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "region_id": regions[n % len(regions)],
                    "organisation": f"Организация {n % 90}",
                    "consent_version": event.consent_version,
                    "consent_at": now,
                    "code": secrets.token_hex(5).upper(),
                    "created_at": now,
                    "confirmed_at": now,
                }
                for n in range(registrations)
            ],
        )
        db.session.commit()
        db.session.refresh(event)  # loaded in its scope (RLS hides it outside)
    return event


def scenario(app) -> list[tuple[str, str]]:
    """For ``bench.scenarios.SCENARIOS``: the komi public event page with 30 items and 500 registrations."""
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "komi"))
    event = build(tenant)
    return [("/komi/events/<id> (30 agenda items, 500 registrations)", f"/komi/events/{event.id}")]
