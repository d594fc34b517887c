"""The expert's pages (phone-friendly): their assignments, the scoring sheet, declaring a conflict of
interest, declining an assignment."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import login_required, requires
from ...core.forms import ConfirmForm, show_on
from ...core.refusal import Refusal
from ...extensions import db
from ..forms import ReasonForm
from ..models import Assignment, PanelMember
from ..services import assignments, conflicts, scoring
from ..services.panel import member_of
from . import LABELS, PANEL_WORK, bp, round_or_404, slot_or_404


@bp.route("/<tenant>/expert/")
@login_required
def expert_home():
    members = db.session.scalars(
        sa.select(PanelMember).where(PanelMember.user_id == current_user.id).order_by(PanelMember.id.desc())
    ).all()
    rounds = {m.id: round_or_404(m.defense_round_id) for m in members}
    return render_template(
        "defenses/expert_home.html",
        members=members,
        rounds=rounds,
        assignments={m.id: assignments.assignments_of(m) for m in members if m.scores},
        labels=LABELS,
    )


def _expert_slot(slot_id):
    """The slot, the round and the current user's panel membership; 404 unless they are on the panel."""
    slot = slot_or_404(slot_id)
    defense_round = round_or_404(slot.defense_round_id)
    member = member_of(defense_round, current_user)
    if member is None:
        abort(404)
    return slot, defense_round, member


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/score", methods=["GET", "POST"])
@requires(PANEL_WORK)
def score(defense_slot_id):
    slot, defense_round, member = _expert_slot(defense_slot_id)
    if conflicts.is_conflicted(slot.id, member.id):
        abort(403)  # a conflicted expert neither scores nor sees the project's scores
    assignment = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.defense_slot_id == slot.id, Assignment.panel_member_id == member.id
        )
    )
    if assignment is None:
        abort(404)
    form = ConfirmForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        values = {
            c.id: (request.form.get(f"score-{c.id}", ""), request.form.get(f"comment-{c.id}", ""))
            for c in defense_round.criteria
        }
        try:
            scoring.score_project(slot, member, values, actor=current_user)
        except Refusal as error:  # 409 when the protocol is signed, 422 for the scores themselves
            show_on(form, error)
            status = error.status
        else:
            flash(_("Your scores are saved."), "success")
            return redirect(url_for("defenses.score", defense_slot_id=slot.id))
    return (
        render_template(
            "defenses/score.html",
            slot=slot,
            round=defense_round,
            member=member,
            assignment=assignment,
            scores=scoring.own_scores(slot.id, member.id),
            form=form,
            reason_form=ReasonForm(),
            blind=defense_round.blind,
            submitted=request.form if status != 200 else {},
        ),
        status,
    )


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/conflict", methods=["POST"])
@requires(PANEL_WORK)
def declare_conflict(defense_slot_id):
    slot, defense_round, member = _expert_slot(defense_slot_id)
    form = ReasonForm()
    try:
        conflicts.declare_conflict(
            slot, member, form.reason.data if form.validate_on_submit() else "", actor=current_user
        )
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("Your conflict of interest is recorded; you will not score this project."), "success")
    return redirect(url_for("defenses.expert_home"))


@bp.route("/<tenant>/defenses/assignments/<int:assignment_id>/decline", methods=["POST"])
@requires(PANEL_WORK)
def decline(assignment_id):
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.id == assignment_id))
    if assignment is None or assignment.member.user_id != current_user.id:
        abort(404)
    form = ReasonForm()
    try:
        assignments.decline(
            assignment, form.reason.data if form.validate_on_submit() else "", actor=current_user
        )
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("You have declined the assignment."), "success")
    return redirect(url_for("defenses.expert_home"))
