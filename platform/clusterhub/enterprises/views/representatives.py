"""Claims and representatives of an enterprise, and a center's decision on first claims."""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import login_required, requires
from ...core.forms import ConfirmForm
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...extensions import db
from ..forms import ClaimForm, RoleForm
from ..models import EnterpriseRepresentative, RepresentativeRole
from ..services import representatives
from . import CONFIRM_CLAIMS, _enterprise, bp


def _link(enterprise, link_id) -> EnterpriseRepresentative:
    link = db.session.get(EnterpriseRepresentative, link_id)
    if link is None or link.enterprise_id != enterprise.id:
        abort(404)
    return link


@bp.route("/enterprises/mine", methods=["GET", "POST"])
@login_required
def mine():
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            link = representatives.claim(current_user, form.inn.data, form.full_name.data)
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
            representatives.approve_claim(link, current_user, form.role.data)
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
            representatives.reject_claim(link, current_user)
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
            representatives.set_representative_role(link, form.role.data, current_user)
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
    if not own and not representatives.is_representative(current_user, enterprise, RepresentativeRole.OWNER):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            representatives.remove_representative(link, current_user)
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
    page = paginate(representatives.first_claims_for_center(g.tenant), per_page=50)
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
                representatives.confirm_first_claim(link, g.tenant, current_user)
                message = _(
                    "%(user)s is now the owner of %(name)s.",
                    user=link.user.full_name,
                    name=link.enterprise.name,
                )
            else:
                representatives.reject_claim(link, current_user, tenant=g.tenant)
                message = _("The claim has been rejected.")
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(message, "success")
    return redirect(url_for("enterprises.center_claims"))
