"""Enterprise profiles: validation of identifiers and finding or creating a profile by ИНН."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

from ..audit.services import record
from ..extensions import db
from ..tenancy.models import utcnow
from .models import Enterprise, EnterpriseRepresentative, RepresentativeRole, RepresentativeStatus

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


def represented_enterprises(user) -> list[Enterprise]:
    """Enterprises for which ``user`` is a confirmed representative."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            sa.select(Enterprise)
            .join(EnterpriseRepresentative, EnterpriseRepresentative.enterprise_id == Enterprise.id)
            .where(
                EnterpriseRepresentative.user_id == user.id,
                EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
            )
            .order_by(Enterprise.full_name)
        )
    )


def is_representative(user, enterprise, role: str | None = None) -> bool:
    """Is ``user`` a confirmed representative of ``enterprise`` (with ``role``, if given)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    statement = sa.select(EnterpriseRepresentative.id).where(
        EnterpriseRepresentative.user_id == user.id,
        EnterpriseRepresentative.enterprise_id == enterprise.id,
        EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
    )
    if role is not None:
        statement = statement.where(EnterpriseRepresentative.role == role)
    return db.session.scalar(statement) is not None


def add_representative(
    enterprise: Enterprise, user, role: str = RepresentativeRole.OWNER, *, confirmed=False, actor=None
) -> EnterpriseRepresentative:
    """Link a user to an enterprise (confirmed directly when ``confirmed``, e.g. in demo data and tests)."""
    link = EnterpriseRepresentative(
        enterprise_id=enterprise.id,
        user_id=user.id,
        role=role,
        status=RepresentativeStatus.CONFIRMED if confirmed else RepresentativeStatus.PENDING,
        confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(link)
    db.session.flush()
    record(
        "enterprise.representative_added",
        enterprise,
        actor=actor,
        after={"user": user.email, "role": role, "status": link.status},
    )
    return link
