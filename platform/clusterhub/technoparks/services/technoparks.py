"""Technoparks and their residents.

Every function validates its input, raises :class:`Refusal` (with a translated message and the
field it concerns) on bad data, records the change in the audit log and flushes; the request commits.
Tenant-owned rows are created inside the caller's tenant scope (the ORM stamps ``tenant_id``).
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record, snapshot
from ...billing.services import check_limit
from ...core.refusal import Refusal
from ...core.urls import InvalidWebAddress, clean_web_address
from ...enterprises.models import Enterprise
from ...enterprises.services.profiles import get_or_create_by_inn
from ...extensions import db
from ...regions.models import Region
from ...tenancy.models import Tenant
from ...tenancy.scoping import current_tenant_id
from ..models import RegisterStatus, Resident, Technopark, TechnoparkKind
from .values import changed_fields, clean_area, clean_choice, clean_text


def enterprise_by_inn(inn: str, full_name: str, *, region_id=None, actor=None):
    """``enterprises.services.profiles.get_or_create_by_inn`` callable from a tenant page.

    The audit entry of a new enterprise has ``tenant_id`` NULL; it is written without ``INSERT ...
    RETURNING`` (see ``AuditEntry``), so a tenant scope accepts it and no federal scope is needed.
    """
    return get_or_create_by_inn(inn, full_name, region_id=region_id, actor=actor)


TECHNOPARK_FIELDS = (
    "name_ru",
    "name_en",
    "operator_id",
    "kind",
    "register_status",
    "address_ru",
    "address_en",
    "region_id",
    "description_ru",
    "description_en",
    "contact_email",
    "contact_phone",
    "website",
    "total_area",
    "useful_area",
)


def _web_address(values: dict, key: str, max_length: int) -> str | None:
    value = clean_text(values, key, max_length)
    try:
        return clean_web_address(value)
    except InvalidWebAddress as error:
        raise Refusal(str(error), key) from error


def clean_technopark(values: dict) -> dict:
    cleaned = {
        "name_ru": clean_text(values, "name_ru", 300, _("Give the technopark's name in Russian.")),
        "name_en": clean_text(values, "name_en", 300),
        "kind": clean_choice(values.get("kind"), TechnoparkKind, "kind", _("Choose the type of technopark.")),
        "register_status": clean_choice(
            values.get("register_status") or RegisterStatus.NOT_LISTED,
            RegisterStatus,
            "register_status",
            _("Choose the register status."),
        ),
        "address_ru": clean_text(values, "address_ru", 300),
        "address_en": clean_text(values, "address_en", 300),
        "description_ru": clean_text(values, "description_ru", 20000),
        "description_en": clean_text(values, "description_en", 20000),
        "contact_email": clean_text(values, "contact_email", 254),
        "contact_phone": clean_text(values, "contact_phone", 40),
        "website": _web_address(values, "website", 200),
        "total_area": clean_area(values.get("total_area"), "total_area", required=False),
        "useful_area": clean_area(values.get("useful_area"), "useful_area", required=False),
    }
    region_id = values.get("region_id")
    if not region_id or db.session.get(Region, int(region_id)) is None:
        raise Refusal(_("Choose the region."), "region_id")
    cleaned["region_id"] = int(region_id)
    operator_id = values.get("operator_id")
    if operator_id:
        if db.session.get(Enterprise, int(operator_id)) is None:
            raise Refusal(_("The operating enterprise was not found."), "operator_id")
        cleaned["operator_id"] = int(operator_id)
    else:
        cleaned["operator_id"] = None
    if (
        cleaned["total_area"] is not None
        and cleaned["useful_area"] is not None
        and cleaned["useful_area"] > cleaned["total_area"]
    ):
        raise Refusal(_("The useful area cannot exceed the total area."), "useful_area")
    return cleaned


def create_technopark(values: dict, actor=None) -> Technopark:
    """A new technopark of the current tenant (within the plan's technopark limit)."""
    tenant = db.session.get(Tenant, current_tenant_id(db.session))
    # a LimitReached (402: the plan, not the input, is in the way) goes to the caller as it is
    check_limit(tenant, "technoparks", db.session.scalar(sa.select(sa.func.count()).select_from(Technopark)))
    cleaned = clean_technopark(values)
    technopark = Technopark(**cleaned)
    db.session.add(technopark)
    db.session.flush()
    record("technopark.created", technopark, actor=actor, after=cleaned)
    return technopark


def update_technopark(technopark: Technopark, values: dict, actor=None) -> Technopark:
    cleaned = clean_technopark(values)
    changes = changed_fields(technopark, cleaned)
    if changes:
        before = snapshot(technopark, changes)
        for key, value in changes.items():
            setattr(technopark, key, value)
        db.session.flush()
        record("technopark.updated", technopark, actor=actor, before=before, after=changes)
    return technopark


def technoparks() -> list[Technopark]:
    """The current tenant's technoparks, by name."""
    return list(db.session.scalars(sa.select(Technopark).order_by(Technopark.name_ru)))


def get_technopark(technopark_id: int) -> Technopark | None:
    return db.session.scalar(sa.select(Technopark).where(Technopark.id == technopark_id))


def add_resident(
    technopark: Technopark, enterprise: Enterprise, since: date, until: date | None = None, actor=None
) -> Resident:
    """Record that ``enterprise`` is (or was) a resident from ``since`` to ``until`` (open-ended if None)."""
    if since is None:
        raise Refusal(_("Give the date the residency started."), "since")
    if until is not None and until < since:
        raise Refusal(_("The residency cannot end before it starts."), "until")
    overlapping = db.session.scalar(
        sa.select(Resident.id).where(
            Resident.technopark_id == technopark.id,
            Resident.enterprise_id == enterprise.id,
            sa.or_(Resident.until.is_(None), Resident.until >= since),
            Resident.since <= (until or date.max),
        )
    )
    if overlapping:
        raise Refusal(
            _("%(name)s is already a resident during these dates.", name=enterprise.name), "enterprise"
        )
    resident = Resident(technopark_id=technopark.id, enterprise_id=enterprise.id, since=since, until=until)
    db.session.add(resident)
    db.session.flush()
    record(
        "technopark.resident_added",
        technopark,
        actor=actor,
        after={"enterprise": enterprise.inn, "since": since, "until": until},
    )
    return resident


def end_residency(resident: Resident, until: date, actor=None) -> Resident:
    if until < resident.since:
        raise Refusal(_("The residency cannot end before it starts."), "until")
    before = {"until": resident.until}
    resident.until = until
    db.session.flush()
    record("technopark.resident_ended", resident, actor=actor, before=before, after={"until": until})
    return resident


def residents(technopark: Technopark) -> list[Resident]:
    return list(
        db.session.scalars(
            sa.select(Resident)
            .where(Resident.technopark_id == technopark.id)
            .options(sa.orm.joinedload(Resident.enterprise))
            .order_by(Resident.since.desc())
        )
    )


def is_resident(technopark_id: int, enterprise_id: int, on: date | None = None) -> bool:
    on = on or date.today()
    return (
        db.session.scalar(
            sa.select(Resident.id).where(
                Resident.technopark_id == technopark_id,
                Resident.enterprise_id == enterprise_id,
                Resident.since <= on,
                sa.or_(Resident.until.is_(None), Resident.until >= on),
            )
        )
        is not None
    )
