"""Demo cluster: the Komi timber-industry cluster with its members and supply links (idempotent)."""

from datetime import date

import sqlalchemy as sa

from clusterhub.clusters.models import Cluster
from clusterhub.extensions import db
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

CLUSTER_NAME = "Лесопромышленный кластер Республики Коми"

# short name -> role, joined on
MEMBERS = {
    "Монди СЛПК": ("anchor", date(2016, 3, 1)),
    "Лузалес": ("participant", date(2016, 3, 1)),
    "Алграф": ("participant", date(2017, 9, 15)),
    "СФЗ": ("participant", date(2016, 3, 1)),
    "Комилесресурс": ("supplier", date(2018, 2, 1)),
    "Пиломатериалы Коми": ("participant", date(2019, 6, 1)),
    "Биотопливо Севера": ("participant", date(2020, 4, 20)),
    "Комидревтранс": ("infrastructure", date(2018, 11, 1)),
    "Лесмаш Сервис": ("supplier", date(2021, 1, 15)),
    "СЛИ": ("research", date(2016, 3, 1)),
    "УК лесопромышленного кластера": ("infrastructure", date(2016, 3, 1)),
}

# supplier, customer, product, ОКПД2
LINKS = [
    ("Комилесресурс", "Монди СЛПК", "Балансовая древесина хвойных пород", "02.20.12"),
    ("Комилесресурс", "Лузалес", "Пиловочник хвойный", "02.20.11"),
    ("Комилесресурс", "СФЗ", "Фанерный кряж берёзовый", "02.20.11"),
    ("Лузалес", "Монди СЛПК", "Технологическая щепа", "16.10.23"),
    ("Лузалес", "Алграф", "Пиломатериалы хвойных пород", "16.10.10.110"),
    ("Пиломатериалы Коми", "Алграф", "Доска обрезная", "16.10.10.110"),
    ("Алграф", "Биотопливо Севера", "Опилки и стружка", "16.10.23"),
    ("СФЗ", "Монди СЛПК", "Древесные отходы для энергетики", "16.10.23"),
    ("Биотопливо Севера", "Лузалес", "Топливные пеллеты", "16.29.14"),
    ("Лесмаш Сервис", "Лузалес", "Ремонт лесозаготовительной техники", "33.12.24"),
    ("Лесмаш Сервис", "Комилесресурс", "Запасные части для харвестеров", "28.30.94"),
    ("Комидревтранс", "Монди СЛПК", "Перевозка круглых лесоматериалов", "49.41.19"),
    ("СЛИ", "Монди СЛПК", "Подготовка инженеров-технологов", "85.22.11"),
]


def load(tenant_slugs=("komi",)) -> None:
    """Create the Komi cluster (when ``komi`` is among ``tenant_slugs`` and the center exists)."""
    from clusterhub.clusters.services.clusters import create_cluster
    from clusterhub.clusters.services.members import add_member
    from clusterhub.clusters.services.supply import add_link

    from . import enterprises as enterprise_demo

    if "komi" not in tenant_slugs:
        return
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "komi"))
    if tenant is None:
        return
    companies = enterprise_demo.load(tenant_slugs)
    with tenant_scope(db.session, tenant.id):
        if db.session.scalar(sa.select(Cluster.id).where(Cluster.name == CLUSTER_NAME)):
            return
        cluster = create_cluster(
            {
                "name": CLUSTER_NAME,
                "cluster_type": "industrial",
                "industry": "Лесозаготовка, деревообработка, целлюлозно-бумажное производство",
                "okved_codes": "02.20 16.10 16.21 17.12",
                "region_ids": [tenant.region_id],
                "specialised_org_id": companies["УК лесопромышленного кластера"].id,
                "register_status": "applied",
                "functional_map": (
                    "Заготовка древесины → лесопиление и производство фанеры → глубокая переработка "
                    "(клеёные конструкции, пеллеты) → целлюлозно-бумажное производство; сервис техники, "
                    "логистика и подготовка кадров."
                ),
                "programme_goals": (
                    "Довести долю глубокой переработки древесины до 70% к 2030 году\n"
                    "Запустить 3 совместных кластерных проекта по импортозамещению\n"
                    "Создать 400 новых рабочих мест у участников кластера"
                ),
            },
            actor=None,
        )
        members = {}
        for short, (role, joined) in MEMBERS.items():
            members[short] = add_member(cluster, companies[short], role, joined, actor=None)
        for supplier, customer, product, okpd2 in LINKS:
            add_link(cluster, members[supplier].id, members[customer].id, product, okpd2, actor=None)
        db.session.flush()
