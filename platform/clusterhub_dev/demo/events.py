"""The model event for demos and tests: the practical session on industrial clusters in Syktyvkar.

``load()`` builds it for the komi tenant through the services, once (idempotent: an event with the same
Russian title is left as it is). ``build_model_event`` is what tests call.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from clusterhub.enterprises.services.profiles import get_or_create_by_inn
from clusterhub.events.models import (
    AgendaItem,
    AgendaKind,
    Event,
    EventKind,
    EventStatus,
    OrganiserRole,
    ParticipantCategory,
)
from clusterhub.events.services.agenda import save_agenda_item
from clusterhub.events.services.events import add_organiser, add_venue, create_event, set_status
from clusterhub.events.services.registration import Participant, register
from clusterhub.events.services.rosters import item_roster
from clusterhub.events.services.signups import sign_up
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.tenancy.models import Tenant, utcnow
from clusterhub.tenancy.scoping import tenant_scope

TITLE_RU = "Практическая сессия по развитию промышленных кластеров России"
TITLE_EN = "Practical session on the development of industrial clusters of Russia"

# ИНН of Mondi SLPK is its real one; the others are checksum-valid demo numbers.
ENTERPRISES = {
    "mondi": ("1121003135", "АО «Монди Сыктывкарский ЛПК»", "Монди СЛПК"),
    "luzales": ("1101000016", "ООО «Лузалес»", "Лузалес"),
    "algraf": ("1101000023", "ООО «Алграф»", "Алграф"),
}


def build_model_event(tenant: Tenant, start: date | None = None, actor=None, publish=True) -> Event:
    """Build the two-day Syktyvkar session (venues, organisers, agenda) in ``tenant``'s scope."""
    start = start or (utcnow().date() + timedelta(days=30))
    day2 = start + timedelta(days=1)
    komi = db.session.scalar(sa.select(Region).where(Region.tax_code == "11"))
    companies = {}
    for key, (inn, full_name, short_name) in ENTERPRISES.items():
        enterprise, created = get_or_create_by_inn(inn, full_name, region_id=komi.id, actor=actor)
        if created:
            enterprise.short_name = short_name
        companies[key] = enterprise
    event = create_event(
        tenant,
        {
            "title_ru": TITLE_RU,
            "title_en": TITLE_EN,
            "description_ru": "Посещение предприятий-участников кластера, практикум и защита совместных "
            "кластерных проектов. Участвуют более 90 предприятий и центров из 60 регионов.",
            "description_en": "Visits to member enterprises of the cluster, a workshop and the defense of "
            "joint cluster projects. Over 90 enterprises and centers from 60 regions take part.",
            "kind": EventKind.PRACTICAL_SESSION,
            "city_ru": "Сыктывкар",
            "city_en": "Syktyvkar",
            "region_id": komi.id,
            "start_date": start,
            "end_date": day2,
            "capacity": 150,
            "planned_participants": 120,
            "planned_enterprises": 90,
            "planned_regions": 60,
        },
        actor=actor,
    )
    hub = add_venue(
        event,
        {
            "name_ru": "Центр «Мой бизнес»",
            "name_en": "“My Business” center",
            "address_ru": "ул. Советская, 12",
            "address_en": "12 Sovetskaya St",
        },
        actor=actor,
    )
    for name_ru, name_en, role in (
        (
            "Центр «Мой бизнес» Республики Коми",
            "“My Business” center of the Komi Republic",
            OrganiserRole.ORGANISER,
        ),
        ("Минпромторг России", "Ministry of Industry and Trade of Russia", OrganiserRole.CO_ORGANISER),
        ("Правительство Республики Коми", "Government of the Komi Republic", OrganiserRole.CO_ORGANISER),
        ("АКИТ РФ", "Association of Clusters, Technoparks and SEZs of Russia", OrganiserRole.PARTNER),
    ):
        add_organiser(event, {"name_ru": name_ru, "name_en": name_en, "role": role}, actor=actor)

    def at(day, hour, minute=0):
        return datetime(day.year, day.month, day.day, hour, minute)

    agenda = [
        (
            start,
            (9, 0),
            (9, 30),
            AgendaKind.TRANSFER,
            "Сбор участников, трансфер",
            "Gathering and transfer",
            {"venue_id": hub.id},
        ),
        (
            start,
            (10, 0),
            (11, 30),
            AgendaKind.SITE_VISIT,
            "Посещение Монди СЛПК",
            "Visit to Mondi SLPK",
            {
                "site_inn": ENTERPRISES["mondi"][0],
                "site_address_ru": "пр. Бумажников, 2",
                "seat_limit": 45,
                "host_inns": [ENTERPRISES["mondi"][0]],
            },
        ),
        (
            start,
            (12, 0),
            (13, 30),
            AgendaKind.SITE_VISIT,
            "Посещение Лузалес: презентация совместного проекта",
            "Visit to Luzales: presentation of a joint project",
            {
                "site_inn": ENTERPRISES["luzales"][0],
                "site_address_ru": "Сысольское ш., 50",
                "seat_limit": 45,
                "host_inns": [ENTERPRISES["luzales"][0]],
                "linked_title": "Совместный кластерный проект",
            },
        ),
        (start, (13, 30), (14, 15), AgendaKind.MEAL, "Обед", "Lunch", {"venue_id": hub.id}),
        (
            start,
            (14, 30),
            (16, 0),
            AgendaKind.SITE_VISIT,
            "Посещение Алграф и его индустриального технопарка",
            "Visit to Algraf and its industrial technopark",
            {
                "site_inn": ENTERPRISES["algraf"][0],
                "site_address_ru": "ул. Гаражная, 3",
                "seat_limit": 45,
                "host_inns": [ENTERPRISES["algraf"][0]],
                "linked_title": "Индустриальный технопарк «Алграф»",
            },
        ),
        (
            start,
            (16, 30),
            (18, 0),
            AgendaKind.PRESENTATION,
            "Презентация кластера",
            "Presentation of the cluster",
            {"venue_id": hub.id, "speakers": "Руководитель ЦКР Республики Коми"},
        ),
        (
            day2,
            (10, 0),
            (13, 0),
            AgendaKind.WORKSHOP,
            "Практикум по совместным кластерным проектам",
            "Workshop on joint cluster projects",
            {"venue_id": hub.id, "speakers": "Эксперт АКИТ РФ\nПредставитель Минпромторга России"},
        ),
        (
            day2,
            (14, 0),
            (17, 30),
            AgendaKind.PROJECT_DEFENSE,
            "Защита совместных проектов (около 10 проектов)",
            "Defense of joint projects (about 10 projects)",
            {"venue_id": hub.id},
        ),
        (
            day2,
            (18, 30),
            (21, 0),
            AgendaKind.CULTURAL,
            "Культурная программа",
            "Cultural programme",
            {"site_address_ru": "Национальная галерея Республики Коми, ул. Коммунистическая, 8"},
        ),
    ]
    for day, (h1, m1), (h2, m2), kind, title_ru, title_en, extra in agenda:
        save_agenda_item(
            event,
            {
                "kind": kind,
                "title_ru": title_ru,
                "title_en": title_en,
                "starts_at": at(day, h1, m1),
                "ends_at": at(day, h2, m2),
                **extra,
            },
            actor=actor,
        )
    if publish:
        set_status(event, EventStatus.PUBLISHED, actor=actor)
    return event


# Demo participants: (surname, given names, organisation, position, region tax code). Names are invented.
SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
)  # fmt: skip
GIVEN_NAMES = ("Алексей Петрович", "Мария Ивановна", "Сергей Николаевич", "Ольга Викторовна")
ORGANISATIONS = (
    ("ООО «Лузалес»", "11"),
    ("АО «Монди Сыктывкарский ЛПК»", "11"),
    ("ООО «Алграф»", "11"),
    ("ЦКР Архангельской области", "29"),
    ("ООО «Вологодский лесопромышленник»", "35"),
    ("Министерство промышленности Республики Коми", "11"),
    ("АНО «Кластер Карелии»", "10"),
    ("ООО «Пермская фанера»", "59"),
)
SITE_VISIT_WANTED = 52  # the Mondi visit has 45 seats: the last seven wait


def fill_site_visit(event: Event, people: int = SITE_VISIT_WANTED) -> AgendaItem | None:
    """Register demo participants and sign them all up for the first seat-limited site visit, so its roster
    is full and has a waiting list. Does nothing if that visit already has people on it."""
    visit = next(
        (i for i in event.agenda_items if i.kind == AgendaKind.SITE_VISIT and i.seat_limit is not None), None
    )
    if visit is None or item_roster(visit).seated:
        return visit
    regions = dict(db.session.execute(sa.select(Region.tax_code, Region.id)).all())
    for n in range(people):
        organisation, tax_code = ORGANISATIONS[n % len(ORGANISATIONS)]
        person = Participant(
            full_name=f"{SURNAMES[n % len(SURNAMES)]} {GIVEN_NAMES[n % len(GIVEN_NAMES)]}",
            email=f"uchastnik{n + 1}@demo.example.ru",
            category=ParticipantCategory.ENTERPRISE if n % 8 < 5 else ParticipantCategory.CLUSTER_CENTER,
            region_id=regions.get(tax_code) or event.region_id,
            organisation=organisation,
            position_title=("Директор", "Главный инженер", "Специалист", "Руководитель проекта")[n % 4],
            consent=True,
        )
        registration = register(event, person)
        sign_up(registration, visit)
    return visit


def load() -> Event | None:
    """Create the model event for the komi tenant unless it exists, with a full site visit and its waiting
    list; commits. Returns it (None: no tenant)."""
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "komi"))
    if tenant is None:
        return None
    with tenant_scope(db.session, tenant.id):
        event = db.session.scalar(sa.select(Event).where(Event.title_ru == TITLE_RU))
        if event is None:
            event = build_model_event(tenant)
        fill_site_visit(event)
        db.session.commit()
    return event
