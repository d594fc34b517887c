"""Enterprise pages: the directory, profiles, claims, representatives and the platform admin's merge."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.authz import can, login_required, public, requires
from ..accounts.forms import ConfirmForm
from ..accounts.models import GlobalRole, TenantRole
from ..core import signals
from ..core.forms import show_on
from ..core.menu import (
    PLATFORM_GROUP,
    STAFF_GROUP,
    HomeBlock,
    MenuItem,
)
from ..core.pagination import paginate
from ..core.refusal import Refusal
from ..core.uploads import send_stored
from ..extensions import db
from . import services
from .forms import (
    ClaimForm,
    EnterpriseProfileForm,
    FigureForm,
    MergeForm,
    ProductForm,
    RoleForm,
    region_choices,
)
from .models import (
    ACTION_LABELS,
    FIELD_LABELS,
    Enterprise,
    EnterpriseFigure,
    EnterpriseProduct,
    EnterpriseRepresentative,
    RepresentativeRole,
)

CONFIRM_CLAIMS = "enterprises.confirm_claims"
MERGE_ENTERPRISES = "enterprises.merge"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {CONFIRM_CLAIMS}),
        (TenantRole.CENTER_STAFF, {CONFIRM_CLAIMS}),
        (GlobalRole.PLATFORM_ADMIN, {CONFIRM_CLAIMS, MERGE_ENTERPRISES}),
    ]


bp = Blueprint("enterprises", __name__, template_folder="templates")


PER_PAGE = 25


def _staff_block():
    if not can(CONFIRM_CLAIMS):
        return None
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            services.first_claims_for_center(g.tenant).order_by(None).subquery()
        )
    )
    return {"count": count}


def _enterprise(enterprise_id) -> Enterprise:
    return db.get_or_404(Enterprise, enterprise_id)


def _require_editor(enterprise):
    if not services.can_edit(current_user, enterprise):
        abort(403)


def _link(enterprise, link_id) -> EnterpriseRepresentative:
    link = db.session.get(EnterpriseRepresentative, link_id)
    if link is None or link.enterprise_id != enterprise.id:
        abort(404)
    return link


# --- directory and profile -------------------------------------------------------------------------


@bp.route("/enterprises/")
@public
def directory():
    q = request.args.get("q", "").strip()
    region_id = request.args.get("region", type=int)
    okved = request.args.get("okved", "").strip()
    page = paginate(services.search_statement(q, region_id, okved), per_page=PER_PAGE)
    return render_template(
        "enterprises/directory.html",
        page=page,
        q=q,
        region_id=region_id,
        okved=okved,
        regions=region_choices(_l("All regions")),
    )


@bp.route("/enterprises/<int:enterprise_id>")
@public
def profile(enterprise_id):
    enterprise = _enterprise(enterprise_id)
    editor = services.can_edit(current_user, enterprise)
    owner = services.is_representative(current_user, enterprise, RepresentativeRole.OWNER)
    return render_template(
        "enterprises/profile.html",
        enterprise=enterprise,
        editor=editor,
        owner=owner,
        history=services.enterprise_history(enterprise, current_user),
        edits=services.edit_history(enterprise) if editor else [],
        representatives=services.representatives(enterprise) if editor else [],
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
        field_labels=FIELD_LABELS,
        action_labels=ACTION_LABELS,
        history_value=services.history_value,
    )


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enterprise_id):
    enterprise = _enterprise(enterprise_id)
    _require_editor(enterprise)
    form = EnterpriseProfileForm(obj=enterprise)
    form.show_derived_region(enterprise)
    if request.method == "GET":
        form.process_enterprise(enterprise)
    figure_form, product_form = FigureForm(prefix="fig"), ProductForm(prefix="prod")
    if form.validate_on_submit():
        try:
            changed = services.update_profile(enterprise, form.values(), current_user)
        except Refusal as error:
            show_on(form, error, "full_name")
        else:
            flash(_("The profile has been saved.") if changed else _("Nothing has changed."), "success")
            return redirect(url_for("enterprises.profile", enterprise_id=enterprise.id))
    return render_template(
        "enterprises/edit.html",
        enterprise=enterprise,
        form=form,
        figure_form=figure_form,
        product_form=product_form,
        confirm_form=ConfirmForm(),
    )


@bp.route("/enterprises/<int:enterprise_id>/logo", methods=["GET", "POST"])
@public
def logo(enterprise_id):
    """The logo, public like the profile; representatives who may edit replace it with a POST."""
    enterprise = _enterprise(enterprise_id)
    if request.method == "POST":
        if not current_user.is_authenticated:
            abort(403)
        _require_editor(enterprise)
        upload = request.files.get("logo")
        try:
            if upload is None or not upload.filename:
                raise Refusal(_("Choose a file."), "logo")
            services.set_logo(enterprise, upload.stream, upload.filename, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The logo has been replaced."), "success")
        return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id))
    if not enterprise.logo_key:
        abort(404)
    return send_stored(enterprise.logo_key, enterprise.logo_content_type, max_age=3600)


@bp.route("/enterprises/<int:enterprise_id>/figures", methods=["POST"])
@login_required
def add_figures(enterprise_id):
    enterprise = _enterprise(enterprise_id)
    _require_editor(enterprise)
    form = FigureForm(prefix="fig")
    if form.validate_on_submit():
        try:
            services.set_figures(
                enterprise, form.year.data, form.headcount.data, form.revenue.data, current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The figures for %(year)s have been saved.", year=form.year.data), "success")
    else:
        flash(_("Give the year and at least one figure."), "danger")
    return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id) + "#figures")


@bp.route("/enterprises/<int:enterprise_id>/figures/<int:figure_id>/remove", methods=["POST"])
@login_required
def remove_figures(enterprise_id, figure_id):
    enterprise = _enterprise(enterprise_id)
    _require_editor(enterprise)
    figure = db.session.get(EnterpriseFigure, figure_id)
    if figure is None or figure.enterprise_id != enterprise.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_figures(figure, current_user)
        flash(_("The figures have been removed."), "success")
    return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id) + "#figures")


@bp.route("/enterprises/<int:enterprise_id>/products", methods=["POST"])
@login_required
def add_product(enterprise_id):
    enterprise = _enterprise(enterprise_id)
    _require_editor(enterprise)
    form = ProductForm(prefix="prod")
    if form.validate_on_submit():
        try:
            services.add_product(
                enterprise, form.name.data, form.okpd2.data, form.description.data, current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The product has been added."), "success")
    else:
        flash(_("Give the product's name."), "danger")
    return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id) + "#products")


@bp.route("/enterprises/<int:enterprise_id>/products/<int:product_id>/remove", methods=["POST"])
@login_required
def remove_product(enterprise_id, product_id):
    enterprise = _enterprise(enterprise_id)
    _require_editor(enterprise)
    product = db.session.get(EnterpriseProduct, product_id)
    if product is None or product.enterprise_id != enterprise.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_product(product, current_user)
        flash(_("The product has been removed."), "success")
    return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id) + "#products")


# --- claims and representatives --------------------------------------------------------------------


@bp.route("/enterprises/mine", methods=["GET", "POST"])
@login_required
def mine():
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            link = services.claim(current_user, form.inn.data, form.full_name.data)
        except Refusal as error:
            getattr(form, error.field if error.field in ("inn", "full_name") else "inn").errors.append(
                str(error)
            )
        else:
            flash(
                _(
                    "Your claim for %(name)s has been sent. You will be able to edit the profile once it is confirmed.",
                    name=link.enterprise.name,
                ),
                "success",
            )
            return redirect(url_for("enterprises.mine"))
    links = db.session.scalars(
        sa.select(EnterpriseRepresentative)
        .where(EnterpriseRepresentative.user_id == current_user.id)
        .options(sa.orm.joinedload(EnterpriseRepresentative.enterprise))
        .order_by(EnterpriseRepresentative.created_at)
    ).all()
    return render_template("enterprises/mine.html", form=form, links=links)


@bp.route("/enterprises/<int:enterprise_id>/representatives/<int:link_id>/approve", methods=["POST"])
@login_required
def approve(enterprise_id, link_id):
    enterprise = _enterprise(enterprise_id)
    link = _link(enterprise, link_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.approve_claim(link, current_user, form.role.data)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("%(name)s now represents the enterprise.", name=link.user.full_name), "success")
    return redirect(url_for("enterprises.profile", enterprise_id=enterprise.id) + "#representatives")


@bp.route("/enterprises/<int:enterprise_id>/representatives/<int:link_id>/reject", methods=["POST"])
@login_required
def reject(enterprise_id, link_id):
    enterprise = _enterprise(enterprise_id)
    link = _link(enterprise, link_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.reject_claim(link, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The claim has been rejected."), "success")
    return redirect(url_for("enterprises.profile", enterprise_id=enterprise.id) + "#representatives")


@bp.route("/enterprises/<int:enterprise_id>/representatives/<int:link_id>/role", methods=["POST"])
@login_required
def change_role(enterprise_id, link_id):
    enterprise = _enterprise(enterprise_id)
    link = _link(enterprise, link_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.set_representative_role(link, form.role.data, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The role has been changed."), "success")
    return redirect(url_for("enterprises.profile", enterprise_id=enterprise.id) + "#representatives")


@bp.route("/enterprises/<int:enterprise_id>/representatives/<int:link_id>/remove", methods=["GET", "POST"])
@login_required
def remove_representative(enterprise_id, link_id):
    """Remove a representative, or leave (one's own link), after a confirmation page."""
    enterprise = _enterprise(enterprise_id)
    link = _link(enterprise, link_id)
    own = link.user_id == current_user.id
    if not own and not services.is_representative(current_user, enterprise, RepresentativeRole.OWNER):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_representative(link, current_user)
        except Refusal as error:
            flash(str(error), "danger")
            return redirect(url_for("enterprises.profile", enterprise_id=enterprise.id) + "#representatives")
        if own:
            flash(_("You no longer represent %(name)s.", name=enterprise.name), "success")
            return redirect(url_for("enterprises.mine"))
        flash(_("%(name)s no longer represents the enterprise.", name=link.user.full_name), "success")
        return redirect(url_for("enterprises.profile", enterprise_id=enterprise.id) + "#representatives")
    return render_template(
        "enterprises/confirm_remove.html", enterprise=enterprise, link=link, own=own, form=form
    )


# --- a center confirms first claims ----------------------------------------------------------------


@bp.route("/<tenant>/staff/enterprise-claims")
@requires(CONFIRM_CLAIMS)
def center_claims():
    page = paginate(services.first_claims_for_center(g.tenant), per_page=50)
    return render_template("enterprises/center_claims.html", page=page, confirm_form=ConfirmForm())


@bp.route("/<tenant>/staff/enterprise-claims/<int:claim>/<decision>", methods=["POST"])
@requires(CONFIRM_CLAIMS)
def center_decide(claim, decision):
    link = db.get_or_404(EnterpriseRepresentative, claim)
    if decision not in ("confirm", "reject"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            if decision == "confirm":
                services.confirm_first_claim(link, g.tenant, current_user)
                message = _(
                    "%(user)s is now the owner of %(name)s.",
                    user=link.user.full_name,
                    name=link.enterprise.name,
                )
            else:
                services.reject_claim(link, current_user, tenant=g.tenant)
                message = _("The claim has been rejected.")
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(message, "success")
    return redirect(url_for("enterprises.center_claims"))


# --- platform admin: merge -------------------------------------------------------------------------


@bp.route("/admin/enterprises/merge", methods=["GET", "POST"])
@requires(MERGE_ENTERPRISES)
def merge():
    form = MergeForm()
    source = target = None
    if form.validate_on_submit():
        try:
            source = services.find_by_inn(form.source_inn.data)
            target = services.find_by_inn(form.target_inn.data)
        except Refusal as error:
            show_on(form, error, "source_inn")
        else:
            if source is None or target is None:
                form.source_inn.errors.append(_("There is no profile with this ИНН."))
            elif source.id == target.id:
                form.target_inn.errors.append(_("Choose two different profiles."))
            elif request.form.get("confirmed") == "1":
                name = source.name
                moved = services.merge_enterprises(source, target, current_user)
                flash(
                    _(
                        "%(source)s has been merged into %(target)s (%(count)s references moved).",
                        source=name,
                        target=target.name,
                        count=sum(moved.values()),
                    ),
                    "success",
                )
                return redirect(url_for("enterprises.profile", enterprise_id=target.id))
    counts = services.reference_counts(source) if source is not None and target is not None else {}
    return render_template("enterprises/merge.html", form=form, source=source, target=target, counts=counts)


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "global": [
            MenuItem(_l("Enterprises"), "enterprises.directory"),
            MenuItem(_l("Merge profiles"), "enterprises.merge", MERGE_ENTERPRISES, group=PLATFORM_GROUP),
        ],
        "tenant": [
            MenuItem(_l("Enterprise claims"), "enterprises.center_claims", CONFIRM_CLAIMS, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "staff": [
            HomeBlock("enterprises/_staff_block.html", _staff_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)
