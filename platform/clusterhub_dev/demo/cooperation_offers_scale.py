"""Synthetic offers and requests for the country-wide dataset (``flask demo scale``) and the benchmark:
bulk inserts, no ORM objects. Codes come from a handful of industries, so most entries have dozens to
hundreds of counterparts sharing a class, as on a real exchange."""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from clusterhub.cooperation.offers import matching
from clusterhub.cooperation.offers.models import CooperationKind, CooperationOffer, CooperationOfferCode
from clusterhub.extensions import db
from clusterhub.tenancy.models import utcnow

# ОКПД 2 code, ОКВЭД 2 code, what is traded (the noun phrase of a title), words for the description
INDUSTRIES = [
    ("16.10.10", "16.10", "пиломатериалы хвойных пород", "обрезная доска брус камерная сушка"),
    ("16.10.23", "16.10", "технологическая щепа и опилки", "щепа опилки кора отходы лесопиления"),
    ("16.21.12", "16.21", "фанера берёзовая", "фанера шпон склеивание сорт"),
    ("16.23.11", "16.23", "клеёный брус", "брус домокомплект столярные изделия"),
    ("17.12.14", "17.12", "бумага офсетная", "бумага картон целлюлоза"),
    ("22.29.21", "22.29", "литьё пластмассовых изделий", "литьё под давлением пластик корпуса пресс-формы"),
    ("22.21.30", "22.21", "трубы и профили из пластмасс", "экструзия профиль труба полиэтилен"),
    ("25.62.10", "25.62", "механическая обработка металлов", "токарная фрезерная обработка ЧПУ детали"),
    ("25.11.23", "25.11", "металлоконструкции", "сварка металлоконструкции каркасы фермы"),
    ("28.30.59", "28.30", "лесозаготовительная техника", "харвестер форвардер запчасти ремонт"),
    ("28.49.21", "28.49", "деревообрабатывающие станки", "станки пилы оснастка наладка"),
    ("33.12.29", "33.12", "ремонт промышленного оборудования", "ремонт наладка обслуживание оборудования"),
    ("20.16.52", "20.16", "смолы карбамидоформальдегидные", "смолы клей химия полимеры"),
    ("10.11.31", "10.11", "мясная продукция", "мясо переработка охлаждённое"),
    ("26.51.66", "26.51", "контрольно-измерительные приборы", "датчики приборы измерение калибровка"),
    ("71.20.19", "71.20", "испытания и сертификация продукции", "испытания лаборатория сертификация"),
    ("72.19.29", "72.19", "НИОКР в области материалов", "исследования разработка технологии"),
]
VERBS = {"offer": ("Предлагаем", "Производим", "Выполняем"), "request": ("Ищем", "Закупаем", "Нужны")}
KINDS = [k.value for k in CooperationKind]
DISTRICTS = ("CFD", "NWFD", "SFD", "NCFD", "VFD", "UFD", "SibFD", "FEFD")


def _variant(code: str, rng: random.Random) -> str:
    """The code itself, a sibling in its group, or a broader one: so the levels of the match all occur."""
    roll = rng.random()
    if roll < 0.5:
        return code
    digits = matching.digits(code)
    if roll < 0.8:
        return matching.dotted(digits[:4] + f"{rng.randint(1, 9)}{rng.randint(0, 9)}")
    return matching.dotted(digits[:3] + str(rng.randint(0, 9)))


def make_offers(count: int, enterprise_ids: list[int], rng: random.Random) -> int:
    """Insert ``count`` entries (half offers, half requests) for random enterprises: 85 % published and
    live, 5 % published but expired, the rest drafts or archived. Returns the number inserted."""
    now = utcnow()
    today = date.today()
    rows, codes = [], []
    for n in range(count):
        okpd2, okved, noun, words = rng.choice(INDUSTRIES)
        entry = "offer" if n % 2 else "request"
        roll = rng.random()
        status = "published" if roll < 0.9 else ("draft" if roll < 0.95 else "archived")
        valid_until = today - timedelta(days=rng.randint(1, 90)) if 0.85 <= roll < 0.9 else None
        okpd2_codes = sorted({_variant(okpd2, rng) for _ in range(rng.randint(1, 2))})
        title = f"{rng.choice(VERBS[entry])} {noun}"
        description = f"{title}: {words}. Партия {rng.randint(1, 500) * 10} ед., поставка по договору."
        districts = " ".join(rng.sample(DISTRICTS, rng.randint(1, 2))) if rng.random() < 0.3 else ""
        rows.append(
            {
                "enterprise_id": rng.choice(enterprise_ids),
                "kind_of_entry": entry,
                "kind": rng.choice(KINDS),
                "status": status,
                "title_ru": title,
                "description_ru": description,
                "okpd2_codes": f" {' '.join(okpd2_codes)} ",
                "okved_codes": f" {okved} ",
                "served_region_ids": "",
                "served_districts": f" {districts} " if districts else "",
                "valid_until": valid_until,
                "contact_name": "Отдел снабжения",
                "contact_email": f"coop{n}@scale.example.com",
                "search_text": f"{title} {description}".casefold(),
                "created_at": now,
                "published_at": now - timedelta(hours=rng.randint(1, 24 * 60)) if status != "draft" else None,
            }
        )
    ids = []
    for start in range(0, len(rows), 2_000):
        part = rows[start : start + 2_000]
        ids += list(
            db.session.scalars(
                sa.insert(CooperationOffer).returning(CooperationOffer.id, sort_by_parameter_order=True), part
            )
        )
    for offer_id, row in zip(ids, rows, strict=True):
        for system, field in (("okpd2", "okpd2_codes"), ("okved", "okved_codes")):
            for code in row[field].split():
                digits = matching.digits(code)
                codes.append(
                    {
                        "offer_id": offer_id,
                        "system": system,
                        "code": code,
                        "class_code": digits[:2],
                        "group_code": matching.dotted(digits[:3]) if len(digits) >= 3 else None,
                    }
                )
    for start in range(0, len(codes), 5_000):
        db.session.execute(sa.insert(CooperationOfferCode), codes[start : start + 5_000])
    return len(rows)
