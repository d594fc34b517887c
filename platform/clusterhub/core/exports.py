"""Every CSV and XLSX the application writes goes through here, so that no cell becomes a formula.

Registrants type their own names and organisations; a spreadsheet program opening ``=HYPERLINK(...)`` or
``=cmd|' /C calc'!A0`` would run it (CSV injection, OWASP). A text cell that begins with a character a
spreadsheet reads as the start of a formula is written with a leading apostrophe, which spreadsheets show
as text; numbers, dates and booleans are left as they are. Importers undo the apostrophe (``restore_cell``),
so an exported file can be imported again unchanged.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula: then ``'`` + text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def restore_cell(value: Any) -> Any:
    """The inverse of :func:`safe_cell` for a value read from an imported file."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1:].startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


def csv_text(header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], delimiter: str = ",") -> str:
    """CSV text with a BOM (Excel then opens UTF-8 Cyrillic correctly), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    if header is not None:
        writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return "\ufeff" + buffer.getvalue()


def csv_bytes(header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], delimiter: str = ",") -> bytes:
    return csv_text(header, rows, delimiter).encode("utf-8")


def xlsx_bytes(
    header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], sheet_title: str = "Sheet"
) -> bytes:
    """A one-sheet workbook, every cell neutralised (openpyxl writes any text starting with ``=`` as a
    real formula otherwise)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    if header is not None:
        sheet.append(safe_row(header))
    for row in rows:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
