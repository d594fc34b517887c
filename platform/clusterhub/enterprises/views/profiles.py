"""The directory, an enterprise's profile, and its editing: fields, logo, yearly figures, products."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...core.access import login_required, public
from ...core.forms import ConfirmForm, show_on
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...core.uploads import send_stored
from ...extensions import db
from ..forms import EnterpriseProfileForm, FigureForm, ProductForm, RoleForm, region_choices
from ..models import ACTION_LABELS, FIELD_LABELS, EnterpriseFigure, EnterpriseProduct, RepresentativeRole
from ..services import history, products, profiles, representatives, search
from . import _enterprise, bp

PER_PAGE = 25


def _require_editor(enterprise):
    if not representatives.can_edit(current_user, enterprise):
        abort(403)


@bp.route("/enterprises/")
@public
def directory():
    q = request.args.get("q", "").strip()
    region_id = request.args.get("region", type=int)
    okved = request.args.get("okved", "").strip()
    page = paginate(search.search_statement(q, region_id, okved), per_page=PER_PAGE)
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
    editor = representatives.can_edit(current_user, enterprise)
    owner = representatives.is_representative(current_user, enterprise, RepresentativeRole.OWNER)
    return render_template(
        "enterprises/profile.html",
        enterprise=enterprise,
        editor=editor,
        owner=owner,
        history=history.enterprise_history(enterprise, current_user),
        edits=history.edit_history(enterprise) if editor else [],
        representatives=representatives.representatives(enterprise) if editor else [],
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
        field_labels=FIELD_LABELS,
        action_labels=ACTION_LABELS,
        history_value=history.history_value,
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
            changed = profiles.update_profile(enterprise, form.values(), current_user)
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
            profiles.set_logo(enterprise, upload.stream, upload.filename, current_user)
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
            profiles.set_figures(
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
        profiles.remove_figures(figure, current_user)
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
            products.add_product(
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
        products.remove_product(product, current_user)
        flash(_("The product has been removed."), "success")
    return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id) + "#products")
