"""The protocol as a PDF (fpdf2). It is drawn from the same content that is hashed and shown as HTML."""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _

from ...core.fonts import font_path

if TYPE_CHECKING:
    from fpdf import FPDF


def local_time(iso_utc: str | None, timezone: str) -> str | None:
    """A stored UTC time (ISO text) as the center's people read it: in its time zone, which is named."""
    if not iso_utc:
        return None
    moment = datetime.fromisoformat(iso_utc).replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(
        moment, "d MMMM y, HH:mm (zzzz)", tzinfo=ZoneInfo(timezone), locale=str(get_locale())
    )


def local_number(text: str | None) -> str | None:
    """A stored decimal (``"72.50"``) in the current language's notation (``72,5`` in Russian)."""
    if text is None or text == "":
        return None
    try:
        return format_decimal(Decimal(text), locale=str(get_locale()))
    except InvalidOperation:
        return text


def displayed(content: dict, timezone: str) -> dict:
    """The protocol's content to show (HTML and PDF alike): times in ``timezone``, numbers with the
    language's decimal separator. The stored content, which the hash covers, keeps UTC ISO times and
    dot decimals so that the hash does not depend on who reads it."""
    shown = copy.deepcopy(content)
    shown["round"]["held_on"] = local_time(content["round"].get("held_on"), timezone)
    if content.get("signed"):
        shown["signed"]["at"] = local_time(content["signed"]["at"], timezone)
    for criterion in shown["criteria"]:
        criterion["weight"] = local_number(criterion["weight"])
    for project in shown["projects"]:
        for key in ("score", "min", "max", "std_dev"):
            project[key] = local_number(project[key])
        project["per_criterion"] = [local_number(value) for value in project["per_criterion"]]
    return shown


def _line(pdf: FPDF, height: int, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def render_pdf(content: dict, content_hash: str | None, outcome_labels: dict, role_labels: dict) -> bytes:
    """The protocol as an A4 PDF; ``content`` as :func:`displayed` gives it."""
    from fpdf import FPDF, FontFace  # a second of import time, paid by the first PDF, not by every start

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("Body", fname=str(font_path()))
    pdf.add_page()
    pdf.set_font("Body", size=14)
    rnd = content["round"]
    _line(pdf, 8, _("Protocol of the preliminary defense No. %(n)s", n=rnd["number"]))
    pdf.set_font("Body", size=10)
    lines = [
        rnd["title"],
        content["center"]["ru"],
        _("Selection round: %(edition)s", edition=rnd["selection_round"]),
    ]
    if rnd.get("held_on"):
        lines.append(_("Held on: %(when)s", when=rnd["held_on"]))
    if rnd.get("location"):
        lines.append(_("Place: %(where)s", where=rnd["location"]))
    for line in lines:
        _line(pdf, 6, line)
    pdf.ln(2)

    pdf.set_font("Body", size=12)
    _line(pdf, 7, _("Panel"))
    pdf.set_font("Body", size=10)
    for m in content["panel"]:
        attended = {True: _("present"), False: _("absent"), None: _("attendance not recorded")}[m["attended"]]
        affiliation = f", {m['affiliation']}" if m.get("affiliation") else ""
        _line(pdf, 6, f"{m['name']} — {role_labels.get(m['role'], m['role'])}{affiliation} ({attended})")
    pdf.ln(2)

    pdf.set_font("Body", size=12)
    _line(pdf, 7, _("Declared and detected conflicts of interest"))
    pdf.set_font("Body", size=10)
    if not content["conflicts"]:
        _line(pdf, 6, _("None."))
    for c in content["conflicts"]:
        _line(pdf, 6, f"{c['member']} — {c['project']}: {c['reason']} ({c['source']})")
    pdf.ln(2)

    pdf.set_font("Body", size=12)
    _line(pdf, 7, _("Scores and ranking"))
    pdf.set_font("Body", size=8)
    criteria = content["criteria"]
    headings = [
        "#",
        _("Project"),
        *[
            f"{c['name_ru'] if str(get_locale()) == 'ru' else c['name_en'] or c['name_ru']} (×{c['weight']})"
            for c in criteria
        ],
        _("Score"),
        _("Min–max"),
        "σ",
        "n",
    ]
    with pdf.table(
        headings_style=FontFace(emphasis=None),
        col_widths=(6, 46, *([24] * len(criteria)), 14, 20, 10, 8),  # criteria are named, not coded
        text_align="LEFT",
    ) as table:
        row = table.row()
        for heading in headings:
            row.cell(heading)
        for p in content["projects"]:
            row = table.row()
            row.cell(str(p["rank"] or "—"))
            row.cell(f"{p['code']} {p['title']} ({p['applicant']})")
            for value in p["per_criterion"]:
                row.cell(value or "—")
            row.cell(p["score"] or "—")
            row.cell(f"{p['min'] or '—'}–{p['max'] or '—'}")
            row.cell(p["std_dev"] or "—")
            row.cell(str(p["count"]))
    pdf.ln(3)

    pdf.set_font("Body", size=12)
    _line(pdf, 7, _("Decisions"))
    pdf.set_font("Body", size=10)
    for p in content["projects"]:
        decision = outcome_labels.get(p["decision"], p["decision"] or "—")
        remarks = f" {p['remarks']}" if p.get("remarks") else ""
        _line(pdf, 6, f"{p['code']} {p['title']}: {decision}.{remarks}")
    pdf.ln(3)
    signed = content.get("signed")
    if signed:
        _line(
            pdf,
            6,
            _("Signed by the chair %(name)s on %(when)s.", name=signed["by"], when=signed["at"]),
        )
    else:
        _line(pdf, 6, _("Draft: not signed."))
    if content_hash:
        pdf.set_font("Body", size=8)
        _line(pdf, 5, _("SHA-256 of the protocol: %(hash)s", hash=content_hash))
    return bytes(pdf.output())
