"""The equipment of a technopark and its key specifications.

Every function validates its input, raises :class:`Refusal` (with a translated message and the
field it concerns) on bad data, records the change in the audit log and flushes; the request commits.
"""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record, snapshot
from ...core.refusal import Refusal
from ...extensions import db
from ..models import (
    Equipment,
    EquipmentBooking,
    EquipmentCategory,
    EquipmentSpec,
    ServiceEquipment,
    Technopark,
    Zone,
)
from .values import changed_fields, clean_bool, clean_choice, clean_text, search_text


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
        "name_ru": clean_text(values, "name_ru", 300, _("Give the equipment's name in Russian.")),
        "name_en": clean_text(values, "name_en", 300),
        "category": clean_choice(
            values.get("category"), EquipmentCategory, "category", _("Choose the equipment category.")
        ),
        "manufacturer": clean_text(values, "manufacturer", 200),
        "model": clean_text(values, "model", 200),
        "bookable": clean_bool(values.get("bookable")),
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
    cleaned["search_text"] = search_text(
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
        changes = changed_fields(equipment, cleaned)
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
