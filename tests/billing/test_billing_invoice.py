"""Invoices by bank transfer: requisites, gapless numbering, documents with Cyrillic, payments and acts."""

import threading
import zlib
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clusterhub.billing import services as billing
from clusterhub.billing.providers.invoice import documents
from clusterhub.billing.providers.invoice import services as invoices
from clusterhub.billing.providers.invoice.models import Invoice, InvoiceStatus, Payment
from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.tenancy.models import utcnow
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.billing import BUYER_BIC, BUYER_REQUISITES, with_control_key

pytestmark = pytest.mark.usefixtures("english_request")


def _requisites(tenant, **changes):
    with tenant_scope(db.session, tenant.id):
        invoices.save_requisites({**BUYER_REQUISITES, **changes}, actor=None)
        db.session.commit()


def _issue(tenant, plan, interval="month", today=None):
    """Issue and commit; returns the invoice's values (on PostgreSQL the row is invisible outside its
    tenant's scope, so the test keeps a plain copy)."""
    with tenant_scope(db.session, tenant.id):
        invoice = invoices.issue_invoice(tenant, plan, interval, actor=None, today=today)
        db.session.commit()
        return SimpleNamespace(**{c.key: getattr(invoice, c.key) for c in sa.inspect(Invoice).column_attrs})


def _pay(tenant, invoice_id, *, paid_on=None, order="1"):
    with tenant_scope(db.session, tenant.id):
        invoice = db.session.get(Invoice, invoice_id)
        payment = invoices.record_payment(
            invoice, amount=invoice.amount, paid_on=paid_on or utcnow().date(), order_number=order, actor=None
        )
        db.session.commit()
        return payment.id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", "1101486238", "ИНН"),
        ("kpp", "", "КПП"),
        ("kpp", "11010100", "КПП"),
        ("bic", "12345678", "БИК"),
        ("account", "4070381022800000012", "20 digits"),
        ("account", "40703810228000000124", "does not match the БИК"),
        ("corr_account", "30101810400000000225", "does not match the БИК"),
        ("name", "  ", "required"),
    ],
)
def test_requisites_are_validated(field, value, message):
    with pytest.raises(Refusal) as caught:
        invoices.clean_requisites({**BUYER_REQUISITES, field: value})
    assert caught.value.field == field
    assert message in str(caught.value)


def test_valid_requisites_are_normalised():
    cleaned = invoices.clean_requisites(
        {
            **BUYER_REQUISITES,
            "inn": " 1101 486237 ",
            "kpp": "110101001",
            "account": BUYER_REQUISITES["account"][:5] + " " + BUYER_REQUISITES["account"][5:],
            "corr_account": "30101810400000000640",
        }
    )
    assert cleaned["inn"] == "1101486237"
    assert " " not in cleaned["account"]
    # An individual entrepreneur (12-digit ИНН) has no КПП.
    assert invoices.clean_requisites({**BUYER_REQUISITES, "inn": "500100732259", "kpp": ""})["kpp"] is None
    assert invoices.clean_account(with_control_key(BUYER_BIC, "40702810000000000007"), BUYER_BIC)


def test_requisites_form_shows_the_error_next_to_the_field(
    client, login, make_tenant, billing_user, invoice_billing
):
    komi = make_tenant("komi")
    login(billing_user("center_admin", komi))
    bad = {**BUYER_REQUISITES, "account": "40703810228000000124"}
    response = client.post("/komi/staff/billing/requisites", data=bad, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="account-error"' in page and "does not match" in page
    good = client.post("/komi/staff/billing/requisites", data=BUYER_REQUISITES)
    assert good.status_code == 302
    with tenant_scope(db.session, komi.id):
        assert invoices.get_requisites().inn == "1101486237"


def test_invoice_numbers_follow_each_other_and_a_rollback_returns_its_number(
    make_tenant, make_plan, invoice_billing
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    plan = make_plan()
    _requisites(komi)
    _requisites(tatarstan)
    first = _issue(komi, plan)
    with tenant_scope(db.session, tatarstan.id):
        invoices.issue_invoice(tatarstan, plan, "year", actor=None)
        db.session.rollback()  # e.g. the request failed after taking a number
    second = _issue(tatarstan, plan, "year")
    third = _issue(komi, plan)
    year = utcnow().year
    assert [first.number, second.number, third.number] == [f"{year}-00001", f"{year}-00002", f"{year}-00003"]
    assert _issue(komi, plan, today=date(year + 1, 1, 2)).number == f"{year + 1}-00001"


def test_concurrent_invoices_get_consecutive_numbers(app, pg_only, make_tenant, make_plan, invoice_billing):
    tenants = [make_tenant(slug) for slug in ("komi", "tatarstan", "kaliningrad", "mordovia")]
    plan = make_plan()
    for tenant in tenants:
        _requisites(tenant)
    tenant_ids = [t.id for t in tenants] * 3  # 12 invoices, three per center, all at once
    plan_id = plan.id
    barrier = threading.Barrier(len(tenant_ids))
    numbers, errors = [], []

    def issue(tenant_id):
        try:
            with app.app_context():
                from clusterhub.billing.models import Plan
                from clusterhub.tenancy.models import Tenant

                tenant = db.session.get(Tenant, tenant_id)
                with tenant_scope(db.session, tenant_id):
                    barrier.wait(timeout=10)
                    invoice = invoices.issue_invoice(
                        tenant, db.session.get(Plan, plan_id), "month", actor=None
                    )
                    db.session.commit()
                    numbers.append(invoice.seq)
                db.session.remove()
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(tenant_id,)) for tenant_id in tenant_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(numbers) == list(range(1, len(tenant_ids) + 1))


def test_invoice_amount_vat_and_purpose(app, monkeypatch, make_tenant, make_plan, invoice_billing):
    komi = make_tenant("komi")
    plan = make_plan(name_ru="Стандарт", price_month=1_200_000)
    _requisites(komi)
    without_vat = _issue(komi, plan)
    assert (without_vat.amount, without_vat.vat_rate, without_vat.vat_amount) == (1_200_000, None, 0)
    assert "НДС не облагается" in without_vat.purpose and without_vat.number in without_vat.purpose
    monkeypatch.setitem(app.config, "BILLING_VAT_RATE", "20")
    with_vat = _issue(komi, plan)
    assert (with_vat.vat_rate, with_vat.vat_amount) == (20, 200_000)  # 12 000 ₽ incl. 2 000 ₽ VAT
    assert "в т.ч. НДС 20% 2000.00 руб." in with_vat.purpose
    assert invoices.vat_included(1001, 20) == 167  # 166.83 kopecks rounds half up


def test_an_invoice_needs_requisites_and_a_priced_plan(make_tenant, make_plan, invoice_billing):
    komi = make_tenant("komi")
    plan = make_plan()
    with tenant_scope(db.session, komi.id), pytest.raises(Refusal, match="requisites"):
        invoices.issue_invoice(komi, plan, "month", actor=None)
    _requisites(komi)
    free = make_plan(price_month=0, price_year=0)
    with tenant_scope(db.session, komi.id), pytest.raises(Refusal, match="no price"):
        invoices.issue_invoice(komi, free, "month", actor=None)


def _pdf_text_codepoints(pdf: bytes) -> set[str]:
    """Unicode code points named in the PDF's ToUnicode maps: the characters the embedded font draws."""
    found = set()
    for chunk in pdf.split(b"stream\n")[1:]:
        data = chunk.split(b"\nendstream")[0]
        try:
            text = zlib.decompress(data).decode("latin-1")
        except zlib.error:
            text = data.decode("latin-1")
        if "beginbfchar" in text or "beginbfrange" in text:
            found.update(chr(int(h, 16)) for h in __import__("re").findall(r"<([0-9A-Fa-f]{4})>", text))
    return found


def test_invoice_as_html_and_pdf_with_cyrillic(
    client, login, make_tenant, billing_user, make_plan, invoice_billing
):
    komi = make_tenant("komi")
    plan = make_plan(name_ru="Стандарт")
    _requisites(komi)
    login(billing_user("center_admin", komi))
    response = client.post("/komi/staff/billing/invoices/new", data={"plan_id": plan.id, "interval": "month"})
    assert response.status_code == 302
    with tenant_scope(db.session, komi.id):
        invoice = db.session.scalar(sa.select(Invoice))
        invoice = SimpleNamespace(id=invoice.id, number=invoice.number)
    html = client.get(f"/komi/staff/billing/invoices/{invoice.id}").get_data(as_text=True)
    assert f"Счёт на оплату № {invoice.number}" in html
    assert "ООО «Кластерхаб»" in html and "ИНН 1101486237" in html and "Без налога (НДС)" in html
    assert "12\u00a0000,00" in html and "Двенадцать тысяч рублей 00 копеек" in html

    pdf = client.get(f"/komi/staff/billing/invoices/{invoice.id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and b"/FontFile2" in pdf.data  # the TTF is embedded
    assert set("СчётнаоплатуПокупательИтогНДС«»№") <= _pdf_text_codepoints(pdf.data)


def test_pdf_refuses_characters_its_font_cannot_draw(make_tenant, make_plan, invoice_billing):
    komi = make_tenant("komi")
    plan = make_plan(name_ru="Тариф 🚀")
    _requisites(komi)
    issued = _issue(komi, plan)
    with tenant_scope(db.session, komi.id), pytest.raises(documents.MissingGlyphs):
        documents.invoice_pdf(db.session.get(Invoice, issued.id))


def test_recording_a_payment_activates_and_then_extends(
    client, login, make_tenant, billing_user, make_plan, invoice_billing
):
    komi = make_tenant("komi")
    plan = make_plan(price_month=1_200_000)
    _requisites(komi)
    first, second = _issue(komi, plan), _issue(komi, plan)
    login(billing_user("platform_admin"))
    url = f"/admin/billing/centers/{komi.id}/invoices/{first.id}/payment"
    today = utcnow().date()
    wrong = client.post(url, data={"amount": "1000", "paid_on": today.isoformat(), "order_number": "17"})
    assert wrong.status_code == 200 and billing.get_subscription(komi.id) is None
    ok = client.post(url, data={"amount": "12 000,00", "paid_on": today.isoformat(), "order_number": "17"})
    assert ok.status_code == 302
    sub = billing.get_subscription(komi.id)
    assert (sub.status, sub.provider, sub.plan_id) == ("active", "invoice", plan.id)
    first_end = sub.current_period_end
    assert first_end.date() == billing.add_interval(sub.current_period_start, "month").date()

    # Paying the next invoice ahead of time adds a period after the running one.
    client.post(
        f"/admin/billing/centers/{komi.id}/invoices/{second.id}/payment",
        data={"amount": "12000", "paid_on": today.isoformat(), "order_number": "18"},
    )
    sub = billing.get_subscription(komi.id)
    assert sub.current_period_start == first_end
    assert sub.current_period_end == billing.add_interval(first_end, "month")
    with tenant_scope(db.session, komi.id):
        assert {i.status for i in db.session.scalars(sa.select(Invoice))} == {InvoiceStatus.PAID}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 2
    admin_page = client.get(f"/admin/billing/centers/{komi.id}", headers={"Accept-Language": "en"})
    assert first.number in admin_page.get_data(as_text=True) and "order No. 18" in admin_page.get_data(
        as_text=True
    )
    # A paid invoice cannot be paid twice.
    again = client.post(url, data={"amount": "12000", "paid_on": today.isoformat(), "order_number": "19"})
    assert again.status_code == 302
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 2


def test_payment_restores_a_lapsed_center(make_tenant, make_plan, subscribe, invoice_billing):
    komi = make_tenant("komi")
    plan = make_plan()
    subscribe(komi, plan, "past_due", provider="invoice", past_due_days=30, period_days=-30)
    assert billing.is_read_only(komi.id)
    _requisites(komi)
    _pay(komi, _issue(komi, plan).id)
    sub = billing.get_subscription(komi.id)
    assert sub.status == "active" and sub.past_due_since is None and not billing.is_read_only(komi.id)
    assert sub.current_period_start.date() == utcnow().date()  # from the payment, not the lapsed end


def test_act_for_a_paid_period_once_it_has_ended(
    client, login, make_tenant, billing_user, make_plan, invoice_billing
):
    komi = make_tenant("komi")
    plan = make_plan(name_ru="Стандарт")
    _requisites(komi)
    old, current = _issue(komi, plan), _issue(komi, plan)
    ended = _pay(komi, old.id, paid_on=utcnow().date() - timedelta(days=70), order="1")
    # The second payment starts after the first period (ended long ago): today, so its act is not due yet.
    running = _pay(komi, current.id, order="2")
    login(billing_user("center_admin", komi))
    html = client.get(f"/komi/staff/billing/payments/{ended}/act").get_data(as_text=True)
    assert f"Акт № {old.number}" in html and "п/п № 1" in html
    assert "Заказчик претензий" in html
    pdf = client.get(f"/komi/staff/billing/payments/{ended}/act/pdf")
    assert pdf.data.startswith(b"%PDF") and set("АктЗаказчик") <= _pdf_text_codepoints(pdf.data)
    assert client.get(f"/komi/staff/billing/payments/{running}/act").status_code == 404


def test_another_centers_invoice_is_not_found(
    client, login, make_tenant, billing_user, make_plan, invoice_billing
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    plan = make_plan()
    _requisites(tatarstan)
    foreign = _issue(tatarstan, plan)
    login(billing_user("center_admin", komi))
    assert client.get(f"/komi/staff/billing/invoices/{foreign.id}").status_code == 404
    assert client.get(f"/komi/staff/billing/invoices/{foreign.id}/pdf").status_code == 404
    # The platform admin's payment page checks the invoice belongs to the center in the URL.
    client.post("/logout")
    login(billing_user("platform_admin"))
    assert client.get(f"/admin/billing/centers/{komi.id}/invoices/{foreign.id}/payment").status_code == 404


def test_cancelled_invoice_keeps_its_number(make_tenant, make_plan, invoice_billing):
    komi = make_tenant("komi")
    plan = make_plan()
    _requisites(komi)
    issued = _issue(komi, plan)
    with tenant_scope(db.session, komi.id):
        invoice = db.session.get(Invoice, issued.id)
        invoices.cancel_invoice(invoice, actor=None)
        db.session.commit()
    with pytest.raises(Refusal):
        _pay(komi, issued.id)
    assert _issue(komi, plan).seq == issued.seq + 1


@pytest.mark.parametrize(
    ("kopecks", "words"),
    [
        (1_200_000, "Двенадцать тысяч рублей 00 копеек"),
        (2_101, "Двадцать один рубль 01 копейка"),
        (1_100, "Одиннадцать рублей 00 копеек"),
        (211_234_567, "Два миллиона сто двенадцать тысяч триста сорок пять рублей 67 копеек"),
        (200_222, "Две тысячи два рубля 22 копейки"),
    ],
)
def test_amount_in_words(kopecks, words):
    from clusterhub.billing.providers.invoice.words import rubles_in_words

    assert rubles_in_words(kopecks) == words


def test_the_billing_page_lists_invoices_a_page_at_a_time(
    client, login, make_tenant, billing_user, make_plan, invoice_billing
):
    komi = make_tenant("komi")
    plan = make_plan()
    _requisites(komi)
    numbers = [_issue(komi, plan).number for _ in range(14)]
    login(billing_user("center_admin", komi))
    english = {"Accept-Language": "en"}
    first = client.get("/komi/staff/billing/", headers=english).get_data(as_text=True)
    second = client.get("/komi/staff/billing/?page=2", headers=english).get_data(as_text=True)
    shown_first = [n for n in numbers if f"<td>{n}</td>" in first]
    shown_second = [n for n in numbers if f"<td>{n}</td>" in second]
    assert len(shown_first) == 12 and "Page 1 of 2" in first
    assert shown_second == numbers[:2] and "Page 2 of 2" in second  # the oldest two, on the last page
