"""The fields of an offer or request checked and normalised, and the rows of its codes."""

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ....core.refusal import Refusal
from ....enterprises.services.identifiers import OKVED_PATTERN
from ....extensions import db
from ....projects.services.rules import OKPD2_PATTERN
from ....regions.models import FEDERAL_DISTRICTS, Region
from .. import matching
from ..models import (
    CooperationKind,
    CooperationOffer,
    CooperationOfferCode,
    EntryKind,
)

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _code_list(value, pattern, system_label: str, field_name: str) -> list[str]:
    codes = value.replace(",", " ").replace(";", " ").split() if isinstance(value, str) else list(value or [])
    cleaned = []
    for code in codes:
        code = str(code).strip()
        if not pattern.match(code):
            raise Refusal(
                _("%(code)s is not an %(system)s code.", code=code, system=system_label), field_name
            )
        if code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > 20:
        raise Refusal(_("Give at most 20 codes."), field_name)
    return cleaned


def _date(value, field_name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Refusal(_("Give the date as YYYY-MM-DD."), field_name) from None


def _text(values, name, limit, required=False) -> str | None:
    value = values.get(name)
    value = str(value).strip() if value is not None else ""
    if required and not value:
        raise Refusal(_("This field is required."), name)
    if len(value) > limit:
        raise Refusal(_("At most %(n)d characters.", n=limit), name)
    return value or None


def clean_values(values: dict) -> dict:
    """Check and normalise the fields of an offer or request; refuses with the field's name."""
    cleaned = {}
    if "kind_of_entry" in values:
        if values["kind_of_entry"] not in set(EntryKind):
            raise Refusal(_("Choose an offer or a request."), "kind_of_entry")
        cleaned["kind_of_entry"] = str(values["kind_of_entry"])
    if values.get("kind") not in set(CooperationKind):
        raise Refusal(_("Choose the kind of cooperation."), "kind")
    cleaned["kind"] = str(values["kind"])
    cleaned["title_ru"] = _text(values, "title_ru", 300, required=True)
    cleaned["title_en"] = _text(values, "title_en", 300)
    cleaned["description_ru"] = _text(values, "description_ru", 10_000, required=True)
    cleaned["description_en"] = _text(values, "description_en", 10_000)
    okved = _code_list(values.get("okved_codes"), OKVED_PATTERN, "ОКВЭД 2", "okved_codes")
    okpd2 = _code_list(values.get("okpd2_codes"), OKPD2_PATTERN, "ОКПД 2", "okpd2_codes")
    if not okved and not okpd2:
        raise Refusal(
            _("Give at least one ОКПД 2 or ОКВЭД 2 code: the matching starts from them."), "okpd2_codes"
        )
    cleaned["okved_codes"] = f" {' '.join(okved)} " if okved else ""
    cleaned["okpd2_codes"] = f" {' '.join(okpd2)} " if okpd2 else ""
    districts = [str(d) for d in (values.get("served_districts") or [])]
    for district in districts:
        if district not in FEDERAL_DISTRICTS:
            raise Refusal(_("Unknown federal district %(code)s.", code=district), "served_districts")
    try:
        region_ids = sorted({int(r) for r in (values.get("served_region_ids") or [])})
    except (TypeError, ValueError):
        raise Refusal(_("Unknown region."), "served_region_ids") from None
    if region_ids:
        known = set(db.session.scalars(sa.select(Region.id).where(Region.id.in_(region_ids))))
        if known != set(region_ids):
            raise Refusal(_("Unknown region."), "served_region_ids")
    cleaned["served_districts"] = f" {' '.join(sorted(set(districts)))} " if districts else ""
    cleaned["served_region_ids"] = f" {' '.join(map(str, region_ids))} " if region_ids else ""
    cleaned["volume"] = _text(values, "volume", 300)
    cleaned["terms"] = _text(values, "terms", 5_000)
    cleaned["valid_from"] = _date(values.get("valid_from"), "valid_from")
    cleaned["valid_until"] = _date(values.get("valid_until"), "valid_until")
    if cleaned["valid_from"] and cleaned["valid_until"] and cleaned["valid_until"] < cleaned["valid_from"]:
        raise Refusal(_("The end of validity comes before its start."), "valid_until")
    cleaned["contact_name"] = _text(values, "contact_name", 200, required=True)
    cleaned["contact_email"] = _text(values, "contact_email", 254)
    if cleaned["contact_email"] and not EMAIL_PATTERN.match(cleaned["contact_email"]):
        raise Refusal(_("Enter a valid e-mail address."), "contact_email")
    cleaned["contact_phone"] = _text(values, "contact_phone", 40)
    if not cleaned["contact_email"] and not cleaned["contact_phone"]:
        raise Refusal(_("Give an e-mail address or a phone of the contact person."), "contact_email")
    return cleaned


def code_rows(offer: CooperationOffer) -> list[CooperationOfferCode]:
    rows = []
    for system, codes in (("okpd2", offer.okpd2_list), ("okved", offer.okved_list)):
        for code in codes:
            digits = matching.digits(code)
            rows.append(
                CooperationOfferCode(
                    system=system,
                    code=code,
                    class_code=digits[:2],
                    group_code=matching.dotted(digits[:3]) if len(digits) >= 3 else None,
                )
            )
    return rows
