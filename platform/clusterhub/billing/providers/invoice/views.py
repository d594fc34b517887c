"""Invoice pages: requisites, issuing and printing invoices, acts, and recording bank payments."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ....core import signals
from ....core.access import requires
from ....core.forms import show_on
from ....core.pagination import paginate
from ....core.refusal import Refusal
from ....extensions import db
from ....tenancy.models import Tenant
from ....tenancy.scoping import tenant_scope
from ... import providers
from ...models import Plan
from ...permissions import MANAGE_BILLING, PLATFORM_BILLING
from ...services import localized_name
from . import documents, services
from .forms import InvoiceRequestForm, PaymentForm, RequisitesForm
from .models import Invoice, InvoiceStatus, Payment
from .words import rubles_in_words

bp = Blueprint("billing_invoice", __name__, template_folder="templates")


@bp.record_once
def _setup(state):
    state.app.jinja_env.filters["rub"] = documents.rub
    state.app.jinja_env.filters["rub_words"] = rubles_in_words


def _invoice_form(plans):
    form = InvoiceRequestForm()
    form.plan_id.choices = [(p.id, localized_name(p)) for p in plans if p.price_month or p.price_year]
    return form


INVOICES_PER_PAGE = 12  # a year of monthly invoices


def _panel(tenant, sub, plans):
    invoices = paginate(
        sa.select(Invoice).order_by(Invoice.issued_on.desc(), Invoice.id.desc()), per_page=INVOICES_PER_PAGE
    )
    # The payments of the invoices on the page (a payment settles one invoice).
    payments = db.session.scalars(
        sa.select(Payment)
        .where(Payment.invoice_id.in_([invoice.id for invoice in invoices.items]))
        .order_by(Payment.paid_on.desc())
    ).all()
    return Markup(
        render_template(
            "billing_invoice/panel.html",
            requisites=services.get_requisites(),
            form=_invoice_form([p for p in plans if p.currency == "RUB"]),
            invoices=invoices,
            payments=payments,
            act_available=services.act_available,
        )
    )


def _admin_panel(tenant):
    with tenant_scope(db.session, tenant.id):
        invoices = db.session.scalars(
            sa.select(Invoice).order_by(Invoice.issued_on.desc(), Invoice.id.desc()).limit(50)
        ).all()
        payments = db.session.scalars(sa.select(Payment).order_by(Payment.paid_on.desc()).limit(50)).all()
        return Markup(
            render_template(
                "billing_invoice/admin_panel.html", tenant=tenant, invoices=invoices, payments=payments
            )
        )


PROVIDER = providers.PaymentProvider(
    code=services.PROVIDER,
    label=_l("Invoice and bank transfer"),
    is_configured=services.is_configured,
    panel=_panel,
    admin_panel=_admin_panel,
)


def _provider(sender, **_kwargs) -> providers.PaymentProvider:
    return PROVIDER


def connect_signals() -> None:
    """Invoices paid by bank transfer, as a payment provider (``signals.payment_providers``)."""
    signals.payment_providers.connect(_provider)


def _tenant_object(model, object_id):
    return db.first_or_404(sa.select(model).where(model.id == object_id))


def _pdf_response(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- the center's pages ----------------------------------------------------------------------------


@bp.route("/<tenant>/staff/billing/requisites", methods=["GET", "POST"])
@requires(MANAGE_BILLING)
def requisites():
    current = services.get_requisites()
    form = RequisitesForm(obj=current)
    if form.validate_on_submit():
        try:
            services.save_requisites(form.values(), actor=current_user)
        except Refusal as error:
            show_on(form, error, "name")
        else:
            flash(_("The requisites have been saved."), "success")
            return redirect(url_for("billing.overview"))
    return render_template("billing_invoice/requisites.html", form=form)


@bp.route("/<tenant>/staff/billing/invoices/new", methods=["POST"])
@requires(MANAGE_BILLING)
def new_invoice():
    plans = db.session.scalars(sa.select(Plan).where(Plan.active.is_(True), Plan.currency == "RUB")).all()
    form = _invoice_form(plans)
    if not form.validate_on_submit():
        flash(_("Choose a plan and a billing period."), "danger")
        return redirect(url_for("billing.overview"))
    try:
        invoice = services.issue_invoice(
            g.tenant, db.session.get(Plan, form.plan_id.data), form.interval.data, actor=current_user
        )
    except Refusal as error:
        flash(str(error), "danger")
        return redirect(url_for("billing.overview"))
    flash(_("Invoice No. %(number)s has been issued.", number=invoice.number), "success")
    return redirect(url_for("billing_invoice.invoice", invoice_id=invoice.id))


@bp.route("/<tenant>/staff/billing/invoices/<int:invoice_id>")
@requires(MANAGE_BILLING)
def invoice(invoice_id):
    return render_template(
        "billing_invoice/invoice_document.html", invoice=_tenant_object(Invoice, invoice_id)
    )


@bp.route("/<tenant>/staff/billing/invoices/<int:invoice_id>/pdf")
@requires(MANAGE_BILLING)
def invoice_pdf(invoice_id):
    invoice = _tenant_object(Invoice, invoice_id)
    return _pdf_response(documents.invoice_pdf(invoice), f"invoice-{invoice.number}.pdf")


def _act_payment(payment_id):
    payment = _tenant_object(Payment, payment_id)
    if not services.act_available(payment):
        abort(404)
    return payment


@bp.route("/<tenant>/staff/billing/payments/<int:payment_id>/act")
@requires(MANAGE_BILLING)
def act(payment_id):
    return render_template("billing_invoice/act_document.html", payment=_act_payment(payment_id))


@bp.route("/<tenant>/staff/billing/payments/<int:payment_id>/act/pdf")
@requires(MANAGE_BILLING)
def act_pdf(payment_id):
    payment = _act_payment(payment_id)
    return _pdf_response(documents.act_pdf(payment), f"act-{payment.invoice.number}.pdf")


# --- the platform admin --------------------------------------------------------------------------


@bp.route("/admin/billing/centers/<int:tenant_id>/invoices/<int:invoice_id>/payment", methods=["GET", "POST"])
@requires(PLATFORM_BILLING)
def record_payment(tenant_id, invoice_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    form = PaymentForm()
    with tenant_scope(db.session, tenant.id):
        invoice = _tenant_object(Invoice, invoice_id)
        if invoice.status != InvoiceStatus.ISSUED:
            flash(_("This invoice is not awaiting payment."), "warning")
            return redirect(url_for("billing.admin_center", tenant_id=tenant.id))
        if form.validate_on_submit():
            try:
                services.record_payment(
                    invoice,
                    amount=services.parse_amount(form.amount.data),
                    paid_on=form.paid_on.data,
                    order_number=form.order_number.data,
                    actor=current_user,
                )
            except Refusal as error:
                show_on(form, error, "amount")
            else:
                flash(_("The payment has been recorded and the subscription extended."), "success")
                return redirect(url_for("billing.admin_center", tenant_id=tenant.id))
        return render_template(
            "billing_invoice/record_payment.html", tenant=tenant, invoice=invoice, form=form
        )


@bp.route("/admin/billing/centers/<int:tenant_id>/invoices/<int:invoice_id>/cancel", methods=["POST"])
@requires(PLATFORM_BILLING)
def cancel_invoice(tenant_id, invoice_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    with tenant_scope(db.session, tenant.id):
        invoice = _tenant_object(Invoice, invoice_id)
        try:
            services.cancel_invoice(invoice, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Invoice No. %(number)s has been cancelled.", number=invoice.number), "success")
    return redirect(url_for("billing.admin_center", tenant_id=tenant.id))
