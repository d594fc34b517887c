"""Import and export of a technopark's services and equipment as CSV or XLSX.

An import is all-or-nothing: every row is validated with the same rules as the forms; if any row is
wrong, nothing is written and the errors are reported with their row numbers. Rows are matched to
existing items by their Russian name (updated), the others are created.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core import exports
from ...core.refusal import Refusal
from ...core.tables import read_table
from ...extensions import db
from ..models import Equipment, ServiceEquipment, Technopark, Zone
from .equipment import clean_equipment, equipment_list, parse_specs, save_equipment
from .offers import clean_service, save_service, services_of
from .zones import zones

SERVICE_COLUMNS = [
    "name_ru",
    "name_en",
    "category",
    "unit",
    "price",
    "price_on_request",
    "vat",
    "lead_time_days",
    "audience",
    "status",
    "description_ru",
    "description_en",
    "equipment",
]
EQUIPMENT_COLUMNS = [
    "name_ru",
    "name_en",
    "category",
    "manufacturer",
    "model",
    "quantity",
    "zone",
    "bookable",
    "specs",
]
MAX_ROWS = 5000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # (row number, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(filename: str, data: bytes) -> list[dict]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file as dicts keyed by the header row."""
    values = read_table(filename, data)
    header = [(cell or "").strip().lower() for cell in values[0]]
    if "name_ru" not in header:
        raise Refusal(_("The first row must hold the column names, including name_ru."))
    if len(values) - 1 > MAX_ROWS:
        raise Refusal(_("At most %(n)s rows can be imported at once.", n=MAX_ROWS))
    return [
        {header[i]: (cell or "").strip() for i, cell in enumerate(row) if i < len(header)}
        for row in values[1:]
    ]


def import_services(technopark: Technopark, rows: list[dict], actor=None) -> ImportReport:
    """Validate every row, then write all of them or none (in a savepoint)."""
    report = ImportReport()
    existing = {s.name_ru: s for s in db.session.scalars(services_of(technopark))}
    equipment_by_name = {e.name_ru: e.id for e in equipment_list(technopark)}
    planned = []
    seen = set()
    for number, row in enumerate(rows, start=2):
        try:
            clean_service(row)
            names = [n.strip() for n in (row.get("equipment") or "").split(";") if n.strip()]
            missing = [n for n in names if n not in equipment_by_name]
            if missing:
                raise Refusal(_("Unknown equipment: %(names)s.", names=", ".join(missing)), "equipment")
            if row["name_ru"] in seen:
                raise Refusal(_("The service appears twice in the file."), "name_ru")
            seen.add(row["name_ru"])
            planned.append((row, [equipment_by_name[n] for n in names]))
        except Refusal as error:
            report.errors.append((number, _column_message(error)))
    if report.errors:
        return report
    with db.session.begin_nested():
        for row, equipment_ids in planned:
            service = existing.get(row["name_ru"].strip())
            save_service(technopark, row, equipment_ids, service=service, actor=actor)
            if service is None:
                report.created += 1
            else:
                report.updated += 1
    record(
        "technopark.services_imported",
        technopark,
        actor=actor,
        after={"created": report.created, "updated": report.updated},
    )
    return report


def import_equipment(technopark: Technopark, rows: list[dict], actor=None) -> ImportReport:
    report = ImportReport()
    existing = {e.name_ru: e for e in equipment_list(technopark)}
    zone_by_name = {z.name_ru: z.id for z in zones(technopark)}
    planned = []
    seen = set()
    for number, row in enumerate(rows, start=2):
        try:
            zone_name = (row.get("zone") or "").strip()
            if zone_name and zone_name not in zone_by_name:
                raise Refusal(_("Unknown zone: %(name)s.", name=zone_name), "zone")
            values = {**row, "zone_id": zone_by_name.get(zone_name)}
            clean_equipment(technopark, values)
            specs = parse_specs(row.get("specs") or "")
            if row["name_ru"] in seen:
                raise Refusal(_("The equipment appears twice in the file."), "name_ru")
            seen.add(row["name_ru"])
            planned.append((values, specs))
        except Refusal as error:
            report.errors.append((number, _column_message(error)))
    if report.errors:
        return report
    with db.session.begin_nested():
        for values, specs in planned:
            equipment = existing.get(values["name_ru"].strip())
            save_equipment(technopark, values, specs, equipment=equipment, actor=actor)
            if equipment is None:
                report.created += 1
            else:
                report.updated += 1
    record(
        "technopark.equipment_imported",
        technopark,
        actor=actor,
        after={"created": report.created, "updated": report.updated},
    )
    return report


def _column_message(error: Refusal) -> str:
    return f"{error.field}: {error}" if error.field else str(error)


def service_rows(technopark: Technopark) -> list[list]:
    links = db.session.execute(
        sa.select(ServiceEquipment.service_id, Equipment.name_ru)
        .join(Equipment, Equipment.id == ServiceEquipment.equipment_id)
        .where(Equipment.technopark_id == technopark.id)
        .order_by(Equipment.name_ru)
    ).all()
    by_service: dict = {}
    for service_id, name in links:
        by_service.setdefault(service_id, []).append(name)
    rows = [SERVICE_COLUMNS]
    for s in db.session.scalars(services_of(technopark)):
        rows.append(
            [
                s.name_ru,
                s.name_en or "",
                s.category,
                s.unit,
                "" if s.price is None else str(s.price),
                "yes" if s.price_on_request else "",
                s.vat,
                "" if s.lead_time_days is None else s.lead_time_days,
                s.audience,
                s.status,
                s.description_ru or "",
                s.description_en or "",
                "; ".join(by_service.get(s.id, [])),
            ]
        )
    return rows


def equipment_rows(technopark: Technopark) -> list[list]:
    zone_names = {
        z.id: z.name_ru
        for z in db.session.scalars(sa.select(Zone).where(Zone.technopark_id == technopark.id))
    }
    rows = [EQUIPMENT_COLUMNS]
    for e in equipment_list(technopark):
        rows.append(
            [
                e.name_ru,
                e.name_en or "",
                e.category,
                e.manufacturer or "",
                e.model or "",
                e.quantity,
                zone_names.get(e.zone_id, ""),
                "yes" if e.bookable else "",
                "; ".join(f"{s.key}: {s.value}" + (f" [{s.unit}]" if s.unit else "") for s in e.specs),
            ]
        )
    return rows


def to_csv(rows: list[list]) -> bytes:
    return exports.csv_bytes(None, rows)


def to_xlsx(rows: list[list]) -> bytes:
    return exports.xlsx_bytes(None, rows)
