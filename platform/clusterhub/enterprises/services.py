"""Enterprise profiles: validation of identifiers and finding or creating a profile by ИНН."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

from ..audit.services import record
from ..extensions import db
from .models import Enterprise

KPP_PATTERN = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")


class EnterpriseError(ValueError):
    """Invalid enterprise data; the message is shown to the user."""


def clean_inn(value: str) -> str:
    """A valid ИНН (10 digits for an organisation, 12 for an individual), checksum verified."""
    value = re.sub(r"\s", "", value or "")
    try:
        return inn_number.validate(value)
    except StdnumError as exc:
        raise EnterpriseError(_("The ИНН %(inn)s is not valid: check the digits.", inn=value)) from exc


def clean_ogrn(value: str) -> str:
    value = re.sub(r"\s", "", value or "")
    try:
        return ogrn_number.validate(value)
    except StdnumError as exc:
        raise EnterpriseError(_("The ОГРН %(ogrn)s is not valid: check the digits.", ogrn=value)) from exc


def clean_kpp(value: str) -> str:
    value = re.sub(r"\s", "", value or "").upper()
    if not KPP_PATTERN.match(value):
        raise EnterpriseError(_("The КПП must be 9 characters: 4 digits, 2 digits or letters, 3 digits."))
    return value


def find_by_inn(inn: str) -> Enterprise | None:
    return db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == clean_inn(inn)))


def get_or_create_by_inn(inn: str, full_name: str, *, region_id=None, actor=None) -> tuple[Enterprise, bool]:
    """The one profile for this ИНН, created (with ``full_name``) if it does not exist yet.

    Returns ``(enterprise, created)``. One profile per ИНН is also guaranteed by a unique index.
    """
    inn = clean_inn(inn)
    existing = db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == inn))
    if existing is not None:
        return existing, False
    if not (full_name or "").strip():
        raise EnterpriseError(_("Give the organisation's name."))
    enterprise = Enterprise(inn=inn, full_name=full_name.strip(), region_id=region_id)
    db.session.add(enterprise)
    db.session.flush()
    record(
        "enterprise.created", enterprise, actor=actor, after={"inn": inn, "full_name": enterprise.full_name}
    )
    return enterprise, True
