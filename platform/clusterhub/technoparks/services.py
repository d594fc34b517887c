"""Catalogue operations: technoparks, residents, zones, equipment and priced services.

Every function validates its input, raises :class:`Refusal` (with a translated message and the
field it concerns) on bad data, records the change in the audit log and flushes; the request commits.
Tenant-owned rows are created inside the caller's tenant scope (the ORM stamps ``tenant_id``).
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record, snapshot
from ..core.refusal import Refusal
from ..core.urls import InvalidWebAddress, clean_web_address
from ..enterprises.models import Enterprise
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant
from .models import (
    Audience,
    Equipment,
    EquipmentBooking,
    EquipmentCategory,
    EquipmentSpec,
    OfferStatus,
    RegisterStatus,
    Resident,
    ServiceCategory,
    ServiceEquipment,
    ServiceOffer,
    ServiceRequest,
    ServiceUnit,
    Technopark,
    TechnoparkKind,
    VatTreatment,
    Zone,
    ZoneKind,
    gross_price,
)

MAX_MONEY = Decimal("999999999999.99")
MAX_AREA = Decimal("9999999999.99")
CENT = Decimal("0.01")


# --- value cleaning ----------------------------------------------------------------------------------


def _decimal(value, field: str, label: str, maximum: Decimal) -> Decimal:
    """A non-negative amount with at most two decimals, from a Decimal, int or text like '1 500,50'."""
    if isinstance(value, float):
        # Floats cannot carry money exactly: go through their shortest text form.
        value = repr(value)
    if isinstance(value, str):
        text = re.sub(r"[\s\u00a0₽]", "", value).replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise Refusal(_("%(label)s must be a number, e.g. 1500 or 1500.50.", label=label), field) from exc
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise Refusal(_("%(label)s must be a number, e.g. 1500 or 1500.50.", label=label), field) from exc
    if not value.is_finite():
        raise Refusal(_("%(label)s must be a number, e.g. 1500 or 1500.50.", label=label), field)
    if value < 0:
        raise Refusal(_("%(label)s cannot be negative.", label=label), field)
    if value != value.quantize(CENT):
        raise Refusal(_("%(label)s can have at most two decimal places.", label=label), field)
    if value > maximum:
        raise Refusal(_("%(label)s is too large.", label=label), field)
    return value.quantize(CENT)


def clean_price(value, field: str = "price") -> Decimal:
    """A price in roubles: a number ≥ 0 with at most two decimals (kopecks)."""
    return _decimal(value, field, _("The price"), MAX_MONEY)


def clean_area(value, field: str = "area", required: bool = True) -> Decimal | None:
    """An area in m²: a number ≥ 0 with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Refusal(_("Give the area in m²."), field)
        return None
    return _decimal(value, field, _("The area"), MAX_AREA)


def _choice(value, enum_cls, field: str, message: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    try:
        return enum_cls(value).value
    except ValueError as exc:
        allowed = ", ".join(member.value for member in enum_cls)
        raise Refusal(f"{message} ({_('allowed: %(values)s', values=allowed)})", field) from exc


def _text(values: dict, key: str, max_length: int, required_message: str | None = None) -> str | None:
    value = values.get(key)
    value = value.strip() if isinstance(value, str) else value
    if not value:
        if required_message:
            raise Refusal(required_message, key)
        return None
    if len(value) > max_length:
        raise Refusal(_("At most %(n)s characters.", n=max_length), key)
    return value


def _search_text(*parts) -> str:
    return " ".join(p.strip().lower() for p in parts if p)


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "да", "x", "on"}
    return bool(value)


def _changed(obj, cleaned: dict) -> dict:
    return {key: value for key, value in cleaned.items() if getattr(obj, key) != value}


def enterprise_by_inn(inn: str, full_name: str, *, region_id=None, actor=None):
    """``enterprises.services.profiles.get_or_create_by_inn`` callable from a tenant page.

    The audit entry of a new enterprise has ``tenant_id`` NULL; it is written without ``INSERT ...
    RETURNING`` (see ``AuditEntry``), so a tenant scope accepts it and no federal scope is needed.
    """
    from ..enterprises.services.profiles import get_or_create_by_inn

    return get_or_create_by_inn(inn, full_name, region_id=region_id, actor=actor)


# --- technoparks ------------------------------------------------------------------------------------

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
    value = _text(values, key, max_length)
    try:
        return clean_web_address(value)
    except InvalidWebAddress as error:
        raise Refusal(str(error), key) from error


def clean_technopark(values: dict) -> dict:
    cleaned = {
        "name_ru": _text(values, "name_ru", 300, _("Give the technopark's name in Russian.")),
        "name_en": _text(values, "name_en", 300),
        "kind": _choice(values.get("kind"), TechnoparkKind, "kind", _("Choose the type of technopark.")),
        "register_status": _choice(
            values.get("register_status") or RegisterStatus.NOT_LISTED,
            RegisterStatus,
            "register_status",
            _("Choose the register status."),
        ),
        "address_ru": _text(values, "address_ru", 300),
        "address_en": _text(values, "address_en", 300),
        "description_ru": _text(values, "description_ru", 20000),
        "description_en": _text(values, "description_en", 20000),
        "contact_email": _text(values, "contact_email", 254),
        "contact_phone": _text(values, "contact_phone", 40),
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
    from ..billing.services import check_limit
    from ..tenancy.scoping import current_tenant_id

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
    changes = _changed(technopark, cleaned)
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


# --- residents --------------------------------------------------------------------------------------


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


# --- zones ------------------------------------------------------------------------------------------


def clean_zone(values: dict) -> dict:
    cleaned = {
        "name_ru": _text(values, "name_ru", 200, _("Give the zone's name in Russian.")),
        "name_en": _text(values, "name_en", 200),
        "kind": _choice(values.get("kind"), ZoneKind, "kind", _("Choose the kind of zone.")),
        "area": clean_area(values.get("area"), "area"),
        "free_area": clean_area(values.get("free_area"), "free_area", required=False) or Decimal("0.00"),
        "suitable_for_ru": _text(values, "suitable_for_ru", 500),
        "suitable_for_en": _text(values, "suitable_for_en", 500),
    }
    if cleaned["free_area"] > cleaned["area"]:
        raise Refusal(_("The free area cannot exceed the zone's area."), "free_area")
    return cleaned


def save_zone(technopark: Technopark, values: dict, zone: Zone | None = None, actor=None) -> Zone:
    cleaned = clean_zone(values)
    if zone is None:
        zone = Zone(technopark_id=technopark.id, **cleaned)
        db.session.add(zone)
        db.session.flush()
        record("technopark.zone_created", zone, actor=actor, after=cleaned)
    else:
        changes = _changed(zone, cleaned)
        before = snapshot(zone, changes)
        for key, value in changes.items():
            setattr(zone, key, value)
        db.session.flush()
        if changes:
            record("technopark.zone_updated", zone, actor=actor, before=before, after=changes)
    return zone


def delete_zone(zone: Zone, actor=None) -> None:
    """Delete a zone; its equipment stays, no longer placed in a zone."""
    db.session.execute(sa.update(Equipment).where(Equipment.zone_id == zone.id).values(zone_id=None))
    record("technopark.zone_deleted", zone, actor=actor, before={"name_ru": zone.name_ru})
    db.session.delete(zone)
    db.session.flush()


def zones(technopark: Technopark) -> list[Zone]:
    return list(
        db.session.scalars(sa.select(Zone).where(Zone.technopark_id == technopark.id).order_by(Zone.name_ru))
    )


# --- equipment --------------------------------------------------------------------------------------


def clean_specs(rows) -> list[dict]:
    """Key/value/unit rows; empty rows are dropped, a value without a key (or the reverse) is refused."""
    cleaned = []
    for row in rows or []:
        key = (row.get("key") or "").strip()
        value = (row.get("value") or "").strip()
        unit = (row.get("unit") or "").strip() or None
        if not key and not value and not unit:
            continue
        if not key or not value:
            raise Refusal(_("Each specification needs both a name and a value."), "specs")
        if len(key) > 120 or len(value) > 200 or (unit and len(unit) > 40):
            raise Refusal(
                _("A specification is too long (name 120, value 200, unit 40 characters)."), "specs"
            )
        cleaned.append({"key": key, "value": value, "unit": unit})
    return cleaned


def parse_specs(text: str) -> list[dict]:
    """Specifications written one per line (or separated by ';') as ``name: value unit`` or
    ``name = value [unit]``; the unit is the text after the last space when the value starts with a number."""
    rows = []
    for line in re.split(r"[\n;]", text or ""):
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^([^:=]+)[:=](.*)$", line)
        if not match:
            raise Refusal(
                _('Write each specification as "name: value unit", e.g. "Working area: 500×400 mm".'),
                "specs",
            )
        key, rest = match.group(1), match.group(2).strip()
        unit = None
        bracket = re.match(r"^(.*)\[(.+)\]$", rest)
        if bracket:
            rest, unit = bracket.group(1).strip(), bracket.group(2).strip()
        else:
            numeric = re.match(r"^([-+]?[\d.,×x]+)\s+(\S.*)$", rest)
            if numeric:
                rest, unit = numeric.group(1), numeric.group(2)
        rows.append({"key": key.strip(), "value": rest, "unit": unit})
    return clean_specs(rows)


def format_specs(specs) -> str:
    return "\n".join(f"{s.key}: {s.value}" + (f" [{s.unit}]" if s.unit else "") for s in specs)


def clean_equipment(technopark: Technopark, values: dict) -> dict:
    cleaned = {
        "name_ru": _text(values, "name_ru", 300, _("Give the equipment's name in Russian.")),
        "name_en": _text(values, "name_en", 300),
        "category": _choice(
            values.get("category"), EquipmentCategory, "category", _("Choose the equipment category.")
        ),
        "manufacturer": _text(values, "manufacturer", 200),
        "model": _text(values, "model", 200),
        "bookable": _bool(values.get("bookable")),
    }
    quantity = values.get("quantity")
    try:
        quantity = 1 if quantity in (None, "") else int(str(quantity).strip())
    except ValueError as exc:
        raise Refusal(_("The quantity must be a whole number of at least 1."), "quantity") from exc
    if quantity < 1:
        raise Refusal(_("The quantity must be a whole number of at least 1."), "quantity")
    cleaned["quantity"] = quantity
    zone_id = values.get("zone_id")
    if zone_id:
        zone = db.session.scalar(
            sa.select(Zone).where(Zone.id == int(zone_id), Zone.technopark_id == technopark.id)
        )
        if zone is None:
            raise Refusal(_("Choose a zone of this technopark."), "zone_id")
        cleaned["zone_id"] = zone.id
    else:
        cleaned["zone_id"] = None
    cleaned["search_text"] = _search_text(
        cleaned["name_ru"], cleaned["name_en"], cleaned["manufacturer"], cleaned["model"]
    )
    return cleaned


def save_equipment(
    technopark: Technopark, values: dict, specs=None, equipment: Equipment | None = None, actor=None
) -> Equipment:
    """Create or update a piece of equipment with its key specifications (replaced as a whole)."""
    cleaned = clean_equipment(technopark, values)
    spec_rows = clean_specs(specs) if specs is not None else None
    if equipment is None:
        equipment = Equipment(technopark_id=technopark.id, **cleaned)
        db.session.add(equipment)
        db.session.flush()
        record("technopark.equipment_created", equipment, actor=actor, after=cleaned)
    else:
        changes = _changed(equipment, cleaned)
        before = snapshot(equipment, changes)
        for key, value in changes.items():
            setattr(equipment, key, value)
        db.session.flush()
        if changes:
            record("technopark.equipment_updated", equipment, actor=actor, before=before, after=changes)
    if spec_rows is not None:
        _replace_specs(equipment, spec_rows)
    return equipment


def _replace_specs(equipment: Equipment, rows: list[dict]) -> None:
    db.session.execute(sa.delete(EquipmentSpec).where(EquipmentSpec.equipment_id == equipment.id))
    for position, row in enumerate(rows):
        db.session.add(EquipmentSpec(equipment_id=equipment.id, position=position, **row))
    db.session.flush()
    db.session.expire(equipment, ["specs"])


def delete_equipment(equipment: Equipment, actor=None) -> None:
    """Delete equipment that has never been booked; booked equipment keeps its history."""
    booked = db.session.scalar(
        sa.select(EquipmentBooking.id).where(EquipmentBooking.equipment_id == equipment.id).limit(1)
    )
    if booked:
        raise Refusal(_("This equipment has bookings and cannot be deleted; make it not bookable instead."))
    db.session.execute(sa.delete(ServiceEquipment).where(ServiceEquipment.equipment_id == equipment.id))
    db.session.execute(sa.delete(EquipmentSpec).where(EquipmentSpec.equipment_id == equipment.id))
    record("technopark.equipment_deleted", equipment, actor=actor, before={"name_ru": equipment.name_ru})
    db.session.delete(equipment)
    db.session.flush()


def equipment_list(technopark: Technopark) -> list[Equipment]:
    return list(
        db.session.scalars(
            sa.select(Equipment)
            .where(Equipment.technopark_id == technopark.id)
            .options(sa.orm.selectinload(Equipment.specs), sa.orm.joinedload(Equipment.zone))
            .order_by(Equipment.name_ru)
        ).unique()
    )


def get_equipment(equipment_id: int) -> Equipment | None:
    return db.session.scalar(sa.select(Equipment).where(Equipment.id == equipment_id))


# --- services ---------------------------------------------------------------------------------------

SERVICE_FIELDS = (
    "name_ru",
    "name_en",
    "description_ru",
    "description_en",
    "category",
    "unit",
    "price",
    "price_on_request",
    "vat",
    "lead_time_days",
    "audience",
    "status",
)


def clean_service(values: dict) -> dict:
    """Validate a service's fields: names, category, unit, price (≥ 0, kopecks) with its VAT treatment, or
    "price on request"."""
    cleaned = {
        "name_ru": _text(values, "name_ru", 300, _("Give the service's name in Russian.")),
        "name_en": _text(values, "name_en", 300),
        "description_ru": _text(values, "description_ru", 20000),
        "description_en": _text(values, "description_en", 20000),
        "category": _choice(
            values.get("category"), ServiceCategory, "category", _("Choose the service category.")
        ),
        "unit": _choice(
            values.get("unit"),
            ServiceUnit,
            "unit",
            _("Choose the unit: hour, day, piece, m² per month or project."),
        ),
        "vat": _choice(
            values.get("vat") or VatTreatment.PLUS_20,
            VatTreatment,
            "vat",
            _("Choose how VAT applies: plus 20%, included (20%), exempt, or not subject (УСН)."),
        ),
        "audience": _choice(
            values.get("audience") or Audience.ANYONE, Audience, "audience", _("Choose who may order.")
        ),
        "status": _choice(
            values.get("status") or OfferStatus.DRAFT, OfferStatus, "status", _("Choose draft or published.")
        ),
        "price_on_request": _bool(values.get("price_on_request")),
    }
    price = values.get("price")
    has_price = not (price is None or (isinstance(price, str) and not price.strip()))
    if cleaned["price_on_request"]:
        cleaned["price"] = clean_price(price) if has_price else None
    elif not has_price:
        raise Refusal(_('Give the price, or tick "price on request".'), "price")
    else:
        cleaned["price"] = clean_price(price)
    lead = values.get("lead_time_days")
    if lead is None or (isinstance(lead, str) and not lead.strip()):
        cleaned["lead_time_days"] = None
    else:
        try:
            cleaned["lead_time_days"] = int(str(lead).strip())
        except ValueError as exc:
            raise Refusal(_("The lead time must be a whole number of days."), "lead_time_days") from exc
        if not 0 <= cleaned["lead_time_days"] <= 3650:
            raise Refusal(_("The lead time must be between 0 and 3650 days."), "lead_time_days")
    cleaned["gross_price"] = gross_price(cleaned["price"], cleaned["vat"])
    cleaned["search_text"] = _search_text(
        cleaned["name_ru"], cleaned["name_en"], cleaned["description_ru"], cleaned["description_en"]
    )
    return cleaned


def save_service(
    technopark: Technopark,
    values: dict,
    equipment_ids=None,
    service: ServiceOffer | None = None,
    actor=None,
) -> ServiceOffer:
    """Create or update a service; ``equipment_ids`` (when given) replaces the linked equipment."""
    cleaned = clean_service(values)
    if service is None:
        service = ServiceOffer(technopark_id=technopark.id, **cleaned)
        db.session.add(service)
        db.session.flush()
        record("technopark.service_created", service, actor=actor, after=_audit_values(cleaned))
    else:
        changes = _changed(service, cleaned)
        before = snapshot(service, changes)
        for key, value in changes.items():
            setattr(service, key, value)
        db.session.flush()
        changes.pop("search_text", None)
        before.pop("search_text", None)
        if changes:
            record("technopark.service_updated", service, actor=actor, before=before, after=changes)
    if equipment_ids is not None:
        link_equipment(service, equipment_ids)
    return service


def _audit_values(cleaned: dict) -> dict:
    return {k: v for k, v in cleaned.items() if k != "search_text"}


def link_equipment(service: ServiceOffer, equipment_ids) -> None:
    wanted = {int(i) for i in equipment_ids}
    if wanted:
        found = set(
            db.session.scalars(
                sa.select(Equipment.id).where(
                    Equipment.id.in_(wanted), Equipment.technopark_id == service.technopark_id
                )
            )
        )
        if found != wanted:
            raise Refusal(_("Choose equipment of this technopark."), "equipment_ids")
    current = set(
        db.session.scalars(
            sa.select(ServiceEquipment.equipment_id).where(ServiceEquipment.service_id == service.id)
        )
    )
    if current == wanted:
        return
    db.session.execute(
        sa.delete(ServiceEquipment).where(
            ServiceEquipment.service_id == service.id, ServiceEquipment.equipment_id.in_(current - wanted)
        )
    )
    for equipment_id in sorted(wanted - current):
        db.session.add(ServiceEquipment(service_id=service.id, equipment_id=equipment_id))
    db.session.flush()


def linked_equipment(service: ServiceOffer) -> list[Equipment]:
    return list(
        db.session.scalars(
            sa.select(Equipment)
            .join(ServiceEquipment, ServiceEquipment.equipment_id == Equipment.id)
            .where(ServiceEquipment.service_id == service.id)
            .order_by(Equipment.name_ru)
        )
    )


def set_service_status(service: ServiceOffer, status: str, actor=None) -> ServiceOffer:
    status = _choice(status, OfferStatus, "status", _("Choose draft or published."))
    if service.status != status:
        before = {"status": service.status}
        service.status = status
        db.session.flush()
        record("technopark.service_status", service, actor=actor, before=before, after={"status": status})
    return service


def delete_service(service: ServiceOffer, actor=None) -> None:
    """Delete a service nobody has requested; a requested one is unpublished instead (history is kept)."""
    requested = db.session.scalar(
        sa.select(ServiceRequest.id).where(ServiceRequest.service_id == service.id).limit(1)
    )
    if requested:
        raise Refusal(_("This service has requests and cannot be deleted; move it to drafts instead."))
    db.session.execute(sa.delete(ServiceEquipment).where(ServiceEquipment.service_id == service.id))
    record("technopark.service_deleted", service, actor=actor, before={"name_ru": service.name_ru})
    db.session.delete(service)
    db.session.flush()


def services_of(technopark: Technopark, published_only: bool = False):
    statement = sa.select(ServiceOffer).where(ServiceOffer.technopark_id == technopark.id)
    if published_only:
        statement = statement.where(ServiceOffer.status == OfferStatus.PUBLISHED)
    return statement.order_by(ServiceOffer.category, ServiceOffer.name_ru)


def get_service(service_id: int) -> ServiceOffer | None:
    return db.session.scalar(sa.select(ServiceOffer).where(ServiceOffer.id == service_id))
