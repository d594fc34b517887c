"""The center's billing page, the platform admin's plans and subscriptions, and the lapse guard."""

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core import signals
from ..core.access import requires
from ..core.forms import show_on
from ..core.menu import (
    PLATFORM_GROUP,
    STAFF_GROUP,
    HomeBlock,
    MenuItem,
)
from ..core.refusal import Refusal
from ..extensions import db
from ..tenancy.models import Tenant
from . import providers, services
from .forms import PlanForm, SubscriptionForm
from .models import LIMIT_NAMES, Plan
from .permissions import MANAGE_BILLING, PLATFORM_BILLING

bp = Blueprint("billing", __name__, template_folder="templates", cli_group="billing")


# Paying must stay possible while the staff area is read-only.
BILLING_BLUEPRINTS = {"billing", "billing_stripe", "billing_invoice"}


@bp.record_once
def _setup(state):
    app = state.app
    app.before_request(refuse_api_outside_the_plan)
    app.jinja_env.globals["billing_status_label"] = services.status_label


def refuse_writes_when_lapsed(tenant, **_kwargs):
    """This module's answer to ``signals.read_only_refusals``, which ``authz.enforce`` asks on every write that needs a tenant permission: after the
    grace period a lapsed center can be read and not changed (staff pages, cluster and session management,
    the tenant API alike). Reading, public pages, the federal layer and the billing pages themselves keep
    working, so that the center can pay.
    """
    if request.blueprint in BILLING_BLUEPRINTS or not services.is_read_only(tenant.id):
        return None
    message = _(
        "The center's subscription has lapsed, so the staff area is read-only: everything can be viewed "
        "and nothing has been deleted. Changes are possible again as soon as the payment arrives."
    )
    if request.path.startswith("/api/"):
        return jsonify(error={"code": 402, "message": message}), 402
    return render_template("billing/read_only.html", message=message), 402


def refuse_api_outside_the_plan():
    """``before_request``: a center whose plan has no API access gets 402 on its tenant API routes."""
    tenant = g.get("tenant")
    if tenant is None or not request.path.startswith(f"/api/v1/tenants/{tenant.slug}/"):
        return None
    if current_user.is_authenticated and current_user.is_platform_admin:
        return None
    if services.has_api_access(tenant):
        return None
    sub = services.get_subscription(tenant.id)
    message = _(
        "The %(plan)s plan does not include API access; choose a plan with API access on the billing page.",
        plan=services.localized_name(sub.plan),
    )
    return jsonify(error={"code": 402, "message": message}), 402


# --- the center's billing page ---------------------------------------------------------------------


@bp.route("/<tenant>/staff/billing/")
@requires(MANAGE_BILLING)
def overview():
    sub = services.get_subscription(g.tenant.id)
    plans = services.list_plans(active_only=True)
    configured = providers.configured_providers()
    panels = [provider.panel(g.tenant, sub, plans) for provider in configured]
    usage = {"staff_seats": services.staff_seats_in_use(g.tenant)}
    return render_template(
        "billing/overview.html",
        sub=sub,
        plans=plans,
        configured=configured,
        panels=panels,
        usage=usage,
        limit_names=LIMIT_NAMES,
        limit_labels=services.LIMIT_LABELS,
        interval_labels=services.INTERVAL_LABELS,
        read_only=services.is_read_only(g.tenant.id, sub=sub),
        read_only_since=services.read_only_since(sub),
        grace_days=services.grace_days(),
    )


def _staff_home_block():
    tenant = g.get("tenant")
    if tenant is None or not services.billing_enabled():
        return None
    from ..core.access import can

    sub = services.get_subscription(tenant.id)
    return {
        "sub": sub,
        "read_only": services.is_read_only(tenant.id, sub=sub),
        "read_only_since": services.read_only_since(sub),
        "can_manage": can(MANAGE_BILLING),
    }


# --- platform administration ------------------------------------------------------------------------


@bp.route("/admin/billing/plans/")
@requires(PLATFORM_BILLING)
def admin_plans():
    return render_template(
        "billing/admin_plans.html", plans=services.list_plans(), limit_labels=services.LIMIT_LABELS
    )


@bp.route("/admin/billing/plans/new", methods=["GET", "POST"])
@requires(PLATFORM_BILLING)
def admin_new_plan():
    return _plan_form(None)


@bp.route("/admin/billing/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@requires(PLATFORM_BILLING)
def admin_edit_plan(plan_id):
    return _plan_form(db.get_or_404(Plan, plan_id))


def _plan_form(plan):
    form = PlanForm(obj=plan)
    if form.validate_on_submit():
        try:
            plan = services.save_plan(form.values(), actor=current_user, plan=plan)
        except Refusal as error:
            show_on(form, error, "code")
        else:
            flash(_("The plan %(name)s has been saved.", name=services.localized_name(plan)), "success")
            return redirect(url_for("billing.admin_plans"))
    return render_template("billing/admin_plan_form.html", form=form, plan=plan)


@bp.route("/admin/billing/centers/")
@requires(PLATFORM_BILLING)
def admin_centers():
    # Subscriptions are tenant-owned: each is read in its center's scope (a few dozen centers at most).
    tenants = db.session.scalars(sa.select(Tenant).order_by(Tenant.name_ru)).all()
    rows = [(tenant, services.get_subscription(tenant.id)) for tenant in tenants]
    read_only = {tenant.id for tenant, sub in rows if sub and services.is_read_only(tenant.id, sub=sub)}
    return render_template(
        "billing/admin_centers.html",
        rows=rows,
        read_only=read_only,
        configured=providers.configured_providers(),
    )


@bp.route("/admin/billing/centers/<int:tenant_id>", methods=["GET", "POST"])
@requires(PLATFORM_BILLING)
def admin_center(tenant_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    sub = services.get_subscription(tenant.id)
    form = SubscriptionForm(
        plan_id=sub.plan_id if sub else None,
        status=sub.status if sub else None,
        interval=sub.interval if sub else None,
        period_end=sub.current_period_end.date() if sub and sub.current_period_end else None,
    )
    form.plan_id.choices = [(p.id, services.localized_name(p)) for p in services.list_plans()]
    form.status.choices = [(value, str(label)) for value, label in services.STATUS_LABELS.items()]
    if not form.plan_id.choices:
        flash(_("Create a plan first."), "warning")
        return redirect(url_for("billing.admin_plans"))
    if form.validate_on_submit():
        plan = db.get_or_404(Plan, form.plan_id.data)
        period_end = (
            datetime.combine(form.period_end.data, datetime.min.time()) if form.period_end.data else None
        )
        try:
            services.set_subscription(
                tenant,
                plan=plan,
                status=form.status.data,
                interval=form.interval.data,
                period_end=period_end,
                actor=current_user,
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The subscription of %(name)s has been saved.", name=tenant.name), "success")
            return redirect(url_for("billing.admin_center", tenant_id=tenant.id))
    panels = [
        p.admin_panel(tenant) for p in providers.configured_providers() if getattr(p, "admin_panel", None)
    ]
    return render_template("billing/admin_center.html", tenant=tenant, sub=sub, form=form, panels=panels)


def object_or_404(model, object_id):
    obj = db.session.scalar(sa.select(model).where(model.id == object_id))
    if obj is None:
        abort(404)
    return obj


@bp.cli.command("mark-past-due")
def mark_past_due_command():
    """Mark invoice-paid subscriptions whose period has ended as past due (run daily, e.g. a CronJob)."""
    import click

    count = services.mark_past_due_periods()
    db.session.commit()  # a command, not a request: no unit of work commits for it
    click.echo(f"{count} subscription(s) marked past due")


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Billing"), "billing.overview", MANAGE_BILLING, group=STAFF_GROUP),
        ],
        "global": [
            MenuItem(
                _l("Plans and billing"), "billing.admin_centers", PLATFORM_BILLING, group=PLATFORM_GROUP
            ),
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "staff": [
            HomeBlock("billing/_staff_block.html", _staff_home_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries, home blocks and the lapse guard (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)
    signals.read_only_refusals.connect(refuse_writes_when_lapsed)
