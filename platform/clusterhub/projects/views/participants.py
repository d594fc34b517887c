"""The enterprise's view: the projects a representative's enterprises take part in."""

from flask import abort, render_template
from flask_login import current_user

from ...core.access import login_required
from ..services import dossier, participants
from . import LABELS, bp, project_or_404


@bp.route("/<tenant>/my-projects/")
@login_required
def mine():
    return render_template(
        "projects/mine.html", projects=participants.projects_of_representative(current_user), labels=LABELS
    )


@bp.route("/<tenant>/my-projects/<int:joint_project_id>")
@login_required
def my_project(joint_project_id):
    """Status, history and the panel's remarks, for representatives of a participating enterprise."""
    project = project_or_404(joint_project_id)
    if not participants.represents_participant(current_user, project):
        abort(404)
    return render_template(
        "projects/my_project.html", project=project, checks=dossier.rule_checks(project), labels=LABELS
    )
