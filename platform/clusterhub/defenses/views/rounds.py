"""The staff's pages of a round: the list of rounds, the round with its programme, panel and
assignments, and the chair's actions on it."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.forms import role_label
from ...core.access import login_required, requires
from ...core.forms import ConfirmForm, show_on
from ...core.refusal import Refusal
from ...extensions import db
from ...projects.models import JointProject, ProjectStatus
from ...projects.services import selection_rounds
from ..forms import PanelForm, RoundForm, SlotForm
from ..models import DefenseRound, PanelRole
from ..services import assignments, conflicts, panel, rounds, scoring
from ..services.protocol import protocol_of
from . import LABELS, MANAGE_DEFENSES, PANEL_WORK, access, bp, chair_or_manager, round_or_404, slot_or_404


@bp.route("/<tenant>/defenses/", methods=["GET", "POST"])
@requires(MANAGE_DEFENSES)
def index():
    form = RoundForm()
    cycles = selection_rounds.selection_rounds() or selection_rounds.seed_selection_rounds()
    form.selection_round_id.choices = [(r.id, f"{r.year} — {r.legal_edition}") for r in cycles]
    form.agenda_item_id.choices = [(0, _("— standalone round —")), *rounds.defense_agenda_items()]
    if form.validate_on_submit():
        selection_round = next(r for r in cycles if r.id == form.selection_round_id.data)
        try:
            defense_round = rounds.create_round(
                selection_round,
                form.number.data,
                form.title.data,
                actor=current_user,
                held_on=form.held_on.data,
                location=form.location.data or None,
                blind=form.blind.data,
                min_experts_per_project=form.min_experts_per_project.data,
                agenda_item_id=form.agenda_item_id.data or None,
            )
        except Refusal as error:
            show_on(form, error, "number")
        else:
            flash(_("The defense round has been created."), "success")
            return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))
    defense_rounds = db.session.scalars(
        sa.select(DefenseRound).order_by(DefenseRound.created_at.desc())
    ).all()
    return render_template("defenses/index.html", rounds=defense_rounds, form=form, labels=LABELS)


@bp.route("/<tenant>/defenses/<int:defense_round_id>")
@login_required
def round_page(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    member, manager = access(defense_round)
    chair = member is not None and member.role == PanelRole.CHAIR
    context = {}
    if manager or chair:
        slot_form = SlotForm(prefix="slot")
        scheduled = {s.joint_project_id for s in defense_round.slots}
        slot_form.joint_project_id.choices = [
            (p.id, p.title_ru)
            for p in db.session.scalars(
                sa.select(JointProject).where(
                    JointProject.status == ProjectStatus.ADMITTED,
                    JointProject.selection_round_id == defense_round.selection_round_id,
                )
            )
            if p.id not in scheduled
        ]
        made = assignments.assignments_in(defense_round.id)
        context = {
            "panel_form": PanelForm(prefix="panel"),
            "slot_form": slot_form,
            "progress": scoring.progress(defense_round),
            "proposal": assignments.propose(defense_round),
            "assignments": {(a.defense_slot_id, a.panel_member_id): a for a in made},
            "conflicts": conflicts.conflicts_in(defense_round.id),
            "unready": panel.panel_readiness(defense_round),
        }
    return render_template(
        "defenses/round.html",
        round=defense_round,
        member=member,
        manager=manager,
        chair=chair,
        my_assignments=assignments.assignments_of(member) if member and member.scores else [],
        confirm_form=ConfirmForm(),
        labels=LABELS,
        protocol=protocol_of(defense_round.id),
        role_label=role_label,
        **context,
    )


@bp.route("/<tenant>/defenses/<int:defense_round_id>/slots", methods=["POST"])
@requires(MANAGE_DEFENSES)
def add_slot(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    form = SlotForm(prefix="slot")
    project = db.session.scalar(sa.select(JointProject).where(JointProject.id == form.joint_project_id.data))
    if project is None:
        flash(_("Choose a project admitted to the defense."), "danger")
    else:
        try:
            rounds.add_slot(
                defense_round,
                project,
                starts_at=form.starts_at.data,
                presenter=form.presenter.data or None,
                actor=current_user,
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The project is on the programme."), "success")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/<int:defense_round_id>/manage/<action>", methods=["POST"])
@requires(PANEL_WORK)
def manage(defense_round_id, action):
    """The chair's (or staff's) actions on the round: assign all, apply the proposal, close, reopen."""
    defense_round = round_or_404(defense_round_id)
    chair_or_manager(defense_round)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations = {
        "assign-all": (
            assignments.assign_all,
            _("Every scoring member is assigned to every project without a conflict."),
        ),
        "apply-proposal": (assignments.apply_proposal, _("The proposed assignment has been applied.")),
        "close": (rounds.close_round, _("Scoring is closed; results are visible to the panel.")),
        "reopen": (rounds.reopen_round, _("Scoring is open again.")),
    }
    if action not in operations:
        abort(404)
    operation, message = operations[action]
    try:
        operation(defense_round, actor=current_user)
    except Refusal as error:  # a signed round's refusal keeps its audit entry (RoundLocked.rolls_back)
        flash(str(error), "danger")
    else:
        flash(message, "success")
    return redirect(url_for("defenses.round_page", defense_round_id=defense_round.id))


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/remove", methods=["POST"])
@requires(MANAGE_DEFENSES)
def remove_slot(defense_slot_id):
    slot = slot_or_404(defense_slot_id)
    round_id = slot.defense_round_id
    if ConfirmForm().validate_on_submit():
        try:
            rounds.remove_slot(slot, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed from the programme."), "success")
    return redirect(url_for("defenses.round_page", defense_round_id=round_id))
