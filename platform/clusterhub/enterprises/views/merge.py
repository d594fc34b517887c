"""The platform admin merges a duplicate enterprise profile into the one kept."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import requires
from ...core.forms import show_on
from ...core.refusal import Refusal
from ..forms import MergeForm
from ..services import merging, profiles
from . import MERGE_ENTERPRISES, bp


@bp.route("/admin/enterprises/merge", methods=["GET", "POST"])
@requires(MERGE_ENTERPRISES)
def merge():
    form = MergeForm()
    source = target = None
    if form.validate_on_submit():
        try:
            source = profiles.find_by_inn(form.source_inn.data)
            target = profiles.find_by_inn(form.target_inn.data)
        except Refusal as error:
            show_on(form, error, "source_inn")
        else:
            if source is None or target is None:
                form.source_inn.errors.append(_("There is no profile with this ИНН."))
            elif source.id == target.id:
                form.target_inn.errors.append(_("Choose two different profiles."))
            elif request.form.get("confirmed") == "1":
                name = source.name
                moved = merging.merge_enterprises(source, target, current_user)
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
    counts = merging.reference_counts(source) if source is not None and target is not None else {}
    return render_template("enterprises/merge.html", form=form, source=source, target=target, counts=counts)
