"""A participant's schedule of B2B meetings as iCalendar and as a one-page PDF (to print or keep on a phone).

The iCalendar lines come from the events module's writer (escaping, folding, UTC times), so both feeds
behave alike in calendar applications."""

from __future__ import annotations

from flask_babel import gettext as _

from ...core.fonts import font_path
from ...events.services import common as events
from ...events.services import ical as events_ical


def _with_whom(meeting, me) -> str:
    other = meeting.other_side(me.id)
    return _(
        "Meeting with %(name)s (%(organisation)s)", name=other.full_name, organisation=other.organisation
    )


def ical(block, me, meetings, tenant) -> str:
    """One VEVENT per placed meeting, at the block's hall and the meeting's table."""
    entries = []
    for m in meetings:
        entries.append(
            events_ical._vevent(
                f"meeting-{m.id}-{me.id}@{events_ical._host()}",
                _with_whom(m, me),
                block.slot_start(m.slot),
                block.slot_end(m.slot),
                description=m.message,
                location=", ".join(x for x in (block.place, block.table_labels[m.table_no]) if x),
            )
        )
    return events_ical._calendar(block.title, entries)


def schedule_pdf(block, me, meetings, tenant) -> bytes:
    """An A4 page: the block, then each meeting's time, table and the other side with their contacts."""
    from fpdf import FPDF, FontFace  # paid by the first PDF, not by every start

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("Body", fname=str(font_path()))
    pdf.add_page()
    pdf.set_font("Body", size=14)
    pdf.multi_cell(0, 8, block.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", size=10)
    start = events.to_local(block.starts_at, tenant)
    heading = [me.full_name, f"{start:%d.%m.%Y}", block.event.title, block.place]
    pdf.multi_cell(0, 6, " · ".join(x for x in heading if x), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if not meetings:
        pdf.multi_cell(0, 6, _("No meetings are scheduled for you."), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    pdf.set_font("Body", size=9)
    with pdf.table(
        headings_style=FontFace(emphasis=None, fill_color=(230, 230, 230)),
        col_widths=(22, 28, 70, 60),
        text_align="LEFT",
    ) as table:
        table.row([_("Time"), _("Table"), _("With"), _("Contacts")])
        for m in meetings:
            other = m.other_side(me.id)
            begins = events.to_local(block.slot_start(m.slot), tenant)
            ends = events.to_local(block.slot_end(m.slot), tenant)
            table.row(
                [
                    f"{begins:%H:%M}–{ends:%H:%M}",
                    block.table_labels[m.table_no],
                    f"{other.full_name}\n{other.organisation}",
                    "\n".join(x for x in (other.email, other.phone) if x),
                ]
            )
    return bytes(pdf.output())


def table_plans_pdf(block, grid, tenant) -> bytes:
    """One A4 page per table: its name, then each slot's time and the two participants (to lay on the table)."""
    from fpdf import FPDF, FontFace

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("Body", fname=str(font_path()))
    for table_no, label in enumerate(block.table_labels):
        pdf.add_page()
        pdf.set_font("Body", size=22)
        pdf.multi_cell(0, 12, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Body", size=10)
        start = events.to_local(block.starts_at, tenant)
        heading = [block.title, f"{start:%d.%m.%Y}", block.place]
        pdf.multi_cell(0, 6, " · ".join(x for x in heading if x), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Body", size=10)
        with pdf.table(
            headings_style=FontFace(emphasis=None, fill_color=(230, 230, 230)),
            col_widths=(25, 155),
            text_align="LEFT",
        ) as table:
            table.row([_("Time"), _("Participants")])
            for slot in range(block.slot_count):
                begins = events.to_local(block.slot_start(slot), tenant)
                ends = events.to_local(block.slot_end(slot), tenant)
                m = grid.get((slot, table_no))
                who = (
                    f"{m.requester.full_name} ({m.requester.organisation})\n"
                    f"{m.recipient.full_name} ({m.recipient.organisation})"
                    if m
                    else _("free")
                )
                table.row([f"{begins:%H:%M}–{ends:%H:%M}", who])
    return bytes(pdf.output())
