"""Demo offers and requests: enterprises of the Komi session and a few partners from other regions
publish entries that match each other, so the suggestions page of each has something to show
(idempotent: an entry with the same enterprise and title is not created twice)."""

import sqlalchemy as sa

from clusterhub.extensions import db

# Partners from other regions (the session's guests): short name, full name, first nine digits of the
# ИНН, region tax code, main ОКВЭД.
PARTNERS = [
    ("Вологодский лесопромышленник", "ООО «Вологодский лесопромышленник»", "352500111", "35", "16.10"),
    ("Пермская фанера", "ООО «Пермская фанера»", "590200222", "59", "16.21"),
    ("Казанские смолы", "АО «Казанские смолы»", "165500333", "16", "20.16"),
    ("Уралмашкомплект", "ООО «Уралмашкомплект»", "667000444", "66", "28.49"),
]

C, R = "offer", "request"
# enterprise (short name), offer or request, kind, title, description, ОКПД 2, ОКВЭД 2, volume, districts served
ENTRIES = [
    ("Лузалес", R, "contract_manufacturing", "Ремонт и обслуживание лесопильного оборудования",
     "Ищем подрядчика на плановый ремонт лесопильных линий и заточку пил, выезд на площадку в Сыктывкаре.",
     "33.12.29", "33.12", "4 линии, раз в квартал", ""),
    ("Лесмаш Сервис", C, "contract_manufacturing", "Ремонт лесопильного и деревообрабатывающего оборудования",
     "Ремонт и наладка лесопильных линий, заточка пил, запасные части; выезд бригады по Северо-Западу.",
     "33.12.29", "33.12 28.30", "до 10 выездов в месяц", "NWFD"),
    ("Уралмашкомплект", C, "components_supply", "Запасные части к лесопильным станкам",
     "Поставка подшипниковых узлов, валов и пил для лесопильного оборудования со склада в Екатеринбурге.",
     "28.49.21", "28.49", "со склада, 3–5 дней", ""),
    ("Монди СЛПК", R, "components_supply", "Поставка балансов и технологической щепы",
     "Закупаем балансы хвойных и лиственных пород и технологическую щепу для производства целлюлозы.",
     "02.20.11 16.10.23", "02.20", "до 50 000 м³ в месяц", ""),
    ("Комилесресурс", C, "components_supply", "Лесоматериалы круглые: балансы и пиловочник",
     "Заготовка и поставка круглых лесоматериалов хвойных пород, вывозка собственными лесовозами.",
     "02.20.11", "02.20 49.41", "20 000 м³ в месяц", "NWFD"),
    ("Пиломатериалы Коми", C, "components_supply", "Технологическая щепа, опилки и кора",
     "Отходы лесопиления: технологическая щепа, опилки и кора, отгрузка автотранспортом.",
     "16.10.23", "16.10", "3 000 м³ в месяц", ""),
    ("Алграф", R, "components_supply", "Пиломатериалы хвойных пород для клеёного бруса",
     "Нужны сухие пиломатериалы хвойных пород камерной сушки для производства клеёного бруса.",
     "16.10.10", "16.10", "800 м³ в месяц", ""),
    ("Лузалес", C, "production_capacity", "Пиломатериалы хвойных пород камерной сушки",
     "Обрезные пиломатериалы хвойных пород камерной сушки, строгание, антисептирование.",
     "16.10.10.110", "16.10", "5 000 м³ в месяц", ""),
    ("Вологодский лесопромышленник", C, "production_capacity", "Сухие пиломатериалы хвойных пород",
     "Пиломатериалы хвойных пород камерной сушки, поставки по Северо-Западу и Центральной России.",
     "16.10.10", "16.10", "3 000 м³ в месяц", "NWFD CFD"),
    ("Биотопливо Севера", R, "components_supply", "Сырьё для пеллет: опилки и стружка",
     "Закупаем опилки и стружку хвойных пород для производства топливных пеллет.",
     "16.10.23", "16.29", "2 000 м³ в месяц", ""),
    ("СФЗ", R, "components_supply", "Карбамидоформальдегидные смолы для фанеры",
     "Нужны карбамидоформальдегидные смолы для склеивания берёзовой фанеры, поставки ежемесячно.",
     "20.16.52", "20.16", "300 т в месяц", ""),
    ("Казанские смолы", C, "components_supply", "Смолы карбамидоформальдегидные",
     "Производим смолы карбамидоформальдегидные для фанеры и плит, поставки по России.",
     "20.16.52", "20.16", "до 2 000 т в месяц", ""),
    ("СФЗ", R, "rnd_technology", "Испытания фанеры на прочность и эмиссию формальдегида",
     "Ищем лабораторию для испытаний берёзовой фанеры: прочность, влажность, эмиссия формальдегида.",
     "71.20.19", "71.20 72.19", "40 образцов в квартал", ""),
    ("СЛИ", C, "rnd_technology", "Испытания древесных материалов и НИОКР по сушке древесины",
     "Лаборатория института: испытания фанеры и плит, эмиссия формальдегида, режимы сушки древесины.",
     "71.20.19 72.19.29", "72.19 71.20", "", ""),
    ("Алграф", C, "technopark_service", "Сушка и строгание древесины на оборудовании технопарка",
     "Камерная сушка и строгание пиломатериалов заказчика на оборудовании технопарка Алграф.",
     "16.10.10", "16.10", "до 300 м³ в месяц", ""),
    ("Пермская фанера", C, "production_capacity", "Фанера берёзовая ФК",
     "Фанера берёзовая ФК толщиной 4–30 мм, сорта 2/2–4/4, отгрузка вагонами.",
     "16.21.12", "16.21", "2 000 м³ в месяц", ""),
    ("Комидревтранс", C, "production_capacity", "Вывозка древесины лесовозами",
     "Перевозка круглых лесоматериалов и пиломатериалов лесовозами и сортиментовозами по Коми.",
     "49.41.19", "49.41", "30 машин", ""),
    ("УК лесопромышленного кластера", R, "investment", "Инвестор для производства CLT-панелей",
     "Кластер ищет инвестора для завода по выпуску перекрёстно-клеёных панелей из пиломатериалов Коми.",
     "16.21.13", "16.21", "1,2 млрд руб.", ""),
]  # fmt: skip


def load() -> int:
    """Create the demo entries (published); returns how many were created."""
    from clusterhub.accounts.services.users import find_user_by_email
    from clusterhub.cooperation.offers.models import CooperationOffer
    from clusterhub.cooperation.offers.services import entries
    from clusterhub.enterprises.models import Enterprise
    from clusterhub.enterprises.services.profiles import get_or_create_by_inn
    from clusterhub.regions.models import Region

    from .enterprises import inn_with_checksum
    from .enterprises import load as load_enterprises

    admin = find_user_by_email("admin@clusterhub.example.com")
    if admin is None:
        return 0
    companies = dict(load_enterprises())
    regions = dict(db.session.execute(sa.select(Region.tax_code, Region.id)).all())
    for short, full, inn9, tax_code, okved in PARTNERS:
        enterprise, created = get_or_create_by_inn(inn_with_checksum(inn9), full, region_id=regions[tax_code])
        if created:
            enterprise.short_name, enterprise.okved_main = short, okved
            enterprise.search_text = f"{full} {short} {enterprise.inn}".casefold()
        companies[short] = enterprise
    db.session.flush()
    existing = set(
        db.session.execute(sa.select(CooperationOffer.enterprise_id, CooperationOffer.title_ru)).all()
    )
    created_count = 0
    for short, entry, kind, title, description, okpd2, okved, volume, districts in ENTRIES:
        enterprise: Enterprise = companies[short]
        if (enterprise.id, title) in existing:
            continue
        offer = entries.create_offer(
            enterprise,
            {
                "kind_of_entry": entry,
                "kind": kind,
                "title_ru": title,
                "description_ru": description,
                "okpd2_codes": okpd2,
                "okved_codes": okved,
                "volume": volume,
                "served_districts": districts.split(),
                "contact_name": "Отдел кооперации",
                "contact_email": f"coop{created_count + 1}@demo.example.ru",
            },
            admin,
        )
        entries.publish(offer, admin)
        created_count += 1
    db.session.flush()
    return created_count
