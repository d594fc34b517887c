"""The rounds of the federal selection and their rules (platform administrators)."""

from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import requires
from ...core.forms import show_on
from ...core.refusal import Refusal
from ..forms import SelectionRoundForm
from ..services import selection_rounds as round_services
from . import MANAGE_SELECTION_ROUNDS, bp


def _parse_criteria(text: str) -> list[tuple]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 6 or not all(parts):
            raise Refusal(
                _(
                    "Each criterion line needs six parts separated by “;”: code, names, weight, lowest, highest."
                )
            )
        code, name_ru, name_en, weight, low, high = parts
        try:
            rows.append((code, name_ru, name_en, Decimal(weight.replace(",", ".")), int(low), int(high)))
        except (ArithmeticError, ValueError) as exc:
            raise Refusal(_("The weight is a number and the scores are whole numbers.")) from exc
    if not rows:
        raise Refusal(_("Give at least one criterion."))
    return rows


@bp.route("/admin/selection-rounds/", methods=["GET", "POST"])
@requires(MANAGE_SELECTION_ROUNDS)
def selection_rounds():
    """The rounds of the federal selection and their rules; a new round is data, not code."""
    form = SelectionRoundForm()
    if form.validate_on_submit():
        try:
            criteria = _parse_criteria(form.criteria.data)
            if any(r.code == form.code.data.strip() for r in round_services.selection_rounds()):
                raise Refusal(_("A round with this code exists."))
            round_services.create_selection_round(
                {
                    "code": form.code.data.strip(),
                    "year": form.year.data,
                    "legal_edition": form.legal_edition.data.strip(),
                    "applicant_cap": int(form.applicant_cap.data * 100),
                    "max_subsidy_share": form.max_subsidy_share.data,
                    "min_participants": form.min_participants.data,
                    "deadline": form.deadline.data,
                },
                criteria,
                actor=current_user,
            )
        except Refusal as error:
            show_on(form, error, "criteria")
        else:
            flash(_("The selection round has been created."), "success")
            return redirect(url_for("projects.selection_rounds"))
    rounds = round_services.selection_rounds() or round_services.seed_selection_rounds()
    return render_template("projects/selection_rounds.html", rounds=rounds, form=form)
