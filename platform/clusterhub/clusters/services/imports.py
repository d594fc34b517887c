"""Members imported from a CSV or XLSX file: read, previewed with the errors of every row, then added all
together or not at all."""

import contextlib
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core import exports
from ...core.refusal import Refusal
from ...core.uploads import check_xlsx_archive
from ...enterprises.models import Enterprise
from ...enterprises.services.identifiers import clean_inn
from ...extensions import db
from ..models import Cluster, ClusterMember, MemberRole
from .members import add_member_by_inn

IMPORT_COLUMNS = {
    "inn": ("inn", "инн"),
    "name": ("name", "full_name", "наименование", "название"),
    "role": ("role", "роль"),
    "joined_on": ("joined_on", "joined", "дата вступления", "дата_вступления"),
}
ROLE_ALIASES = {
    "якорное": MemberRole.ANCHOR,
    "якорный": MemberRole.ANCHOR,
    "участник": MemberRole.PARTICIPANT,
    "поставщик": MemberRole.SUPPLIER,
    "научная": MemberRole.RESEARCH,
    "образовательная": MemberRole.RESEARCH,
    "инфраструктура": MemberRole.INFRASTRUCTURE,
}
MAX_IMPORT_ROWS = 2000
MAX_ENTERPRISE_NAME = Enterprise.full_name.type.length


@dataclass
class ImportRow:
    line: int
    inn: str
    name: str
    role: str
    joined_on: str
    errors: list = field(default_factory=list)
    enterprise_name: str | None = None  # the existing profile found by ИНН

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "inn": self.inn,
            "name": self.name,
            "role": self.role,
            "joined_on": self.joined_on,
        }


def read_members_file(filename: str, data: bytes) -> list[dict]:
    """Rows of a CSV (UTF-8 or Windows-1251, comma or semicolon) or XLSX file, as dicts with the known
    columns (``inn``, ``name``, ``role``, ``joined_on``) and their line number."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            check_xlsx_archive(data)
        except Refusal as error:
            raise Refusal(str(error), "file") from error
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            table = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds of errors on a broken file
            raise Refusal(_("The file is not a readable XLSX workbook."), "file") from exc
    elif filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1251", errors="replace")
        if "\x00" in text:
            raise Refusal(_("The file contains a NUL character, which is not allowed in text."), "file")
        dialect = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        table = list(csv.reader(io.StringIO(text), dialect))
    else:
        raise Refusal(_("Upload a CSV or XLSX file."), "file")
    if not table:
        raise Refusal(_("The file is empty."), "file")
    header = [str(h).strip().casefold() for h in table[0]]
    columns = {}
    for key, names in IMPORT_COLUMNS.items():
        for index, name in enumerate(header):
            if name in names:
                columns[key] = index
                break
    if "inn" not in columns:
        raise Refusal(_("The first row must name the columns; an ИНН column is required."), "file")
    rows = []
    for line, values in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        row = {"line": line}
        for key, index in columns.items():
            value = values[index] if index < len(values) else ""
            if isinstance(value, datetime):
                value = value.date().isoformat()
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float) and value.is_integer():
                value = str(int(value))
            row[key] = str(exports.restore_cell(value)).strip()
        rows.append(row)
    if len(rows) > MAX_IMPORT_ROWS:
        raise Refusal(_("At most %(n)s rows can be imported at once.", n=MAX_IMPORT_ROWS), "file")
    return rows


def _parse_date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def preview_import(cluster: Cluster, rows: list[dict]) -> list[ImportRow]:
    """Check every row without writing anything; each :class:`ImportRow` lists its errors.

    ``rows`` come back from the browser between the preview and the commit, so they are checked here
    again: at most ``MAX_IMPORT_ROWS``, each a mapping of text."""
    if len(rows) > MAX_IMPORT_ROWS:
        raise Refusal(_("At most %(n)s rows can be imported at once.", n=MAX_IMPORT_ROWS), "file")
    if not all(isinstance(raw, dict) for raw in rows):
        raise Refusal(_("The preview has expired: upload the file again."), "file")
    checked = []
    inns = {}
    for raw in rows:
        row = ImportRow(
            line=int(raw.get("line", 0)),
            inn=str(raw.get("inn", "")).strip(),
            name=str(raw.get("name", "")).strip(),
            role=str(raw.get("role", "")).strip().casefold() or MemberRole.PARTICIPANT,
            joined_on=str(raw.get("joined_on", "")).strip(),
        )
        row.role = ROLE_ALIASES.get(row.role, row.role)
        if len(row.name) > MAX_ENTERPRISE_NAME:
            row.errors.append(_("The name is longer than %(n)s characters.", n=MAX_ENTERPRISE_NAME))
        try:
            row.inn = clean_inn(row.inn)
        except Refusal as error:
            row.errors.append(str(error))
        if row.role not in set(MemberRole):
            row.errors.append(
                _(
                    "Unknown role «%(role)s»: use anchor, participant, supplier, research or infrastructure.",
                    role=row.role,
                )
            )
        try:
            _parse_date(row.joined_on)
        except ValueError:
            row.errors.append(
                _("The date «%(value)s» is not a date: use 2024-03-01 or 01.03.2024.", value=row.joined_on)
            )
        if not row.errors:
            if row.inn in inns:
                row.errors.append(_("The ИНН is repeated: see line %(line)s.", line=inns[row.inn]))
            inns.setdefault(row.inn, row.line)
        checked.append(row)
    valid_inns = [r.inn for r in checked if not r.errors]
    existing = (
        {e.inn: e for e in db.session.scalars(sa.select(Enterprise).where(Enterprise.inn.in_(valid_inns)))}
        if valid_inns
        else {}
    )
    members = set(
        db.session.scalars(
            sa.select(ClusterMember.enterprise_id).where(ClusterMember.cluster_id == cluster.id)
        )
    )
    for row in checked:
        if row.errors:
            continue
        enterprise = existing.get(row.inn)
        if enterprise is None and not row.name:
            row.errors.append(_("No enterprise with this ИНН is registered yet: give its name in the file."))
        elif enterprise is not None:
            row.enterprise_name = enterprise.name
            if enterprise.id in members:
                row.errors.append(_("%(name)s is already a member of this cluster.", name=enterprise.name))
    return checked


def commit_import(cluster: Cluster, rows: list[dict], actor) -> int:
    """Add every row as a member, or nothing: the rows are checked again and any error refuses them all."""
    checked = preview_import(cluster, rows)
    if not checked:
        raise Refusal(_("The file has no rows to import."))
    if any(row.errors for row in checked):
        raise Refusal(_("Nothing was imported: correct the rows with errors and upload the file again."))
    for row in checked:
        add_member_by_inn(cluster, row.inn, row.name, row.role, _parse_date(row.joined_on), actor)
    record("cluster.members_imported", cluster, actor=actor, after={"rows": len(checked)})
    return len(checked)


def rows_to_json(rows: list[ImportRow]) -> str:
    return json.dumps([row.as_dict() for row in rows], ensure_ascii=False)
