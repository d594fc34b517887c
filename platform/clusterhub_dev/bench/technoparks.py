"""Bulk data for the search benchmark: ``create(tenants=85, services=200, equipment=50)``.

Each tenant gets one technopark; services and equipment are bulk-inserted (``insert().values`` of many
rows at once) inside the tenant's scope, so RLS accepts them and it takes seconds, not minutes.
Tenants are created as ``bench-NN`` in the existing regions (round robin).
"""

import random
import time
from decimal import Decimal

import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.technoparks.models import (
    Equipment,
    ServiceCategory,
    ServiceOffer,
    ServiceUnit,
    Technopark,
    VatTreatment,
    gross_price,
)
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

WORDS = [
    "испытания",
    "фрезеровка",
    "аренда",
    "обучение",
    "консультации",
    "прототипирование",
    "сертификация",
    "сварка",
    "литьё",
    "окраска",
    "метрология",
    "проектирование",
    "3D-печать",
    "лазерная резка",
]


def create(tenants: int = 85, services: int = 200, equipment: int = 50, seed: int = 1) -> dict:
    rng = random.Random(seed)
    started = time.perf_counter()
    regions = db.session.scalars(sa.select(Region).order_by(Region.id)).all()
    for n in range(tenants):
        slug = f"bench-{n:02d}"
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            region = regions[n % len(regions)]
            tenant = Tenant(
                slug=slug,
                name_ru=f"ЦКР {n}",
                name_en=f"CDC {n}",
                region_id=region.id,
                timezone=region.timezone,
            )
            db.session.add(tenant)
            db.session.flush()
        with tenant_scope(db.session, tenant.id):
            technopark = Technopark(name_ru=f"Технопарк {n}", kind="industrial", region_id=tenant.region_id)
            db.session.add(technopark)
            db.session.flush()
            service_rows = []
            for i in range(services):
                name = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} №{i}"
                price = None if i % 10 == 0 else rng.randrange(500, 200000)
                vat = rng.choice(list(VatTreatment)).value
                service_rows.append(
                    {
                        "tenant_id": tenant.id,
                        "technopark_id": technopark.id,
                        "name_ru": name,
                        "category": rng.choice(list(ServiceCategory)).value,
                        "unit": rng.choice(list(ServiceUnit)).value,
                        "price": price,
                        "gross_price": gross_price(None if price is None else Decimal(price), vat),
                        "price_on_request": price is None,
                        "vat": vat,
                        "audience": "anyone",
                        "status": "published" if i % 5 else "draft",
                        "search_text": name.lower(),
                    }
                )
            db.session.execute(sa.insert(ServiceOffer), service_rows)
            equipment_rows = [
                {
                    "tenant_id": tenant.id,
                    "technopark_id": technopark.id,
                    "name_ru": f"Станок {rng.choice(WORDS)} {i}",
                    "category": "machining",
                    "quantity": 1,
                    "bookable": i % 2 == 0,
                    "search_text": f"станок {rng.choice(WORDS)} {i}",
                }
                for i in range(equipment)
            ]
            db.session.execute(sa.insert(Equipment), equipment_rows)
    db.session.commit()
    return {
        "tenants": tenants,
        "services": tenants * services,
        "equipment": tenants * equipment,
        "seconds": round(time.perf_counter() - started, 2),
    }


def run_searches(repeat: int = 20) -> dict:
    """Time typical platform-wide searches (with filters) on the data in the database."""
    from clusterhub.technoparks.services import search

    cases = {
        "all": search.SearchFilters(),
        "text": search.SearchFilters(q="испытания"),
        "text+district+price": search.SearchFilters(
            q="фрезеровка", district="NWFD", price_min=1000, price_max=50000, sort="price_asc"
        ),
        "category": search.SearchFilters(category="testing", sort="price_desc"),
    }
    timings = {}
    for name, filters in cases.items():
        started = time.perf_counter()
        for _ in range(repeat):
            search.search_services(filters)
            db.session.rollback()
        timings[name] = round((time.perf_counter() - started) / repeat * 1000, 1)
    return timings
