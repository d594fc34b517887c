"""Staff import a delegation (a company's people, from one file) into a session: preview, then all or nothing.

The file is read by the core's table reader (CSV or XLSX, size-capped). Every row is checked with the
registration form's rules; e-mail addresses repeated in the file or already registered are reported by
line. Nothing is written until every row is right, and then each person is registered through
:func:`services.register`, under the same event lock as any other registration: those beyond the capacity
join the waiting list, nobody is oversold.
"""

import json
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...core.tables import read_table
from ...enterprises.services.identifiers import clean_inn
from ...extensions import db
from ...regions.models import Region
from ..models import ACTIVE_STATUSES, CATEGORY_LABELS, Event, ParticipantCategory, Registration
from .registration import Participant, _clean_email, register

MAX_DELEGATION_ROWS = 1000

# The header names understood, in English (the template's) and in Russian.
COLUMNS = {
    "full_name": ("full_name", "name", "фио", "ф.и.о.", "имя"),
    "email": ("email", "e-mail", "почта", "электронная почта"),
    "organisation": ("organisation", "organization", "организация"),
    "position": ("position", "должность"),
    "phone": ("phone", "телефон"),
    "category": ("category", "категория"),
    "region": ("region", "регион"),
    "inn": ("inn", "инн"),
}
TEMPLATE_HEADER = tuple(COLUMNS)


@dataclass
class DelegationRow:
    line: int
    full_name: str = ""
    email: str = ""
    organisation: str = ""
    position: str = ""
    phone: str = ""
    category: str = ""
    region: str = ""
    inn: str = ""
    errors: list = field(default_factory=list)
    region_id: int | None = None  # the region found for the row (or the delegation's)

    def as_dict(self) -> dict:
        values = asdict(self)
        values.pop("errors")
        values.pop("region_id")
        return values


@dataclass
class Defaults:
    """What the staff choose for the whole delegation; a row's own value wins."""

    organisation: str = ""
    category: str = ParticipantCategory.ENTERPRISE
    region_id: int | None = None


def read_delegation(filename: str, data: bytes) -> list[dict]:
    """The rows of a delegation file as dicts of the known columns, with their line number."""
    try:
        table = read_table(filename, data)
    except Refusal as error:
        raise Refusal(str(error), "file") from error
    header = [(cell or "").strip().casefold() for cell in table[0]]
    columns = {}
    for key, names in COLUMNS.items():
        for index, name in enumerate(header):
            if name in names:
                columns[key] = index
                break
    if "email" not in columns or "full_name" not in columns:
        raise Refusal(_("The first row must name the columns, among them full_name and email."), "file")
    if len(table) - 1 > MAX_DELEGATION_ROWS:
        raise Refusal(_("At most %(n)s people can be imported at once.", n=MAX_DELEGATION_ROWS), "file")
    rows = []
    for line, values in enumerate(table[1:], start=2):
        row = {"line": line}
        for key, index in columns.items():
            row[key] = (values[index] if index < len(values) else "").strip()
        rows.append(row)
    return rows


def _category(value: str, default: str) -> str | None:
    if not value:
        return default
    folded = value.strip().casefold()
    for key, label in CATEGORY_LABELS.items():
        if folded in (str(key), str(label).casefold()):
            return key
    return None


def _region_id(value: str, default: int | None, regions: dict) -> int | None:
    if not value:
        return default
    return regions.get(value.strip().casefold())


def preview(event: Event, raw_rows: list[dict], defaults: Defaults) -> list[DelegationRow]:
    """Check every row without writing anything; each row lists its errors (in the user's language)."""
    regions = {}
    for region in db.session.scalars(sa.select(Region)):
        regions[str(region.tax_code).casefold()] = region.id
        regions[region.name_ru.casefold()] = region.id
        if region.name_en:
            regions[region.name_en.casefold()] = region.id
    rows, first_line_of = [], {}
    for raw in raw_rows:
        row = DelegationRow(
            line=int(raw.get("line") or 0),
            **{key: str(raw.get(key) or "").strip() for key in TEMPLATE_HEADER},
        )
        if not row.full_name:
            row.errors.append(_("Give the participant's name."))
        try:
            row.email = _clean_email(row.email)
        except Refusal as error:
            row.errors.append(str(error))
        else:
            if row.email in first_line_of:
                row.errors.append(
                    _("The e-mail address is repeated: see line %(line)s.", line=first_line_of[row.email])
                )
            first_line_of.setdefault(row.email, row.line)
        if _category(row.category, defaults.category) is None:
            row.errors.append(_("Unknown participant category «%(value)s».", value=row.category))
        row.region_id = _region_id(row.region, defaults.region_id, regions)
        if row.region_id is None:
            row.errors.append(
                _("Unknown region «%(value)s»: give its code (e.g. 11) or its name.", value=row.region)
                if row.region
                else _("Choose a region from the list.")
            )
        if not (row.organisation or defaults.organisation):
            row.errors.append(_("Give the organisation."))
        if row.inn:
            try:
                row.inn = clean_inn(row.inn)
            except Refusal as error:
                row.errors.append(str(error))
        rows.append(row)
    emails = [row.email for row in rows if row.email]
    registered = set(
        db.session.scalars(
            sa.select(Registration.email).where(
                Registration.event_id == event.id,
                Registration.email.in_(emails),
                Registration.status.in_(ACTIVE_STATUSES),
            )
        )
        if emails
        else []
    )
    for row in rows:
        if row.email in registered:
            row.errors.append(_("%(email)s is already registered for this session.", email=row.email))
    return rows


def commit(event: Event, raw_rows: list[dict], defaults: Defaults, actor, locale: str = "ru") -> list:
    """Register every person of the file, or nobody: the rows are checked again, any error refuses them all.

    The staff answer for the delegation's consent, as a representative does for a group registration."""
    rows = preview(event, raw_rows, defaults)
    if not rows:
        raise Refusal(_("The file has no rows to import."))
    if any(row.errors for row in rows):
        raise Refusal(_("Nothing was imported: correct the rows with errors and upload the file again."))
    registrations = []
    for row in rows:
        person = Participant(
            full_name=row.full_name,
            email=row.email,
            category=_category(row.category, defaults.category),
            region_id=row.region_id,
            organisation=row.organisation or defaults.organisation,
            position_title=row.position or None,
            phone=row.phone or None,
            inn=row.inn or None,
            consent=True,
            locale=locale,
        )
        registrations.append(register(event, person, actor=actor))
    record(
        "event.delegation_imported",
        event,
        actor=actor,
        after={
            "people": len(registrations),
            "waitlisted": sum(r.status == "waitlisted" for r in registrations),
        },
    )
    return registrations


def rows_to_json(rows: list[DelegationRow]) -> str:
    return json.dumps([row.as_dict() for row in rows], ensure_ascii=False)
