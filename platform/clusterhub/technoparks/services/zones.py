"""The zones of a technopark (production, office, laboratory... space with its free area).

Every function validates its input, raises :class:`Refusal` (with a translated message and the
field it concerns) on bad data, records the change in the audit log and flushes; the request commits.
"""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record, snapshot
from ...core.refusal import Refusal
from ...extensions import db
from ..models import Equipment, Technopark, Zone, ZoneKind
from .values import changed_fields, clean_area, clean_choice, clean_text


def clean_zone(values: dict) -> dict:
    cleaned = {
        "name_ru": clean_text(values, "name_ru", 200, _("Give the zone's name in Russian.")),
        "name_en": clean_text(values, "name_en", 200),
        "kind": clean_choice(values.get("kind"), ZoneKind, "kind", _("Choose the kind of zone.")),
        "area": clean_area(values.get("area"), "area"),
        "free_area": clean_area(values.get("free_area"), "free_area", required=False) or Decimal("0.00"),
        "suitable_for_ru": clean_text(values, "suitable_for_ru", 500),
        "suitable_for_en": clean_text(values, "suitable_for_en", 500),
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
        changes = changed_fields(zone, cleaned)
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
