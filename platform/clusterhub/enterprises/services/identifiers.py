"""The identifiers and codes of an enterprise profile, checked: ИНН, ОГРН/ОГРНИП, КПП, ОКВЭД 2 and ОКПД2,
and the region a tax number was issued in."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

from ...core.refusal import Refusal
from ...extensions import db
from ...regions.models import Region

KPP_PATTERN = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")
# ОКВЭД 2: NN, NN.N, NN.NN, NN.NN.N, NN.NN.NN
OKVED_PATTERN = re.compile(r"^\d{2}(\.\d{1,2}|\.\d{2}\.\d{1,2})?$")
# ОКПД2 goes one level deeper: ... NN.NN.NN.N, NN.NN.NN.NNN
OKPD2_PATTERN = re.compile(r"^\d{2}(\.\d{1,2}|\.\d{2}\.\d{1,2}|\.\d{2}\.\d{2}\.\d{1,3})?$")


def _compact(value) -> str:
    return re.sub(r"[\s-]", "", value or "")


def clean_inn(value: str) -> str:
    """A valid ИНН (10 digits for an organisation, 12 for an individual), checksum verified."""
    value = _compact(value)
    try:
        return inn_number.validate(value)
    except StdnumError as exc:
        raise Refusal(_("The ИНН %(inn)s is not valid: check the digits.", inn=value), "inn") from exc


def ogrn_check_digit(number: str) -> str:
    """The check digit of a 13-digit ОГРН or a 15-digit ОГРНИП (given with or without its last digit).

    For an ОГРНИП the remainder modulo 13 can be 10, 11 or 12; the check digit is then its last digit.
    python-stdnum (up to at least 2.2) compares against "10"/"11"/"12" and so rejects those valid
    numbers, which is why the 15-digit case is computed here.
    """
    if len(number) in (13, 15):
        number = number[:-1]
    if len(number) == 12:
        return str(int(number) % 11 % 10)
    return str(int(number) % 13 % 10)


def clean_ogrn(value: str) -> str:
    """A valid ОГРН (13 digits, organisations) or ОГРНИП (15 digits, individual entrepreneurs)."""
    value = _compact(value)
    message = _("The ОГРН %(ogrn)s is not valid: check the digits.", ogrn=value)
    if len(value) == 13:
        try:
            return ogrn_number.validate(value)
        except StdnumError as exc:
            raise Refusal(message, "ogrn") from exc
    if len(value) == 15 and value.isdigit() and value[0] in "34" and value[-1] == ogrn_check_digit(value):
        return value
    raise Refusal(message, "ogrn")


# Codes that once were subjects' own and now belong to the subject they merged into (the Federal Tax
# Service kept them in ИНН and ОГРН issued before the merger). 82 is the Koryak district's tax code, not
# Crimea's: Crimea's tax code is 91 (82 is its vehicle-plate code), Sevastopol's 92.
MERGED_TAX_CODES = {
    "80": "75",  # Агинский Бурятский АО → Забайкальский край (2008)
    "81": "59",  # Коми-Пермяцкий АО → Пермский край (2005)
    "82": "41",  # Корякский АО → Камчатский край (2007)
    "84": "24",  # Таймырский (Долгано-Ненецкий) АО → Красноярский край (2007)
    "85": "38",  # Усть-Ордынский Бурятский АО → Иркутская область (2008)
    "88": "24",  # Эвенкийский АО → Красноярский край (2007)
}
# Codes of no subject: 99 is Baikonur and the interregional inspections (the largest taxpayers), 00 none.
NO_REGION_TAX_CODES = frozenset({"00", "99"})


def _subject_code(code: str) -> str | None:
    if len(code) != 2 or not code.isdigit() or code in NO_REGION_TAX_CODES:
        return None
    return MERGED_TAX_CODES.get(code, code)


def tax_region_code(inn: str | None, ogrn: str | None = None) -> str | None:
    """The current tax code of the subject (``regions.tax_code``) where the enterprise was registered.

    Read from the first two digits of the ИНН, else from digits 4–5 of the ОГРН/ОГРНИП; the codes of
    merged subjects give the subject they merged into, and codes of no subject (99) give ``None``. The
    digits say where the tax number was issued, so an enterprise that moved keeps its old region here:
    the result is a default to confirm, never a fact.
    """
    inn, ogrn = _compact(inn), _compact(ogrn)
    if len(inn) in (10, 12) and inn.isdigit():
        code = _subject_code(inn[:2])
        if code:
            return code
    if len(ogrn) in (13, 15) and ogrn.isdigit():
        return _subject_code(ogrn[3:5])
    return None


def derived_region_id(inn: str | None, ogrn: str | None = None) -> int | None:
    """The id of the region :func:`tax_region_code` names, or ``None`` (no code, or not in the reference)."""

    code = tax_region_code(inn, ogrn)
    if code is None:
        return None
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == code))


def clean_kpp(value: str) -> str:
    value = _compact(value).upper()
    if not KPP_PATTERN.match(value):
        raise Refusal(_("The КПП must be 9 characters: 4 digits, 2 digits or letters, 3 digits."), "kpp")
    return value


def clean_okved(value: str, field="okved_main") -> str:
    value = (value or "").strip()
    if not OKVED_PATTERN.match(value):
        raise Refusal(
            _(
                "%(code)s is not an ОКВЭД 2 code: use the form 16, 16.1, 16.10, 16.10.1 or 16.10.11.",
                code=value,
            ),
            field,
        )
    return value


def clean_okved_list(value) -> list[str]:
    codes = value.replace(",", " ").replace(";", " ").split() if isinstance(value, str) else list(value or [])
    cleaned = []
    for code in codes:
        code = clean_okved(code, "okved_additional")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def clean_okpd2(value: str | None, field="okpd2") -> str:
    value = (value or "").strip()
    if not OKPD2_PATTERN.match(value):
        raise Refusal(
            _("%(code)s is not an ОКПД2 code: use the form 16.10 or 16.10.10.110.", code=value), field
        )
    return value


def industry_okved(code: str | None) -> bool:
    """Is an ОКВЭД code industrial (sections B, C, D, E: classes 05–39)?"""
    return code is not None and code[:2].isdigit() and 5 <= int(code[:2]) <= 39
