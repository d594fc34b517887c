"""A round's results once scoring is closed, and the chair's decision on each project."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import login_required, requires
from ...core.forms import ConfirmForm
from ...core.refusal import Refusal
from ..forms import DecisionForm
from ..models import PanelRole, RoundStatus
from ..services.results import record_decision, round_data
from . import LABELS, PANEL_WORK, access, bp, round_or_404, slot_or_404


def _results_context(defense_round, member, manager):
    if not manager and defense_round.status == RoundStatus.OPEN:
        abort(403)  # scores are independent: nobody on the panel sees others' scores while scoring is open
    data = round_data(defense_round.id)
    hidden = set()
    if not manager and member is not None:
        hidden = {c.defense_slot_id for c in data["conflicts"] if c.panel_member_id == member.id}
    data["results"] = [r for r in data["results"] if r.key not in hidden]
    data["show_names"] = manager or not defense_round.blind or defense_round.status == RoundStatus.SIGNED
    return data


@bp.route("/<tenant>/defenses/<int:defense_round_id>/results")
@login_required
def results(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    member, manager = access(defense_round)
    data = _results_context(defense_round, member, manager)
    chair = member is not None and member.role == PanelRole.CHAIR
    return render_template(
        "defenses/results.html",
        data=data,
        round=defense_round,
        chair=chair,
        manager=manager,
        decision_form=DecisionForm(),
        confirm_form=ConfirmForm(),
        labels=LABELS,
    )


@bp.route("/<tenant>/defenses/slots/<int:defense_slot_id>/decision", methods=["POST"])
@requires(PANEL_WORK)
def decision(defense_slot_id):
    slot = slot_or_404(defense_slot_id)
    defense_round = round_or_404(slot.defense_round_id)
    member, _manager = access(defense_round)
    if not (member and member.role == PanelRole.CHAIR):
        abort(403)  # the chair records the panel's decision
    form = DecisionForm()
    status = 302
    try:
        if not form.validate_on_submit():
            raise Refusal(_("Choose the panel's decision."))
        record_decision(slot, form.outcome.data, form.remarks.data, actor=current_user)
    except Refusal as error:
        flash(str(error), "danger")
        status = error.status
    else:
        flash(_("The decision is recorded."), "success")
    response = redirect(url_for("defenses.results", defense_round_id=defense_round.id))
    if status == 409:
        response.status_code = 409
    return response
