"""Demo enterprises of the Komi Republic (``load``), and checksum helpers for demo, test and benchmark data.

The ИНН and ОГРН below are made up (prefix + computed check digits): real-looking, valid by checksum,
and, but for Mondi's ИНН, not those of the real companies whose names the demo borrows.
"""

import sqlalchemy as sa

from clusterhub.enterprises.models import EnterpriseFigure, EnterpriseProduct, EnterpriseRepresentative
from clusterhub.extensions import db
from clusterhub.regions.models import Region

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_with_checksum(first9: str) -> str:
    """A 10-digit organisation ИНН from its first nine digits."""
    check = sum(int(d) * w for d, w in zip(first9, INN10_WEIGHTS, strict=True)) % 11 % 10
    return f"{first9}{check}"


def ogrn_with_checksum(first12: str) -> str:
    """A 13-digit ОГРН from its first twelve digits."""
    return f"{first12}{int(first12) % 11 % 10}"


# Mondi's, Luzales' and Algraf's whole ИНН are given: the sessions, technopark and defense demos refer to
# the same three companies, and one profile each is what a visitor expects to find.
# name, short name, legal form, ИНН (or its first nine digits), ОГРН prefix, main ОКВЭД, additional, size, headcount, revenue (RUB)
DEMO_ENTERPRISES = [
    (
        "Акционерное общество «Монди Сыктывкарский ЛПК»",
        "Монди СЛПК",
        "АО",
        "1121003135",
        "102110054321",
        "17.12",
        "17.11 16.10 35.11",
        "large",
        4900,
        "68500000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Лузалес»",
        "Лузалес",
        "ООО",
        "1101000016",
        "102110087654",
        "16.10",
        "16.21 02.20",
        "medium",
        950,
        "4800000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Алграф»",
        "Алграф",
        "ООО",
        "1101000023",
        "110110012345",
        "16.10",
        "16.23 16.24",
        "small",
        85,
        "540000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Сыктывкарский фанерный завод»",
        "СФЗ",
        "ООО",
        "112100321",
        "102110011122",
        "16.21",
        "16.10",
        "large",
        1200,
        "9500000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Комилесресурс»",
        "Комилесресурс",
        "ООО",
        "110900111",
        "106110022233",
        "02.20",
        "02.40 49.41",
        "medium",
        310,
        "1900000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Пиломатериалы Коми»",
        "Пиломатериалы Коми",
        "ООО",
        "110100222",
        "111110033344",
        "16.10",
        "46.73",
        "small",
        60,
        "310000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Биотопливо Севера»",
        "Биотопливо Севера",
        "ООО",
        "110100333",
        "113110044455",
        "16.29",
        "35.30",
        "small",
        45,
        "180000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Комидревтранс»",
        "Комидревтранс",
        "ООО",
        "110100444",
        "114110055566",
        "49.41",
        "52.24",
        "small",
        120,
        "420000000.00",
    ),
    (
        "Общество с ограниченной ответственностью «Лесмаш Сервис»",
        "Лесмаш Сервис",
        "ООО",
        "110100555",
        "115110066677",
        "33.12",
        "28.30",
        "micro",
        14,
        "56000000.00",
    ),
    (
        "Федеральное государственное бюджетное образовательное учреждение высшего образования "
        "«Сыктывкарский лесной институт»",
        "СЛИ",
        "ФГБОУ ВО",
        "112100666",
        "102110077788",
        "85.22",
        "72.19",
        None,
        400,
        None,
    ),
    (
        "Общество с ограниченной ответственностью «Центр кластерного развития Коми — управляющая компания»",
        "УК лесопромышленного кластера",
        "ООО",
        "110100777",
        "116110088899",
        "70.22",
        "82.99",
        "micro",
        8,
        "12000000.00",
    ),
]

DEMO_PRODUCTS = {
    "Монди СЛПК": [("Офисная бумага", "17.12.14"), ("Картон для плоских слоёв гофрокартона", "17.12.77")],
    "Лузалес": [("Пиломатериалы хвойных пород", "16.10.10.110"), ("Фанера клеёная", "16.21.12")],
    "Алграф": [("Клеёный брус", "16.23.11"), ("Поддоны деревянные", "16.24.11")],
    "СФЗ": [("Фанера берёзовая", "16.21.12")],
    "Комилесресурс": [("Лесоматериалы круглые", "02.20.11")],
    "Биотопливо Севера": [("Топливные пеллеты", "16.29.14")],
}


def demo_inn(name: str) -> str | None:
    """The ИНН of the demo enterprise called ``name`` (its short name, or the quoted part of a name such
    as «ООО «Лузалес»»), so that other demos reuse the one profile instead of creating a namesake."""
    quoted = name.partition("«")[2].rstrip("»") or name
    for full, short, _form, inn, *_rest in DEMO_ENTERPRISES:
        if name == short or f"«{quoted}»" in full:
            return inn if len(inn) == 10 else inn_with_checksum(inn)
    return None


def load(tenant_slugs=None) -> dict:
    """Create (once) the demo enterprises; rep@luzales.example.com, if it exists, becomes Luzales' owner.

    Returns the enterprises by short name. Idempotent: existing profiles (by ИНН) are left as they are.
    """
    from clusterhub.accounts.services.users import find_user_by_email
    from clusterhub.enterprises.services.profiles import get_or_create_by_inn, update_profile
    from clusterhub.enterprises.services.representatives import add_representative, is_representative

    komi = db.session.scalar(sa.select(Region.id).where(Region.tax_code == "11"))
    result = {}
    for full, short, form, inn9, ogrn12, okved, extra, size, headcount, revenue in DEMO_ENTERPRISES:
        enterprise, created = get_or_create_by_inn(demo_inn(short), full, region_id=komi)
        result[short] = enterprise
        if not created:
            continue
        update_profile(
            enterprise,
            {
                "short_name": short,
                "legal_form": form,
                "ogrn": ogrn_with_checksum(ogrn12),
                "kpp": f"{inn9[:4]}01001",
                "okved_main": okved,
                "okved_additional": extra,
                "size_category": size or "",
                "legal_address": "Республика Коми, г. Сыктывкар",
                "description": f"{short}: демонстрационный профиль предприятия лесопромышленного комплекса Коми.",
            },
            actor=None,
        )
        for year, factor in ((2023, "0.92"), (2024, "1")):
            from decimal import Decimal

            db.session.add(
                EnterpriseFigure(
                    enterprise_id=enterprise.id,
                    year=year,
                    headcount=int(headcount * float(factor)),
                    revenue=(Decimal(revenue) * Decimal(factor)).quantize(Decimal("0.01"))
                    if revenue
                    else None,
                )
            )
        for name, okpd2 in DEMO_PRODUCTS.get(short, []):
            db.session.add(EnterpriseProduct(enterprise_id=enterprise.id, name=name, okpd2=okpd2))
    db.session.flush()
    rep = find_user_by_email("rep@luzales.example.com")
    if rep is not None and not is_representative(rep, result["Лузалес"]):
        existing = db.session.scalar(
            sa.select(EnterpriseRepresentative).where(
                EnterpriseRepresentative.user_id == rep.id,
                EnterpriseRepresentative.enterprise_id == result["Лузалес"].id,
            )
        )
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        add_representative(result["Лузалес"], rep, "owner", confirmed=True)
    return result
