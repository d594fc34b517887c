"""The reference of Russia's 89 federal subjects, shared by every tenant.

Region codes disagree between public lists for the newest subjects, so each code is stored under the
name of its code system: ``tax_code`` (the Federal Tax Service code, the first two digits of ИНН/КПП)
and ``iso_code`` (ISO 3166-2:RU, absent where ISO has none).
"""

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

FEDERAL_DISTRICTS = {
    "CFD": (_l("Central Federal District"), "ЦФО"),
    "NWFD": (_l("Northwestern Federal District"), "СЗФО"),
    "SFD": (_l("Southern Federal District"), "ЮФО"),
    "NCFD": (_l("North Caucasian Federal District"), "СКФО"),
    "VFD": (_l("Volga Federal District"), "ПФО"),
    "UFD": (_l("Ural Federal District"), "УФО"),
    "SibFD": (_l("Siberian Federal District"), "СФО"),
    "FEFD": (_l("Far Eastern Federal District"), "ДФО"),
}


def district_name(code: str) -> str:
    return str(FEDERAL_DISTRICTS[code][0]) if code in FEDERAL_DISTRICTS else code


def district_abbreviation(code: str) -> str:
    if code not in FEDERAL_DISTRICTS:
        return code
    return FEDERAL_DISTRICTS[code][1] if str(get_locale()) == "ru" else code


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tax_code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    iso_code: Mapped[str | None] = mapped_column(sa.String(8), unique=True)
    name_ru: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    federal_district: Mapped[str] = mapped_column(sa.String(8), index=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    capital_ru: Mapped[str] = mapped_column(sa.String(80))
    capital_en: Mapped[str] = mapped_column(sa.String(80))
    tile_row: Mapped[int] = mapped_column()
    tile_col: Mapped[int] = mapped_column()

    @property
    def name(self) -> str:
        return self.name_ru if str(get_locale()) == "ru" else self.name_en

    @property
    def district_name(self) -> str:
        return district_name(self.federal_district)

    def __repr__(self):
        return f"<Region {self.tax_code} {self.name_en}>"


_names: dict[str, list[tuple[int, str]]] = {}


def region_names(lang: str) -> list[tuple[int, str]]:
    """(id, name) of every region in ``lang``, sorted by name. The reference changes only with a migration,
    so each worker reads it once (a filter of regions on every staff list read 89 rows per request)."""
    if lang not in _names:
        regions = db.session.execute(sa.select(Region.id, Region.name_ru, Region.name_en)).all()
        _names[lang] = sorted(
            ((r.id, r.name_en if lang == "en" else r.name_ru) for r in regions), key=lambda c: c[1]
        )
    return _names[lang]
