"""Invoices and acts as PDF (fpdf2). The font ships in a Python package (font-roboto, with Cyrillic), so a
fresh machine renders Russian text without any system font."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import font_roboto

if TYPE_CHECKING:
    from fpdf import FPDF

from .models import Invoice, Payment
from .words import rubles_in_words

FONT = "Roboto"


def rub(kopecks: int) -> str:
    """12 000,00 — the Russian way, with a non-breaking thin grouping."""
    value = Decimal(kopecks) / 100
    whole, frac = f"{value:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return "\u00a0".join(groups) + "," + frac


def _pdf() -> FPDF:
    from fpdf import FPDF  # a second of import time, paid by the first document, not by every start

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.add_font(FONT, "", font_roboto.Roboto)
    pdf.add_font(FONT, "B", font_roboto.RobotoBold)
    pdf.set_font(FONT, size=10)
    pdf.add_page()
    return pdf


class MissingGlyphs(RuntimeError):
    """The font lacks characters of the document: refuse to produce a PDF with blank boxes."""


def _output(pdf: FPDF) -> bytes:
    missing = {chr(code) for font in pdf.fonts.values() for code in getattr(font, "missing_glyphs", [])}
    if missing:
        raise MissingGlyphs("characters missing from the PDF font: " + "".join(sorted(missing)))
    return bytes(pdf.output())


def _party(requisites: dict) -> str:
    parts = [requisites.get("name") or ""]
    parts.append(f"ИНН {requisites.get('inn') or ''}")
    if requisites.get("kpp"):
        parts.append(f"КПП {requisites['kpp']}")
    if requisites.get("address"):
        parts.append(requisites["address"])
    return ", ".join(parts)


def _period_text(interval: str) -> str:
    return "12 мес." if interval == "year" else "1 мес."


def invoice_pdf(invoice: Invoice) -> bytes:
    seller = invoice.seller
    pdf = _pdf()
    width = pdf.epw
    # The bank block of the standard form.
    with pdf.table(col_widths=(50, 15, 35), text_align="LEFT", line_height=6) as table:
        table.row([seller.get("bank_name") or "", "БИК", seller.get("bic") or ""])
        table.row(["Банк получателя", "Сч. №", seller.get("corr_account") or ""])
        table.row(
            [
                f"ИНН {seller.get('inn') or ''}    КПП {seller.get('kpp') or ''}",
                "Сч. №",
                seller.get("account") or "",
            ]
        )
        table.row([seller.get("name") or "", "", ""])
        table.row(["Получатель", "", ""])
    pdf.ln(6)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(width, 8, f"Счёт на оплату № {invoice.number} от {invoice.issued_on:%d.%m.%Y}")
    pdf.set_font(FONT, "", 10)
    pdf.ln(2)
    pdf.multi_cell(width, 5, f"Поставщик: {_party(seller)}")
    pdf.ln(1)
    pdf.multi_cell(width, 5, f"Покупатель: {_party(invoice.buyer)}")
    pdf.ln(4)
    with pdf.table(col_widths=(8, 92, 16, 12, 26, 26), line_height=6) as table:
        table.row(["№", "Наименование работ, услуг", "Кол-во", "Ед.", "Цена", "Сумма"])
        table.row(
            [
                "1",
                f"Доступ к платформе ClusterHub, тариф «{invoice.plan.name_ru}», {_period_text(invoice.interval)}",
                "1",
                "усл.",
                rub(invoice.amount),
                rub(invoice.amount),
            ]
        )
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width, 6, f"Итого: {rub(invoice.amount)} руб.", align="R", new_x="LMARGIN", new_y="NEXT")
    vat = (
        "Без налога (НДС)"
        if invoice.vat_rate is None
        else f"В том числе НДС {invoice.vat_rate}%: {rub(invoice.vat_amount)} руб."
    )
    pdf.cell(width, 6, vat, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        width, 6, f"Всего к оплате: {rub(invoice.amount)} руб.", align="R", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(FONT, "", 10)
    pdf.ln(2)
    pdf.multi_cell(width, 5, f"Всего наименований 1, на сумму {rub(invoice.amount)} руб.")
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(width, 5, rubles_in_words(invoice.amount))
    pdf.set_font(FONT, "", 10)
    pdf.ln(3)
    pdf.multi_cell(width, 5, f"Назначение платежа: {invoice.purpose}")
    pdf.ln(2)
    pdf.multi_cell(
        width, 5, f"Оплатить до {invoice.due_on:%d.%m.%Y}. В назначении платежа укажите номер счёта."
    )
    pdf.ln(10)
    pdf.cell(width, 6, "Руководитель ____________________      Бухгалтер ____________________")
    return _output(pdf)


def act_pdf(payment: Payment) -> bytes:
    invoice = payment.invoice
    pdf = _pdf()
    width = pdf.epw
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(width, 8, f"Акт № {invoice.number} от {payment.period_end:%d.%m.%Y}")
    pdf.set_font(FONT, "", 10)
    pdf.ln(2)
    pdf.multi_cell(width, 5, f"Исполнитель: {_party(invoice.seller)}")
    pdf.ln(1)
    pdf.multi_cell(width, 5, f"Заказчик: {_party(invoice.buyer)}")
    pdf.ln(1)
    pdf.multi_cell(width, 5, f"Основание: счёт № {invoice.number} от {invoice.issued_on:%d.%m.%Y}")
    pdf.ln(4)
    with pdf.table(col_widths=(8, 92, 16, 12, 26, 26), line_height=6) as table:
        table.row(["№", "Наименование работ, услуг", "Кол-во", "Ед.", "Цена", "Сумма"])
        table.row(
            [
                "1",
                f"Доступ к платформе ClusterHub, тариф «{invoice.plan.name_ru}», "
                f"период с {payment.period_start:%d.%m.%Y} по {payment.period_end:%d.%m.%Y}",
                "1",
                "усл.",
                rub(payment.amount),
                rub(payment.amount),
            ]
        )
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width, 6, f"Итого: {rub(payment.amount)} руб.", align="R", new_x="LMARGIN", new_y="NEXT")
    vat = (
        "Без налога (НДС)"
        if invoice.vat_rate is None
        else f"В том числе НДС {invoice.vat_rate}%: {rub(invoice.vat_amount)} руб."
    )
    pdf.cell(width, 6, vat, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.ln(2)
    pdf.multi_cell(width, 5, f"Всего оказано услуг 1, на сумму {rub(payment.amount)} руб.")
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(width, 5, rubles_in_words(payment.amount))
    pdf.set_font(FONT, "", 10)
    pdf.ln(3)
    pdf.multi_cell(
        width,
        5,
        "Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объёму, качеству и "
        "срокам оказания услуг не имеет.",
    )
    pdf.ln(10)
    pdf.cell(width / 2, 6, "Исполнитель ____________________")
    pdf.cell(width / 2, 6, "Заказчик ____________________")
    return _output(pdf)
