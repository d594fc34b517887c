"""The priced services of a technopark (offers), their VAT and the equipment they use.

Every function validates its input, raises :class:`Refusal` (with a translated message and the
field it concerns) on bad data, records the change in the audit log and flushes; the request commits.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record, snapshot
from ...core.refusal import Refusal
from ...extensions import db
from ..models import (
    Audience,
    Equipment,
    OfferStatus,
    ServiceCategory,
    ServiceEquipment,
    ServiceOffer,
    ServiceRequest,
    ServiceUnit,
    Technopark,
    VatTreatment,
    gross_price,
)
from .values import changed_fields, clean_bool, clean_choice, clean_price, clean_text, search_text

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
        "name_ru": clean_text(values, "name_ru", 300, _("Give the service's name in Russian.")),
        "name_en": clean_text(values, "name_en", 300),
        "description_ru": clean_text(values, "description_ru", 20000),
        "description_en": clean_text(values, "description_en", 20000),
        "category": clean_choice(
            values.get("category"), ServiceCategory, "category", _("Choose the service category.")
        ),
        "unit": clean_choice(
            values.get("unit"),
            ServiceUnit,
            "unit",
            _("Choose the unit: hour, day, piece, m² per month or project."),
        ),
        "vat": clean_choice(
            values.get("vat") or VatTreatment.PLUS_20,
            VatTreatment,
            "vat",
            _("Choose how VAT applies: plus 20%, included (20%), exempt, or not subject (УСН)."),
        ),
        "audience": clean_choice(
            values.get("audience") or Audience.ANYONE, Audience, "audience", _("Choose who may order.")
        ),
        "status": clean_choice(
            values.get("status") or OfferStatus.DRAFT, OfferStatus, "status", _("Choose draft or published.")
        ),
        "price_on_request": clean_bool(values.get("price_on_request")),
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
    cleaned["search_text"] = search_text(
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
        changes = changed_fields(service, cleaned)
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
    status = clean_choice(status, OfferStatus, "status", _("Choose draft or published."))
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
