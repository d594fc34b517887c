"""Files: the attachments of a request (seen only by its two sides) and the photos of a technopark."""

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import login_required, public, requires
from ...core.forms import ConfirmForm
from ...core.refusal import Refusal
from ...core.uploads import send_stored
from ...extensions import db
from ..models import RequestAttachment, TechnoparkPhoto
from ..services import attachments
from . import MANAGE_CATALOGUE, bp, technopark_or_404
from .requests import request_or_404, side_of


@bp.route("/<tenant>/technoparks/requests/<int:request_id>/attachments", methods=["POST"])
@login_required
def attach(request_id):
    """Either side of the request attaches a file (documents or images, size-limited)."""
    service_request = request_or_404(request_id)
    if side_of(service_request) is None:
        abort(404)
    upload = request.files.get("attachment")

    def attach():
        if upload is None or not upload.filename:
            raise Refusal(_("Choose a file."))
        attachments.attach_to_request(service_request, upload.stream, upload.filename, actor=current_user)

    try:
        attach()
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("The file has been attached."), "success")
    return redirect(url_for("technoparks.request_detail", request_id=request_id))


@bp.route("/<tenant>/technoparks/attachments/<int:request_attachment_id>")
@login_required
def attachment(request_attachment_id):
    """Only the two sides of the request download its files."""
    stored = db.session.scalar(
        sa.select(RequestAttachment).where(RequestAttachment.id == request_attachment_id)
    )
    if stored is None or side_of(request_or_404(stored.request_id)) is None:
        abort(404)
    return send_stored(stored.storage_key, stored.content_type, download_name=stored.filename)


@bp.route("/<tenant>/technoparks/photos/<int:technopark_photo_id>")
@public
def photo(technopark_photo_id):
    stored = db.session.scalar(sa.select(TechnoparkPhoto).where(TechnoparkPhoto.id == technopark_photo_id))
    if stored is None:
        abort(404)
    return send_stored(stored.storage_key, stored.content_type, max_age=86400)


@bp.route("/<tenant>/staff/technoparks/<int:technopark_id>/photos", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def add_photo(technopark_id):
    technopark = technopark_or_404(technopark_id)
    upload = request.files.get("photo")

    def add():
        if upload is None or not upload.filename:
            raise Refusal(_("Choose a file."))
        attachments.add_photo(technopark, upload.stream, upload.filename, actor=current_user)

    try:
        add()
    except Refusal as error:
        flash(str(error), "danger")
    else:
        flash(_("The photo has been added."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark.id) + "#photos")


@bp.route("/<tenant>/staff/technoparks/photos/<int:technopark_photo_id>/remove", methods=["POST"])
@requires(MANAGE_CATALOGUE)
def remove_photo(technopark_photo_id):
    stored = db.session.scalar(sa.select(TechnoparkPhoto).where(TechnoparkPhoto.id == technopark_photo_id))
    if stored is None:
        abort(404)
    technopark_id = stored.technopark_id
    if ConfirmForm().validate_on_submit():
        attachments.remove_photo(stored, actor=current_user)
        flash(_("The photo has been removed."), "success")
    return redirect(url_for("technoparks.manage", technopark_id=technopark_id) + "#photos")
