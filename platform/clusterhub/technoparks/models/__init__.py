"""Technopark catalogues (tenant-owned): the technopark with its residents and zones (``technoparks``),
its equipment (``equipment``) and priced services (``offers``), the service requests enterprises send
(``requests``), the time bookings of equipment (``bookings``) and stored files (``attachments``).

Every model is imported here, so ``from clusterhub.technoparks.models import ServiceOffer`` works and
SQLAlchemy knows all of them when the mappers are configured. Money is ``Numeric(14, 2)`` roubles
(``Decimal``), areas ``Numeric(12, 2)`` m², datetimes naive UTC.
"""

from .attachments import RequestAttachment, TechnoparkPhoto
from .bookings import BOOKING_STATUS_LABELS, BookingKind, BookingStatus, EquipmentBooking
from .equipment import EQUIPMENT_CATEGORY_LABELS, Equipment, EquipmentCategory, EquipmentSpec
from .offers import (
    AUDIENCE_LABELS,
    MONEY,
    OFFER_STATUS_LABELS,
    SERVICE_CATEGORY_LABELS,
    SERVICE_UNIT_LABELS,
    VAT_LABELS,
    VAT_RATE,
    Audience,
    OfferStatus,
    ServiceCategory,
    ServiceEquipment,
    ServiceOffer,
    ServiceUnit,
    VatTreatment,
    gross_price,
)
from .requests import REQUEST_STATUS_LABELS, RequestStatus, ServiceRequest, ServiceRequestEvent
from .technoparks import (
    AREA,
    REGISTER_STATUS_LABELS,
    TECHNOPARK_KIND_LABELS,
    ZONE_KIND_LABELS,
    RegisterStatus,
    Resident,
    Technopark,
    TechnoparkKind,
    Zone,
    ZoneKind,
)

__all__ = [
    "AREA",
    "AUDIENCE_LABELS",
    "Audience",
    "BOOKING_STATUS_LABELS",
    "BookingKind",
    "BookingStatus",
    "EQUIPMENT_CATEGORY_LABELS",
    "Equipment",
    "EquipmentBooking",
    "EquipmentCategory",
    "EquipmentSpec",
    "MONEY",
    "OFFER_STATUS_LABELS",
    "OfferStatus",
    "REGISTER_STATUS_LABELS",
    "REQUEST_STATUS_LABELS",
    "RegisterStatus",
    "RequestAttachment",
    "RequestStatus",
    "Resident",
    "SERVICE_CATEGORY_LABELS",
    "SERVICE_UNIT_LABELS",
    "ServiceCategory",
    "ServiceEquipment",
    "ServiceOffer",
    "ServiceRequest",
    "ServiceRequestEvent",
    "ServiceUnit",
    "TECHNOPARK_KIND_LABELS",
    "Technopark",
    "TechnoparkKind",
    "TechnoparkPhoto",
    "VAT_LABELS",
    "VAT_RATE",
    "VatTreatment",
    "ZONE_KIND_LABELS",
    "Zone",
    "ZoneKind",
    "gross_price",
]
