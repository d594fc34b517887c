"""Photos of technoparks and files attached to service requests, kept in the storage backend per tenant."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.files import discard, store
from ...core.refusal import Refusal
from ...core.uploads import DOCUMENTS, IMAGES, read_upload
from ...extensions import db
from ..models import RequestAttachment, ServiceRequest, Technopark, TechnoparkPhoto

PHOTO_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 12
MAX_ATTACHMENTS = 10


def _store(tenant_id: int, folder: str, upload, model, actor, **links):
    stored = store(tenant_id, f"technoparks/{folder}", upload, model, actor=actor, **links)
    record(f"{model.__tablename__}.added", stored, actor=actor, after={"filename": upload.name, **links})
    return stored


def add_photo(technopark: Technopark, fileobj, filename: str, actor=None) -> TechnoparkPhoto:
    """A PNG or JPEG photo of at most 5 MB; a technopark shows at most twelve."""
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TechnoparkPhoto)
        .where(TechnoparkPhoto.technopark_id == technopark.id)
    )
    if count >= MAX_PHOTOS:
        raise Refusal(_("A technopark shows at most %(n)d photos: remove one first.", n=MAX_PHOTOS))
    try:
        upload = read_upload(fileobj, filename, IMAGES, PHOTO_MAX_BYTES)
    except Refusal as exc:
        raise Refusal(str(exc), "photo") from exc
    return _store(
        technopark.tenant_id,
        f"{technopark.id}/photos",
        upload,
        TechnoparkPhoto,
        actor,
        technopark_id=technopark.id,
    )


def attach_to_request(request: ServiceRequest, fileobj, filename: str, actor=None) -> RequestAttachment:
    """A document or image of at most 10 MB; at most ten per request."""
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RequestAttachment)
        .where(RequestAttachment.request_id == request.id)
    )
    if count >= MAX_ATTACHMENTS:
        raise Refusal(_("A request holds at most %(n)d files.", n=MAX_ATTACHMENTS))
    try:
        upload = read_upload(fileobj, filename, DOCUMENTS | IMAGES, ATTACHMENT_MAX_BYTES)
    except Refusal as exc:
        raise Refusal(str(exc), "attachment") from exc
    return _store(
        request.tenant_id, f"requests/{request.id}", upload, RequestAttachment, actor, request_id=request.id
    )


def remove_photo(photo: TechnoparkPhoto, actor=None) -> None:
    record("technopark_photos.removed", photo, actor=actor, before={"filename": photo.filename})
    discard(photo)


def photos_of(technopark_id: int) -> list[TechnoparkPhoto]:
    return list(
        db.session.scalars(
            sa.select(TechnoparkPhoto)
            .where(TechnoparkPhoto.technopark_id == technopark_id)
            .order_by(TechnoparkPhoto.id)
        )
    )


def attachments_of(request_id: int) -> list[RequestAttachment]:
    return list(
        db.session.scalars(
            sa.select(RequestAttachment)
            .where(RequestAttachment.request_id == request_id)
            .order_by(RequestAttachment.id)
        )
    )
