"""Every CSV and XLSX the application writes goes through here, so that no cell becomes a formula.

One helper over tablib: :func:`table` makes a ``tablib.Dataset`` of a header and rows, every cell
neutralised; :func:`csv_bytes`, :func:`xlsx_bytes` and :func:`xlsx_book` export one or several of them.

Registrants type their own names and organisations; a spreadsheet program opening ``=HYPERLINK(...)`` or
``=cmd|' /C calc'!A0`` would run it (CSV injection, OWASP). A text cell that begins with a character a
spreadsheet reads as the start of a formula is written with a leading apostrophe, which spreadsheets show
as text; numbers, dates and booleans are left as they are. Importers undo the apostrophe (``restore_cell``),
so an exported file can be imported again unchanged.

tablib (and through it openpyxl, for XLSX) is imported by the first export, not by every app start.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tablib

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


def table(
    header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], title: str | None = None
) -> tablib.Dataset:
    """One table of an export: a Dataset of ``rows`` under ``header`` (none: every row is data), each cell
    of both neutralised. ``title`` names its sheet in a workbook."""
    import tablib

    dataset = tablib.Dataset(title=title)
    if header is not None:
        dataset.headers = safe_row(header)
    for row in rows:
        dataset.append(safe_row(row))
    return dataset


def csv_bytes(header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], delimiter: str = ",") -> bytes:
    """UTF-8 CSV with a BOM (Excel then opens Cyrillic text correctly), every cell neutralised; ``;`` for
    files Russian Excel opens directly, ``,`` for the ones read back by importers and scripts."""
    text: str = table(header, rows).export("csv", delimiter=delimiter)
    return ("\ufeff" + text).encode("utf-8")


def xlsx_bytes(
    header: Iterable[Any] | None, rows: Iterable[Iterable[Any]], sheet_title: str = "Sheet"
) -> bytes:
    """A one-sheet workbook (bold header row kept in view, columns as wide as their text), every cell
    neutralised: openpyxl would write any text starting with ``=`` as a real formula otherwise."""
    body: bytes = table(header, rows, title=sheet_title).export("xlsx")
    return body


def xlsx_book(tables: Iterable[tablib.Dataset], *, freeze: str = "A2", group_numbers: bool = False) -> bytes:
    """A workbook with one sheet per :func:`table`, bold headers. ``freeze`` is the first cell that
    scrolls (``"B2"`` keeps the first column in view too); ``group_numbers`` shows integers as ``#,##0``
    and fractions as ``#,##0.0``. tablib has no cell formats: openpyxl adds them to the workbook it wrote,
    and keeps each column between 10 and 60 characters wide."""
    import tablib

    body: bytes = tablib.Databook(list(tables)).export("xlsx", column_width="adaptive")
    if freeze == "A2" and not group_numbers:
        return body
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body))
    for sheet in workbook.worksheets:
        sheet.freeze_panes = freeze
        for column in sheet.columns:
            dimension = sheet.column_dimensions[column[0].column_letter]
            dimension.width = min(60, max(10, (dimension.width or 0) + 2))
            if group_numbers:
                for cell in column[1:]:
                    if isinstance(cell.value, float):
                        cell.number_format = "#,##0.0"
                    elif isinstance(cell.value, int):
                        cell.number_format = "#,##0"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
