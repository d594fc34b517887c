"""The protocol as a PDF (fpdf2). It is drawn from the same content that is hashed and shown as HTML."""

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF, FontFace

SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def font_path() -> Path:
    """A TTF with Cyrillic glyphs: the configured one, the packaged Noto Sans (also present in the slim
    production image, which has no system fonts), or DejaVu from the system."""
    configured = current_app.config.get("PROTOCOL_FONT")
    if configured:
        return Path(configured)
    try:
        import fontpkg_noto_sans

        packaged = Path(fontpkg_noto_sans.__file__).parent / "files" / "NotoSans[wdth,wght].ttf"
        if packaged.exists():
            return packaged
    except ImportError:
        pass
    return SYSTEM_FONT


def _line(pdf: FPDF, height: int, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def render_pdf(content: dict, content_hash: str | None, outcome_labels: dict, role_labels: dict) -> bytes:
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
        lines.append(_("Held on: %(when)s", when=rnd["held_on"].replace("T", " ")))
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
        *[f"{c['code']} ({c['weight']})" for c in criteria],
        _("Score"),
        "min–max",
        "σ",
        "n",
    ]
    with pdf.table(
        headings_style=FontFace(emphasis=None),
        col_widths=(6, 60, *([18] * len(criteria)), 14, 22, 10, 8),
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
            _(
                "Signed by the chair %(name)s at %(when)s UTC.",
                name=signed["by"],
                when=signed["at"].replace("T", " "),
            ),
        )
    else:
        _line(pdf, 6, _("Draft: not signed."))
    if content_hash:
        pdf.set_font("Body", size=8)
        _line(pdf, 5, _("SHA-256 of the protocol: %(hash)s", hash=content_hash))
    return bytes(pdf.output())
