"""The dossier's files: uploaded and removed by staff, downloaded through the application by those who
may read them."""

import sqlalchemy as sa
from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import can, login_required, requires
from ...core.forms import ConfirmForm
from ...core.refusal import Refusal
from ...extensions import db
from ..forms import DocumentForm
from ..models import ProjectDocument
from ..services import documents
from . import MANAGE_PROJECTS, VIEW_PROJECTS, bp, project_or_404


@bp.route("/<tenant>/projects/<int:joint_project_id>/documents", methods=["POST"])
@requires(MANAGE_PROJECTS)
def upload(joint_project_id):
    project = project_or_404(joint_project_id)
    form = DocumentForm(prefix="document")
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "danger")
    else:
        try:
            documents.add_document(
                project, form.kind.data, form.file.data.stream, form.file.data.filename, actor=current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The document has been uploaded."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project.id))


def _document_or_404(document_id) -> ProjectDocument:
    return db.first_or_404(sa.select(ProjectDocument).where(ProjectDocument.id == document_id))


@bp.route("/<tenant>/projects/documents/<int:project_document_id>")
@login_required
def download(project_document_id):
    """Served through the app (never a public URL) to staff, participants' representatives and the
    panel members who review the project."""
    document = _document_or_404(project_document_id)
    project = project_or_404(document.joint_project_id)
    if not documents.may_download(current_user, project, staff=can(VIEW_PROJECTS)):
        abort(404)
    return send_file(
        documents.open_document(document),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )


@bp.route("/<tenant>/projects/documents/<int:project_document_id>/remove", methods=["POST"])
@requires(MANAGE_PROJECTS)
def remove_document(project_document_id):
    document = _document_or_404(project_document_id)
    project_id = document.joint_project_id
    if ConfirmForm().validate_on_submit():
        try:
            documents.remove_document(document, actor=current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("Removed."), "success")
    return redirect(url_for("projects.detail", joint_project_id=project_id))
