"""The panel of a round: putting people on it and taking them off, assigning them to projects,
attendance."""

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.services.users import find_user_by_email
from ...core.access import requires
from ...core.forms import ConfirmForm
from ...core.refusal import Refusal
from ...extensions import db
from ..forms import PanelForm
from ..models import PanelMember, PanelRole
from ..services import assignments, locks, panel
from . import MANAGE_DEFENSES, PANEL_WORK, access, bp, chair_or_manager, round_or_404, slot_or_404


@bp.route("/<tenant>/defenses/<int:defense_round_id>/panel", methods=["POST"])
@requires(MANAGE_DEFENSES)
def add_panel(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    form = PanelForm(prefix="panel")
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            flash(_("No ClusterHub user has this e-mail; invite them to the center first."), "danger")
        else:
            try:
                panel.add_panel_member(
                    defense_round,
                    user,
                    form.role.data,
                    affiliation=form.affiliation.data or None,
                    actor=current_user,
                )
            except Refusal as error:
                flash(str(error), "danger")
            else:
                flash(_("%(name)s is on the panel.", name=user.full_name), "success")
    else:
        flash(_("Give the e-mail of the panel member."), "danger")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/assign/<int:panel_member_id>", methods=["POST"])
@requires(PANEL_WORK)
def assign(defense_slot_id, panel_member_id):
    slot = slot_or_404(defense_slot_id)
    defense_round = round_or_404(slot.defense_round_id)
    member = db.session.scalar(sa.select(PanelMember).where(PanelMember.id == panel_member_id))
    if member is None:
        abort(404)
    chair_or_manager(defense_round)
    try:
        assignments.assign(slot, member, actor=current_user)
    except Refusal as error:
        flash(str(error), "danger")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/panel/<int:panel_member_id>/remove", methods=["POST"])
@requires(MANAGE_DEFENSES)
def remove_panel_member(panel_member_id):
    member = db.session.scalar(sa.select(PanelMember).where(PanelMember.id == panel_member_id))
    if member is None:
        abort(404)
    round_id = member.defense_round_id
    if ConfirmForm().validate_on_submit():
        try:
            panel.remove_panel_member(member, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed from the panel."), "success")
    return redirect(url_for("defenses.round_page", defense_round_id=round_id))


@bp.route("/<tenant>/defenses/panel/<int:panel_member_id>/attendance", methods=["POST"])
@requires(PANEL_WORK)
def attendance(panel_member_id):
    member = db.session.scalar(sa.select(PanelMember).where(PanelMember.id == panel_member_id))
    if member is None:
        abort(404)
    defense_round = round_or_404(member.defense_round_id)
    me, manager = access(defense_round)
    if not manager and not (me and me.role in (PanelRole.CHAIR, PanelRole.SECRETARY)):
        abort(403)
    try:
        panel.set_attendance(member, request.form.get("attended") == "1", actor=current_user)
    except locks.RoundLocked as error:
        flash(str(error), "danger")
    else:
        name = member.user.full_name
        flash(
            _("%(name)s is marked present.", name=name)
            if member.attended
            else _("%(name)s is marked absent.", name=name),
            "success",
        )
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))
