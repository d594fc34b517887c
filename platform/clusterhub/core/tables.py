"""Reading an uploaded table: the rows of a CSV or XLSX file as text cells, size-capped, with the checks
every upload of a table needs (a safe XLSX archive, UTF-8 text without NUL characters). Technoparks read
their catalogue imports and events their delegation imports with it."""

import contextlib
import csv
import io

from flask_babel import gettext as _

from .exports import restore_cell
from .refusal import Refusal
from .uploads import check_xlsx_archive

MAX_BYTES = 5 * 1024 * 1024


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The non-empty rows of a CSV (UTF-8, comma or semicolon) or XLSX file, as text cells."""
    if len(data) > MAX_BYTES:
        raise Refusal(_("The file is too large (at most 5 MB)."))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        check_xlsx_archive(data)
        try:
            import openpyxl  # imported by the first spreadsheet read, not by every app start

            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of errors for a damaged file
            raise Refusal(_("The file could not be read as an XLSX workbook.")) from exc
        values = [
            ["" if v is None else str(restore_cell(v)) for v in row]
            for row in workbook.active.iter_rows(values_only=True)
        ]
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Refusal(_("Save the CSV file in UTF-8.")) from exc
        if "\x00" in text:
            raise Refusal(_("The file contains a NUL character, which is not allowed in text."))
        dialect: type[csv.Dialect] = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        values = [[restore_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    else:
        raise Refusal(_("Upload a .csv or .xlsx file."))
    values = [row for row in values if any((cell or "").strip() for cell in row)]
    if not values:
        raise Refusal(_("The file is empty."))
    return values
