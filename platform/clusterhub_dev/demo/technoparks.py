"""Demo data: the industrial technopark of ООО «Алграф» in Komi with zones, equipment and priced
services. ``load()`` is idempotent (it finds what exists by name and adds only what is missing)."""

import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.technoparks.models import Equipment, ServiceOffer, Technopark, Zone
from clusterhub.technoparks.services.equipment import save_equipment
from clusterhub.technoparks.services.offers import save_service
from clusterhub.technoparks.services.technoparks import create_technopark, enterprise_by_inn
from clusterhub.technoparks.services.zones import save_zone
from clusterhub.tenancy.models import Tenant
from clusterhub.tenancy.scoping import tenant_scope

from .enterprises import demo_inn

# The operator is the demo enterprise Algraf: the same profile the sessions and clusters demos use.
ALGRAF_INN = demo_inn("Алграф")
TECHNOPARK_NAME = "Промышленный технопарк «Алграф»"

ZONES = [
    (
        "Производственный корпус №1",
        "Production building 1",
        "production",
        "4200",
        "800",
        "Механообработка, сборка",
    ),
    ("Лабораторный блок", "Laboratory block", "laboratory", "650", "120", "Испытания, метрология"),
    ("Офисный центр", "Office centre", "office", "1100", "300", "Офисы резидентов, переговорные"),
    ("Склад готовой продукции", "Finished goods warehouse", "warehouse", "1500", "400", "Хранение, отгрузка"),
    ("Центр коллективного пользования", "Shared equipment center", "shared_equipment", "900", "0", "ЦКП"),
]
EQUIPMENT = [
    (
        "Обрабатывающий центр с ЧПУ",
        "CNC machining center",
        "machining",
        "DMG Mori",
        "DMU 50",
        "Центр коллективного пользования",
        [("Рабочая зона", "500×450×400", "мм"), ("Шпиндель", "14000", "об/мин")],
    ),
    (
        "Токарный станок с ЧПУ",
        "CNC lathe",
        "machining",
        "Haas",
        "ST-20",
        "Производственный корпус №1",
        [("Диаметр обработки", "532", "мм")],
    ),
    (
        "3D-принтер по металлу",
        "Metal 3D printer",
        "additive",
        "Renishaw",
        "AM400",
        "Центр коллективного пользования",
        [("Область построения", "250×250×300", "мм")],
    ),
    (
        "Разрывная машина",
        "Universal testing machine",
        "testing",
        "Zwick/Roell",
        "Z100",
        "Лабораторный блок",
        [("Максимальное усилие", "100", "кН")],
    ),
    (
        "Координатно-измерительная машина",
        "Coordinate measuring machine",
        "measurement",
        "Zeiss",
        "Contura",
        "Лабораторный блок",
        [("Точность", "1,8", "мкм")],
    ),
]
SERVICES = [
    # name ru, name en, category, unit, price, vat, lead days, equipment
    (
        "Аренда производственных площадей",
        "Production space rental",
        "space_rental",
        "sqm_month",
        "450",
        "plus_20",
        14,
        [],
    ),
    ("Аренда офисных помещений", "Office rental", "space_rental", "sqm_month", "700", "plus_20", 7, []),
    ("Аренда складских помещений", "Warehouse rental", "space_rental", "sqm_month", "300", "plus_20", 7, []),
    (
        "Время на обрабатывающем центре с ЧПУ",
        "CNC machining center time",
        "equipment_time",
        "hour",
        "3500",
        "plus_20",
        3,
        ["Обрабатывающий центр с ЧПУ"],
    ),
    (
        "Время на токарном станке с ЧПУ",
        "CNC lathe time",
        "equipment_time",
        "hour",
        "2500",
        "plus_20",
        3,
        ["Токарный станок с ЧПУ"],
    ),
    (
        "Аддитивное изготовление деталей из металла",
        "Metal additive manufacturing",
        "prototyping",
        "piece",
        None,
        "plus_20",
        10,
        ["3D-принтер по металлу"],
    ),
    (
        "Изготовление опытной партии",
        "Pilot batch production",
        "prototyping",
        "project",
        None,
        "plus_20",
        30,
        [],
    ),
    (
        "Испытания на растяжение",
        "Tensile testing",
        "testing",
        "piece",
        "1800",
        "plus_20",
        5,
        ["Разрывная машина"],
    ),
    (
        "Контроль геометрии на КИМ",
        "CMM inspection",
        "testing",
        "hour",
        "4200",
        "plus_20",
        5,
        ["Координатно-измерительная машина"],
    ),
    (
        "Подготовка к сертификации продукции",
        "Preparation for certification",
        "testing",
        "project",
        "60000",
        "included_20",
        30,
        [],
    ),
    (
        "Разработка конструкторской документации",
        "Design documentation",
        "engineering",
        "hour",
        "2200",
        "plus_20",
        10,
        [],
    ),
    (
        "Обучение операторов станков с ЧПУ",
        "CNC operator training",
        "training",
        "day",
        "9500",
        "exempt",
        14,
        [],
    ),
    (
        "Консультации по организации производства",
        "Production consulting",
        "consulting",
        "hour",
        "3000",
        "plus_20",
        3,
        [],
    ),
    (
        "Помощь в подготовке заявки на субсидию",
        "Help with a subsidy application",
        "state_support",
        "project",
        "25000",
        "plus_20",
        10,
        [],
    ),
    (
        "Сопровождение в программах Фонда развития промышленности",
        "Support with Industrial Development Fund programmes",
        "state_support",
        "project",
        "40000",
        "plus_20",
        20,
        [],
    ),
]


def load(tenant_slug: str = "komi") -> Technopark | None:
    """Create (or complete) the Algraf technopark in ``tenant_slug``; returns it, or None without the tenant."""
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == tenant_slug))
    if tenant is None:
        return None
    operator, _ = enterprise_by_inn(
        ALGRAF_INN, "Общество с ограниченной ответственностью «Алграф»", region_id=tenant.region_id
    )
    if operator.short_name is None:
        operator.short_name = "ООО «Алграф»"
    with tenant_scope(db.session, tenant.id):
        technopark = db.session.scalar(sa.select(Technopark).where(Technopark.name_ru == TECHNOPARK_NAME))
        if technopark is None:
            technopark = create_technopark(
                {
                    "name_ru": TECHNOPARK_NAME,
                    "name_en": "Algraf Industrial Technopark",
                    "operator_id": operator.id,
                    "kind": "industrial",
                    "register_status": "listed",
                    "region_id": tenant.region_id,
                    "address_ru": "Республика Коми, г. Сыктывкар, ул. Промышленная, 1",
                    "address_en": "1 Promyshlennaya St, Syktyvkar, Komi Republic",
                    "description_ru": "Индустриальный парк с производственными, лабораторными и офисными "
                    "площадями и центром коллективного пользования оборудованием.",
                    "description_en": "An industrial park with production, laboratory and office space and a "
                    "shared equipment center.",
                    "contact_email": "technopark@algraf.local",
                    "contact_phone": "+7 8212 00-00-00",
                    "total_area": "12000",
                    "useful_area": "8350",
                }
            )
        zones = {
            z.name_ru: z
            for z in db.session.scalars(sa.select(Zone).where(Zone.technopark_id == technopark.id))
        }
        for name_ru, name_en, kind, area, free, fit in ZONES:
            if name_ru not in zones:
                zones[name_ru] = save_zone(
                    technopark,
                    {
                        "name_ru": name_ru,
                        "name_en": name_en,
                        "kind": kind,
                        "area": area,
                        "free_area": free,
                        "suitable_for_ru": fit,
                    },
                )
        equipment = {
            e.name_ru: e
            for e in db.session.scalars(sa.select(Equipment).where(Equipment.technopark_id == technopark.id))
        }
        for name_ru, name_en, category, maker, model, zone, specs in EQUIPMENT:
            if name_ru not in equipment:
                equipment[name_ru] = save_equipment(
                    technopark,
                    {
                        "name_ru": name_ru,
                        "name_en": name_en,
                        "category": category,
                        "manufacturer": maker,
                        "model": model,
                        "zone_id": zones[zone].id,
                        "bookable": True,
                    },
                    [{"key": k, "value": v, "unit": u} for k, v, u in specs],
                )
        existing = set(
            db.session.scalars(
                sa.select(ServiceOffer.name_ru).where(ServiceOffer.technopark_id == technopark.id)
            )
        )
        for name_ru, name_en, category, unit, price, vat, lead, used in SERVICES:
            if name_ru in existing:
                continue
            save_service(
                technopark,
                {
                    "name_ru": name_ru,
                    "name_en": name_en,
                    "category": category,
                    "unit": unit,
                    "price": price,
                    "price_on_request": price is None,
                    "vat": vat,
                    "lead_time_days": lead,
                    "status": "published",
                },
                [equipment[n].id for n in used],
            )
        db.session.flush()
    return technopark
