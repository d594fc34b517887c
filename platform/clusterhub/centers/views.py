import sqlalchemy as sa
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.forms import InviteForm, role_label
from ..accounts.models import Invitation, Membership
from ..accounts.services.memberships import invite, remove_membership, revoke_invitation
from ..core import page_cache, signals
from ..core.access import Permission, public, requires
from ..core.forms import ConfirmForm, show_on
from ..core.menu import PLATFORM_GROUP, STAFF_GROUP, MenuItem
from ..core.page_cache import PageCache, row_version
from ..core.pagination import paginate
from ..core.refusal import Refusal
from ..core.security import csp_nonce
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus
from .forms import TenantForm
from .services import create_tenant, set_tenant_status, update_tenant

bp = Blueprint("tenancy", __name__, template_folder="templates")


# --- a center's pages (under /<tenant>/) -----------------------------------------------------------


_anonymous_homes = PageCache("center-home", max_entries=256)


@bp.route("/<tenant>/")
@public
def center_home():
    # Anonymous visitors all see the same page, which shows the center's row and nothing else: it is
    # served from the page cache while that row is unchanged (no query beyond the tenant's own).
    if current_user.is_authenticated or "_flashes" in session or request.query_string:
        return render_template("tenancy/center_home.html", tenant=g.tenant)
    key, version = (g.tenant.id, str(get_locale())), row_version(g.tenant)
    page = _anonymous_homes.serve(key, version, csp_nonce())
    if page is None:
        html = render_template("tenancy/center_home.html", tenant=g.tenant)
        _anonymous_homes.put(key, version, page_cache.freeze(html, csp_nonce()))
        return html
    return page


@bp.route("/<tenant>/staff/")
@requires(Permission.STAFF_AREA)
def staff_home():
    members = db.session.scalar(sa.select(sa.func.count()).select_from(Membership))
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
    )
    return render_template("tenancy/staff_home.html", members=members, pending=pending)


@bp.route("/<tenant>/staff/members", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEMBERS)
def members():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invite(g.tenant, form.email.data, form.role.data, current_user)
        except Refusal as error:
            show_on(form, error, "email")
        else:
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("tenancy.members"))
    memberships = db.session.scalars(sa.select(Membership).order_by(Membership.created_at)).all()
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
    ).all()
    return render_template(
        "tenancy/members.html",
        form=form,
        memberships=memberships,
        invitations=invitations,
        confirm_form=ConfirmForm(),
        role_label=role_label,
    )


def _tenant_object(model, object_id):
    """A tenant-owned object of the current tenant, or 404 (another tenant's object is not found)."""
    return db.first_or_404(sa.select(model).where(model.id == object_id))


@bp.route("/<tenant>/staff/invitations/<int:invitation_id>/revoke", methods=["POST"])
@requires(Permission.MANAGE_MEMBERS)
def revoke(invitation_id):
    invitation = _tenant_object(Invitation, invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            revoke_invitation(invitation, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The invitation has been revoked."), "success")
    return redirect(url_for("tenancy.members"))


@bp.route("/<tenant>/staff/members/<int:membership_id>/remove", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEMBERS)
def remove_member(membership_id):
    membership = _tenant_object(Membership, membership_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            remove_membership(membership, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(
                _("%(name)s no longer has a role in the center.", name=membership.user.full_name), "success"
            )
        return redirect(url_for("tenancy.members"))
    return render_template(
        "tenancy/confirm_remove_member.html", membership=membership, form=form, role_label=role_label
    )


# --- platform administration of centers ------------------------------------------------------------


@bp.route("/admin/tenants/")
@requires(Permission.MANAGE_TENANTS)
def admin_tenants():
    page = paginate(sa.select(Tenant).join(Tenant.region).order_by(Region.name_ru), per_page=50)
    return render_template("tenancy/admin_tenants.html", page=page, confirm_form=ConfirmForm())


@bp.route("/admin/tenants/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_TENANTS)
def admin_new_tenant():
    form = TenantForm()
    if form.validate_on_submit():
        try:
            tenant = create_tenant(form.values(), actor=current_user)
        except Refusal as error:
            show_on(form, error, "slug")
        else:
            flash(_("The center %(name)s has been created.", name=tenant.name), "success")
            return redirect(url_for("tenancy.admin_tenants"))
    return render_template("tenancy/admin_tenant_form.html", form=form, tenant=None)


@bp.route("/admin/tenants/<int:tenant_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_TENANTS)
def admin_edit_tenant(tenant_id):
    tenant = db.get_or_404(Tenant, tenant_id)
    form = TenantForm(obj=tenant)
    if form.validate_on_submit():
        try:
            update_tenant(tenant, form.values(), actor=current_user)
        except Refusal as error:
            show_on(form, error, "slug")
        else:
            flash(_("The center has been saved."), "success")
            return redirect(url_for("tenancy.admin_tenants"))
    return render_template("tenancy/admin_tenant_form.html", form=form, tenant=tenant)


@bp.route("/admin/tenants/<int:tenant_id>/status", methods=["GET", "POST"])
@requires(Permission.MANAGE_TENANTS)
def admin_tenant_status(tenant_id):
    """Suspend or reactivate a center, after a confirmation page."""
    tenant = db.get_or_404(Tenant, tenant_id)
    new_status = TenantStatus.SUSPENDED if tenant.status == TenantStatus.ACTIVE else TenantStatus.ACTIVE
    form = ConfirmForm()
    if form.validate_on_submit():
        set_tenant_status(tenant, new_status, actor=current_user)
        if new_status == TenantStatus.SUSPENDED:
            flash(_("The center %(name)s is suspended; its data is kept.", name=tenant.name), "success")
        else:
            flash(_("The center %(name)s is active again.", name=tenant.name), "success")
        return redirect(url_for("tenancy.admin_tenants"))
    return render_template(
        "tenancy/admin_tenant_status.html", tenant=tenant, new_status=new_status, form=form
    )


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Staff area"), "tenancy.staff_home", Permission.STAFF_AREA, group=STAFF_GROUP),
            MenuItem(_l("People"), "tenancy.members", Permission.MANAGE_MEMBERS, group=STAFF_GROUP),
        ],
        "global": [
            MenuItem(_l("Centers"), "tenancy.admin_tenants", Permission.MANAGE_TENANTS, group=PLATFORM_GROUP),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
