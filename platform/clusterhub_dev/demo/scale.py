"""``flask demo scale``: a synthetic country-wide dataset for the reporting layer and its benchmark.

85 centers (one per region, the shipped ones included), 20,000 enterprises with yearly figures, 1,000
clusters with 25,000 memberships, 850 technoparks with 17,000 services and 40,000 requests, and — from
the modules that provide a ``scale`` hook — sessions with registrations and projects with scores.
Rows are bulk-inserted per tenant inside that tenant's scope (Row-Level Security applies to the loader
too), with a deterministic random generator so two runs build the same data.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import click
import sqlalchemy as sa

from clusterhub.accounts.models import Membership, User
from clusterhub.clusters.models import Cluster, ClusterMember
from clusterhub.defenses.models import (
    Assignment,
    DefenseCriterion,
    DefenseRound,
    DefenseSlot,
    PanelMember,
    Score,
)
from clusterhub.enterprises.models import Enterprise, EnterpriseFigure
from clusterhub.events.models import Event, Registration
from clusterhub.extensions import db
from clusterhub.projects.models import CostItem, JointProject, SelectionRound
from clusterhub.regions.models import Region
from clusterhub.technoparks.models import ServiceOffer, ServiceRequest, Technopark
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

FIRST = [
    "Север",
    "Урал",
    "Волга",
    "Сибирь",
    "Балтика",
    "Кама",
    "Ока",
    "Дон",
    "Енисей",
    "Байкал",
    "Амур",
    "Печора",
    "Вычегда",
    "Сура",
    "Мокша",
    "Янтарь",
    "Алтай",
    "Саяны",
    "Тайга",
    "Полюс",
]
SECOND = [
    "Пром",
    "Маш",
    "Лес",
    "Хим",
    "Металл",
    "Энерго",
    "Агро",
    "Строй",
    "Техно",
    "Трейд",
    "Композит",
    "Пласт",
    "Электро",
    "Приборы",
    "Стекло",
    "Фарм",
    "Текстиль",
    "Авто",
    "Кабель",
    "Литьё",
]
FORMS = ["ООО", "ООО", "ООО", "АО", "ПАО"]
OKVED = [
    "16.10",
    "16.21",
    "17.12",
    "20.16",
    "22.29",
    "24.10",
    "25.11",
    "25.62",
    "27.11",
    "28.22",
    "29.32",
    "10.11",
    "13.92",
    "23.61",
    "26.51",
    "62.01",
    "71.12",
    "46.69",
    "35.11",
    "38.32",
]
SIZES = ["micro"] * 4 + ["small"] * 4 + ["medium"] * 2 + ["large"]
SPECIALISATIONS = [
    ("Лесопромышленный", "16.10"),
    ("Машиностроительный", "28.22"),
    ("Химический", "20.16"),
    ("Металлургический", "24.10"),
    ("Автомобильный", "29.32"),
    ("Электротехнический", "27.11"),
    ("Фармацевтический", "21.20"),
    ("Композитный", "22.29"),
    ("Приборостроительный", "26.51"),
    ("Пищевой", "10.11"),
]


@dataclass
class Sizes:
    tenants: int = 85
    enterprises: int = 20_000
    clusters: int = 1_000
    memberships: int = 25_000
    technoparks: int = 850
    services: int = 17_000
    requests: int = 40_000
    events: int = 3_400
    registrations: int = 300_000
    projects: int = 5_000
    scores: int = 30_000
    offers: int = 10_000  # cooperation offers and requests (global, like the enterprises)

    def scaled(self, factor: float) -> "Sizes":
        return Sizes(
            **{
                k: max(1, int(v * factor)) if k != "tenants" else min(85, max(4, int(v * factor) or 4))
                for k, v in self.__dict__.items()
            }
        )


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` spread over ``parts`` unevenly (bigger and smaller centers), summing exactly."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def inn_for(n: int) -> str:
    """A checksum-valid 10-digit ИНН, unique for ``n``."""
    digits = [int(c) for c in f"{90 + n // 10_000_000:02d}{n % 10_000_000:07d}"[:9]]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


def insert(model, rows: list[dict], returning: bool = False, chunk: int = 5_000):
    """Bulk insert; with ``returning`` the new ids in the order of ``rows``."""
    ids = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        if returning:
            ids += list(
                db.session.scalars(sa.insert(model).returning(model.id, sort_by_parameter_order=True), part)
            )
        else:
            db.session.execute(sa.insert(model), part)
    return ids


def ensure_tenants(count: int, rng: random.Random) -> list[Tenant]:
    """The existing centers plus generated ones, one per region, up to ``count``."""
    tenants = list(db.session.scalars(sa.select(Tenant).order_by(Tenant.id)))
    used = {t.region_id for t in tenants}
    for region in db.session.scalars(sa.select(Region).order_by(Region.tax_code)):
        if len(tenants) >= count:
            break
        if region.id in used:
            continue
        tenant = Tenant(
            slug=f"region-{region.tax_code}",
            name_ru=f"ЦКР: {region.name_ru}",
            name_en=f"CDC: {region.name_en}",
            region_id=region.id,
            timezone=region.timezone,
            default_locale="ru",
            email=f"ckr{region.tax_code}@example.com",
        )
        db.session.add(tenant)
        tenants.append(tenant)
    db.session.flush()
    return tenants[:count]


def make_enterprises(count: int, tenants: list[Tenant], rng: random.Random) -> list[tuple[int, int]]:
    """Enterprises (global) spread over the tenants' regions; returns (id, region id) pairs."""

    start = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise)) or 0
    region_ids = [t.region_id for t in tenants]
    rows = []
    for n in range(count):
        first, second = rng.choice(FIRST), rng.choice(SECOND)
        short = f"{first}{second.lower()}-{start + n}"
        rows.append(
            {
                "inn": inn_for(start + n),
                "full_name": f"{rng.choice(FORMS)} «{short}»",
                "short_name": short,
                "region_id": rng.choice(region_ids),
                "okved_main": rng.choice(OKVED),
                "size_category": rng.choice(SIZES),
            }
        )
    ids = insert(Enterprise, rows, returning=True)
    figures = []
    for enterprise_id, row in zip(ids, rows, strict=True):
        base = {"micro": 8, "small": 45, "medium": 160, "large": 900}[row["size_category"]]
        for year in (2024, 2025, 2026):
            headcount = max(1, int(base * rng.uniform(0.7, 1.3)))
            figures.append(
                {
                    "enterprise_id": enterprise_id,
                    "year": year,
                    "headcount": headcount,
                    "revenue": Decimal(headcount * rng.randint(1_500, 6_000)) * 1000,
                }
            )
    insert(EnterpriseFigure, figures)
    return [(enterprise_id, row["region_id"]) for enterprise_id, row in zip(ids, rows, strict=True)]


def make_clusters(tenant: Tenant, clusters: int, memberships: int, enterprises, rng):

    rows = []
    for n in range(clusters):
        name, okved = rng.choice(SPECIALISATIONS)
        registered = rng.random() < 0.35
        order_date = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1800))
        rows.append(
            {
                "tenant_id": tenant.id,
                "name": f"{name} кластер «{rng.choice(FIRST)}» №{n + 1}",
                "cluster_type": "industrial" if rng.random() < 0.7 else "territorial",
                "industry": name,
                "okved_codes": okved,
                "region_ids": [tenant.region_id],
                "register_status": "registered" if registered else rng.choice(["not_registered", "applied"]),
                "register_order_number": f"{rng.randint(100, 9999)}" if registered else None,
                "register_order_date": order_date if registered else None,
                "register_valid_until": order_date + timedelta(days=5 * 365) if registered else None,
            }
        )
    cluster_ids = insert(Cluster, rows, returning=True)
    members = []
    for cluster_id, count in zip(cluster_ids, split(memberships, len(cluster_ids), rng), strict=True):
        for enterprise_id in rng.sample(enterprises, min(count, len(enterprises))):
            members.append(
                {
                    "tenant_id": tenant.id,
                    "cluster_id": cluster_id,
                    "enterprise_id": enterprise_id,
                    "role": rng.choice(["participant"] * 6 + ["supplier"] * 3 + ["anchor"]),
                    "joined_on": date(2021, 1, 1) + timedelta(days=rng.randint(0, 1900)),
                }
            )
    insert(ClusterMember, members)


def make_technoparks(tenant: Tenant, technoparks: int, services: int, requests: int, enterprises, rng):

    park_ids = insert(
        Technopark,
        [
            {
                "tenant_id": tenant.id,
                "name_ru": f"Технопарк «{rng.choice(FIRST)}{rng.choice(SECOND).lower()}»",
                "kind": rng.choice(["industrial", "industrial", "high_tech", "private"]),
                "region_id": tenant.region_id,
                "total_area": Decimal(rng.randint(2_000, 60_000)),
            }
            for _ in range(technoparks)
        ],
        returning=True,
    )
    categories = [
        "space_rental",
        "equipment_time",
        "prototyping",
        "testing",
        "engineering",
        "training",
        "consulting",
        "state_support",
    ]
    offers = []
    for park_id, count in zip(park_ids, split(services, len(park_ids), rng), strict=True):
        for i in range(count):
            price = Decimal(rng.randint(5, 500) * 100)
            name = (
                f"{rng.choice(['Испытания', 'Прототипирование', 'Аренда', 'Обучение', 'Консультация'])} №{i}"
            )
            offers.append(
                {
                    "tenant_id": tenant.id,
                    "technopark_id": park_id,
                    "name_ru": name,
                    "category": rng.choice(categories),
                    "unit": rng.choice(["hour", "piece", "day"]),
                    "price": price,
                    "gross_price": price * Decimal("1.2"),
                    "vat": "plus_20",
                    "status": "published" if rng.random() < 0.85 else "draft",
                    "search_text": name.lower(),
                }
            )
    offer_ids = insert(ServiceOffer, offers, returning=True)
    statuses = ["completed"] * 5 + ["accepted"] * 2 + ["submitted", "rejected", "cancelled"]
    rows = []
    for _ in range(requests):
        status = rng.choice(statuses)
        created = datetime(2024, 1, 1) + timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        rows.append(
            {
                "tenant_id": tenant.id,
                "service_id": rng.choice(offer_ids),
                "enterprise_id": rng.choice(enterprises),
                "quantity": Decimal(rng.randint(1, 20)),
                "status": status,
                "created_at": created,
                "updated_at": created,
                "quote": Decimal(rng.randint(10, 900) * 100) if status in ("completed", "accepted") else None,
            }
        )
    insert(ServiceRequest, rows)


CATEGORIES = ["enterprise"] * 6 + [
    "executive_authority",
    "cluster_center",
    "specialised_organisation",
    "expert",
    "media",
    "other",
]
EVENT_KINDS = [
    "practical_session",
    "practical_session",
    "conference",
    "preliminary_defense",
    "site_visit",
    "webinar",
]


def make_events(tenant: Tenant, share: dict, enterprises, rng, region_ids):
    """Sessions from 2024 to 2026 and their registrations; past sessions are finished, with check-ins."""

    today = date.today()
    rows = []
    for _ in range(max(1, share["events"])):
        start = date(2024, 1, 10) + timedelta(days=rng.randint(0, 3 * 365))
        planned = rng.choice([40, 60, 90, 120, 200])
        rows.append(
            {
                "tenant_id": tenant.id,
                "title_ru": f"{rng.choice(['Практическая сессия', 'Конференция', 'Семинар', 'Стратегическая сессия'])} «{rng.choice(FIRST)}»",
                "kind": rng.choice(EVENT_KINDS),
                "city_ru": "Город",
                "region_id": tenant.region_id,
                "start_date": start,
                "end_date": start + timedelta(days=rng.choice([0, 1, 1, 2])),
                "status": "finished" if start < today else "published",
                "planned_participants": planned,
                "planned_enterprises": planned // 2,
                "planned_regions": rng.randint(5, 60),
            }
        )
    event_ids = insert(Event, rows, returning=True)
    past = {event_id for event_id, row in zip(event_ids, rows, strict=True) if row["start_date"] < today}
    registrations, code = [], 0
    now = datetime(2026, 1, 1)
    for event_id, count in zip(event_ids, split(share["registrations"], len(event_ids), rng), strict=True):
        for _ in range(count):
            code += 1
            status = rng.choice(["confirmed"] * 8 + ["pending", "cancelled"])
            enterprise_id = rng.choice(enterprises) if rng.random() < 0.7 else None
            registrations.append(
                {
                    "tenant_id": tenant.id,
                    "event_id": event_id,
                    "status": status,
                    "full_name": f"Участник {code}",
                    "email": f"p{code}.t{tenant.id}@example.com",
                    "category": rng.choice(CATEGORIES),
                    "region_id": tenant.region_id if rng.random() < 0.5 else rng.choice(region_ids),
                    "organisation": "Организация",
                    "enterprise_id": enterprise_id,
                    "consent_version": "2026-01",
                    "consent_at": now,
                    "code": f"S{code:09d}",
                    "checked_in_at": now
                    if event_id in past and status == "confirmed" and rng.random() < 0.8
                    else None,
                }
            )
    insert(Registration, registrations)


def make_projects(tenant: Tenant, share: dict, enterprises, rng, experts):
    """Joint projects at every stage, their cost estimates, and defense rounds scored by ``experts``."""

    selection = db.session.scalars(sa.select(SelectionRound).order_by(SelectionRound.year.desc())).first()
    statuses = ["draft", "submitted", "admitted", "defended", "defended", "filed", "granted", "refused"]
    outcomes = ["recommended", "recommended", "recommended_with_revisions", "not_recommended"]
    rows = []
    for n in range(max(1, share["projects"])):
        status = rng.choice(statuses)
        created = datetime(2024, 1, 1) + timedelta(days=rng.randint(0, 3 * 365 - 1))
        rows.append(
            {
                "tenant_id": tenant.id,
                "selection_round_id": selection.id,
                "title_ru": f"Освоение производства «{rng.choice(SECOND)}» №{n + 1}",
                "lead_enterprise_id": rng.choice(enterprises),
                "status": status,
                "created_at": created,
                "requested_subsidy": rng.randint(10, 150) * 1_000_000 * 100,
                "co_financing": rng.randint(10, 150) * 1_000_000 * 100,
                "defense_outcome": rng.choice(outcomes)
                if status in ("defended", "filed", "granted", "refused")
                else None,
            }
        )
    project_ids = insert(JointProject, rows, returning=True)
    insert(
        CostItem,
        [
            {
                "tenant_id": tenant.id,
                "joint_project_id": pid,
                "category": category,
                "description": "Статья сметы",
                "amount": rng.randint(5, 120) * 1_000_000 * 100,
            }
            for pid in project_ids
            for category in ("equipment", "starter_batch", "tooling")
        ],
    )
    defended = [pid for pid, row in zip(project_ids, rows, strict=True) if row["defense_outcome"]]
    if not defended or not experts:
        return
    round_id = insert(
        DefenseRound,
        [
            {
                "tenant_id": tenant.id,
                "selection_round_id": selection.id,
                "number": 1,
                "title": "Предварительная защита",
                "status": "closed",
                "created_at": datetime(2025, 6, 1),
            }
        ],
        returning=True,
    )[0]
    criterion_ids = insert(
        DefenseCriterion,
        [
            {
                "tenant_id": tenant.id,
                "defense_round_id": round_id,
                "code": f"c{i}",
                "name_ru": f"Критерий {i}",
                "name_en": f"Criterion {i}",
                "weight": Decimal("1"),
                "min_score": 0,
                "max_score": 10,
                "position": i,
            }
            for i in range(6)
        ],
        returning=True,
    )
    member_ids = insert(
        PanelMember,
        [
            {"tenant_id": tenant.id, "defense_round_id": round_id, "user_id": user_id, "role": "expert"}
            for user_id in experts
        ],
        returning=True,
    )
    slot_ids = insert(
        DefenseSlot,
        [
            {
                "tenant_id": tenant.id,
                "defense_round_id": round_id,
                "joint_project_id": pid,
                "code": f"P{i + 1}",
            }
            for i, pid in enumerate(defended)
        ],
        returning=True,
    )
    insert(
        Assignment,
        [
            {"tenant_id": tenant.id, "defense_slot_id": slot, "panel_member_id": member}
            for slot in slot_ids
            for member in member_ids
        ],
    )
    scores, wanted = [], share["scores"]
    for slot in slot_ids:
        for member in member_ids:
            for criterion in criterion_ids:
                if len(scores) >= wanted:
                    break
                scores.append(
                    {
                        "tenant_id": tenant.id,
                        "defense_slot_id": slot,
                        "panel_member_id": member,
                        "defense_criterion_id": criterion,
                        "value": Decimal(rng.randint(3, 10)),
                    }
                )
    insert(Score, scores)


def make_experts(tenants: list[Tenant], per_tenant: int = 7) -> dict[int, list[int]]:
    """Expert accounts (no password: they exist for the figures) with the expert role in each center."""

    experts = {}
    for tenant in tenants:
        ids = insert(
            User,
            [
                {
                    "email": f"expert{n}.{tenant.slug}@scale.example.com",
                    "full_name": f"Эксперт {n}",
                    "session_token": f"scale-{tenant.id}-{n}",
                }
                for n in range(per_tenant)
            ],
            returning=True,
        )
        with tenant_scope(db.session, tenant.id):
            insert(
                Membership,
                [{"tenant_id": tenant.id, "user_id": user_id, "role": "expert"} for user_id in ids],
            )
        experts[tenant.id] = ids
    return experts


# Further steps per tenant: function(tenant, share, enterprises, rng).
TENANT_STEPS: list = []


def build(sizes: Sizes, seed: int = 2026, progress=None) -> dict:
    rng = random.Random(seed)
    tenants = ensure_tenants(sizes.tenants, rng)
    db.session.commit()
    enterprises = make_enterprises(sizes.enterprises, tenants, rng)
    db.session.commit()
    from .cooperation_offers_scale import make_offers

    # its own random sequence, so the rest of the dataset stays what it was before offers existed
    make_offers(sizes.offers, [e for e, _r in enterprises], random.Random(seed + 27))
    db.session.commit()
    by_region: dict[int, list[int]] = {}
    for enterprise_id, region_id in enterprises:
        by_region.setdefault(region_id, []).append(enterprise_id)
    every = [e for e, _r in enterprises]
    n = len(tenants)
    region_ids = list(db.session.scalars(sa.select(Region.id)))
    from clusterhub.projects.services.selection_rounds import seed_selection_rounds

    seed_selection_rounds()
    experts = make_experts(tenants)
    db.session.commit()
    plan = {
        key: split(getattr(sizes, key), n, rng)
        for key in (
            "clusters",
            "memberships",
            "technoparks",
            "services",
            "requests",
            "events",
            "registrations",
            "projects",
            "scores",
        )
    }
    for i, tenant in enumerate(tenants):
        local = by_region.get(tenant.region_id) or every
        # members and customers: mostly from the region, some from elsewhere
        pool = list(dict.fromkeys(local + rng.sample(every, min(len(every), max(50, len(local) // 3)))))
        with tenant_scope(db.session, tenant.id):
            make_clusters(tenant, max(1, plan["clusters"][i]), plan["memberships"][i], pool, rng)
            make_technoparks(
                tenant, max(1, plan["technoparks"][i]), plan["services"][i], plan["requests"][i], pool, rng
            )
            share = {key: values[i] for key, values in plan.items()}
            make_events(tenant, share, pool, rng, region_ids)
            make_projects(tenant, share, pool, rng, experts[tenant.id])
            for step in TENANT_STEPS:
                step(tenant, share, pool, rng)
        db.session.commit()
        if progress:
            progress(tenant)
    return {"tenants": n, "enterprises": len(enterprises)}


def register(cli_group) -> None:
    @cli_group.command("scale")
    @click.option(
        "--factor",
        default=1.0,
        show_default=True,
        help="Scale every figure (0.01 gives a quick small dataset).",
    )
    @click.option("--seed", default=2026, show_default=True)
    def scale(factor, seed):
        """Build the synthetic country-wide dataset (85 centers, 300,000 registrations, ...)."""
        import time

        if db.session.scalar(sa.select(Tenant.id).where(Tenant.slug.like("region-%")).limit(1)):
            raise click.ClickException(
                "the scale dataset is already in this database (centers region-NN exist)"
            )
        sizes = Sizes().scaled(factor) if factor != 1.0 else Sizes()
        click.echo(f"Building: {sizes}")
        started = time.perf_counter()
        with click.progressbar(length=sizes.tenants, label="Centers") as bar:
            result = build(sizes, seed, progress=lambda tenant: bar.update(1))
        click.echo(f"Done in {time.perf_counter() - started:.0f} s: {result}")
