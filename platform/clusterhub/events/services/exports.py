"""Files staff take away: the participant list (CSV, XLSX) and the roster of an agenda item (XLSX, PDF).

Every spreadsheet cell goes through :func:`table_csv` / :func:`table_xlsx`, one writer for the module. The
roster carries passport-free fields only (name, organisation, position, region; e-mail and phone in the
spreadsheet, which staff already see on the participant list) — it is printed for a bus or a host plant's
security desk.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ...core import exports as core_exports
from ...core.fonts import font_path
from ..models import AgendaItem
from . import rosters
from .common import to_local

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM (Excel opens the Cyrillic text correctly); no cell can become a formula."""
    return core_exports.csv_bytes(header, rows)


def table_xlsx(header: list[str], rows: list[list], sheet_title: str) -> bytes:
    return core_exports.xlsx_bytes(header, rows, sheet_title=sheet_title)


def roster_rows(roster: rosters.Roster, with_contacts: bool) -> tuple[list[str], list[list]]:
    """The header and rows of a roster: seats first, then the waiting list, each numbered in order."""
    header = [_("No."), _("List"), _("Full name"), _("Organisation"), _("Position"), _("Region")]
    if with_contacts:
        header += [_("E-mail"), _("Phone")]
    rows = []
    for label, signups in ((_("Seat"), roster.seated), (_("Waiting list"), roster.waiting)):
        for number, signup in enumerate(signups, start=1):
            r = signup.registration
            row = [number, label, r.full_name, r.organisation, r.position_title or "", r.region.name]
            if with_contacts:
                row += [r.email, r.phone or ""]
            rows.append(row)
    return header, rows


def roster_xlsx(roster: rosters.Roster) -> bytes:
    header, rows = roster_rows(roster, with_contacts=True)
    return table_xlsx(header, rows, _("Roster"))


def _item_heading(item: AgendaItem, tenant) -> list[str]:
    starts, ends = to_local(item.starts_at, tenant), to_local(item.ends_at, tenant)
    place = ", ".join(part for part in (item.place_label, item.place_address) if part)
    lines = [item.event.title, f"{starts:%d.%m.%Y %H:%M}–{ends:%H:%M}" + (f" · {place}" if place else "")]
    return lines


def roster_pdf(roster: rosters.Roster, tenant) -> bytes:
    """A printable A4 list: the seats in order, then the waiting list; no e-mail or phone numbers."""
    from fpdf import FPDF, FontFace  # a second of import time, paid by the first PDF, not by every start

    item = roster.item
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("Body", fname=str(font_path()))
    pdf.add_page()
    pdf.set_font("Body", size=14)
    pdf.multi_cell(0, 8, item.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", size=10)
    for line in _item_heading(item, tenant):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    seats = (
        _("Seats: %(taken)s taken of %(limit)s", taken=len(roster.seated), limit=item.seat_limit)
        if item.seat_limit is not None
        else _("Seats taken: %(taken)s", taken=len(roster.seated))
    )
    pdf.multi_cell(
        0, 6, seats + " · " + _("waiting: %(n)s", n=len(roster.waiting)), new_x="LMARGIN", new_y="NEXT"
    )
    header = [_("No."), _("Full name"), _("Organisation"), _("Position"), _("Region")]
    for title, signups in ((_("Seats"), roster.seated), (_("Waiting list"), roster.waiting)):
        pdf.ln(3)
        pdf.set_font("Body", size=12)
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Body", size=9)
        if not signups:
            pdf.multi_cell(0, 6, _("Nobody."), new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(
            headings_style=FontFace(emphasis=None, fill_color=(230, 230, 230)),
            col_widths=(8, 50, 55, 35, 32),
            text_align="LEFT",
        ) as table:
            table.row(header)
            for number, signup in enumerate(signups, start=1):
                r = signup.registration
                table.row([str(number), r.full_name, r.organisation, r.position_title or "", r.region.name])
    return bytes(pdf.output())
