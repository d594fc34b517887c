"""Benchmark data and measurements for the enterprise directory and the cluster page.

``build_dataset()`` bulk-inserts 20,000 enterprises (a few seconds, no ORM objects, no audit entries)
and one cluster with 150 members and 300 supply links in a tenant; ``measure()`` requests the directory
search and the cluster page through the WSGI app and reports requests per second. ``make bench`` (wired by
the lead) runs both and records the figures in docs/performance.md.
"""

import random
import time

import sqlalchemy as sa

from clusterhub.clusters.models import Cluster, ClusterMember, SupplyLink
from clusterhub.enterprises.models import Enterprise
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.tenancy.models import Tenant, utcnow
from clusterhub.tenancy.scoping import tenant_scope

from ..demo.enterprises import inn_with_checksum, ogrn_with_checksum

FORMS = ("ООО", "АО", "ПАО", "ООО", "ООО")
WORDS = (
    "Лес",
    "Древ",
    "Бумага",
    "Фанера",
    "Север",
    "Коми",
    "Урал",
    "Волга",
    "Техно",
    "Пром",
    "Маш",
    "Строй",
    "Энерго",
    "Агро",
    "Хим",
    "Металл",
    "Транс",
    "Сервис",
    "Профиль",
    "Кедр",
    "Берёза",
    "Сосна",
    "Пихта",
)
OKVED = ("16.10", "16.21", "16.23", "17.12", "02.20", "25.11", "28.30", "33.12", "49.41", "46.73", "10.11")
BENCH_CLUSTER = "Benchmark cluster"


def _name(rng: random.Random, n: int) -> tuple[str, str]:
    core = rng.choice(WORDS) + rng.choice(WORDS).lower() + (rng.choice(("", "-Групп", " Плюс", "-Холдинг")))
    form = rng.choice(FORMS)
    return f"{form} «{core} {n}»", f"{core} {n}"


def build_dataset(
    enterprises: int = 20_000, members: int = 150, links: int = 300, tenant_slug: str = "komi", seed: int = 42
) -> dict:
    """Insert the benchmark data (once: a second call finds it) and return ids for :func:`measure`."""
    rng = random.Random(seed)
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == tenant_slug))
    if tenant is None:
        raise RuntimeError(f"tenant {tenant_slug} missing: run `flask tenants sync` first")

    region_ids = list(db.session.scalars(sa.select(Region.id)))
    existing = db.session.scalar(
        sa.select(sa.func.count()).select_from(Enterprise).where(Enterprise.inn.like("99%"))
    )
    started = time.perf_counter()
    batch = []
    now = utcnow()
    for n in range(existing, enterprises):
        full, short = _name(rng, n)
        inn = inn_with_checksum(f"99{n:07d}")
        ogrn = ogrn_with_checksum(f"1{rng.randint(2, 24):02d}99{n:07d}")
        batch.append(
            {
                "inn": inn,
                "ogrn": ogrn,
                "full_name": full,
                "short_name": short,
                "region_id": rng.choice(region_ids),
                "okved_main": rng.choice(OKVED),
                "okved_additional": f" {rng.choice(OKVED)} {rng.choice(OKVED)} ",
                "size_category": rng.choice(("micro", "small", "medium", "large")),
                "search_text": f"{full} {short} {inn} {ogrn}".casefold(),
                "created_at": now,
            }
        )
        if len(batch) == 2000:
            db.session.execute(sa.insert(Enterprise), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Enterprise), batch)
    db.session.commit()
    inserted = time.perf_counter() - started

    with tenant_scope(db.session, tenant.id):
        cluster_id = db.session.scalar(sa.select(Cluster.id).where(Cluster.name == BENCH_CLUSTER))
        if cluster_id is None:
            cluster = Cluster(name=BENCH_CLUSTER, cluster_type="industrial", region_ids=[tenant.region_id])
            db.session.add(cluster)
            db.session.flush()
            cluster_id = cluster.id
            ids = db.session.scalars(
                sa.select(Enterprise.id)
                .where(Enterprise.inn.like("99%"))
                .order_by(Enterprise.id)
                .limit(members)
            ).all()
            roles = ("anchor", "participant", "participant", "supplier", "research", "infrastructure")
            db.session.execute(
                sa.insert(ClusterMember),
                [
                    {
                        "tenant_id": tenant.id,
                        "cluster_id": cluster_id,
                        "enterprise_id": eid,
                        "role": roles[i % 6],
                    }
                    for i, eid in enumerate(ids)
                ],
            )
            member_ids = db.session.scalars(
                sa.select(ClusterMember.id).where(ClusterMember.cluster_id == cluster_id)
            ).all()
            pairs = set()
            while len(pairs) < min(links, len(member_ids) * (len(member_ids) - 1)):
                a, b = rng.sample(member_ids, 2)
                pairs.add((a, b))
            db.session.execute(
                sa.insert(SupplyLink),
                [
                    {
                        "tenant_id": tenant.id,
                        "cluster_id": cluster_id,
                        "supplier_id": a,
                        "customer_id": b,
                        "product": f"Изделие {i}",
                        "okpd2": "16.10.10",
                        "created_at": now,
                    }
                    for i, (a, b) in enumerate(sorted(pairs))
                ],
            )
        db.session.commit()
    return {"tenant": tenant_slug, "cluster_id": cluster_id, "insert_seconds": round(inserted, 2)}


def measure(
    app, dataset: dict, seconds: float = 5.0, login_email: str | None = None, password: str | None = None
) -> dict:
    """Requests per second for the directory search and the cluster page (the latter needs ``login_email`` of a
    center staff member or platform admin), each for about ``seconds``. Returns the figures and the URLs measured."""
    client = app.test_client()
    if login_email:
        # Log in through the session cookie (the login form is CSRF-protected outside tests).
        from clusterhub.accounts.services.users import find_user_by_email

        with app.app_context():
            user = find_user_by_email(login_email)
            if user is None:
                raise RuntimeError(f"benchmark user {login_email} missing")
            cookie_id = user.get_id()
        with client.session_transaction() as session:
            session["_user_id"] = cookie_id
            session["_fresh"] = True
    urls = {
        "directory_search": "/enterprises/?q=лес&page=3",
        "directory_okved": "/enterprises/?okved=16.10&region=&page=10",
    }
    if login_email:
        urls["cluster_page"] = f"/{dataset['tenant']}/clusters/{dataset['cluster_id']}"
    results = {}
    for name, url in urls.items():
        assert client.get(url).status_code == 200, url
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            client.get(url)
            count += 1
        elapsed = time.perf_counter() - started
        results[name] = {
            "url": url,
            "requests": count,
            "per_second": round(count / elapsed, 1),
            "ms_per_request": round(1000 * elapsed / count, 1),
        }
    return results
