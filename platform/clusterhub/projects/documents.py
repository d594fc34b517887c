"""Dossier documents: type and size limits on upload, per-tenant storage keys, and who may download."""

import io
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..billing.services import check_storage
from ..core.refusal import Refusal
from ..core.unit_of_work import after_commit
from ..core.uploads import DOCUMENTS, IMAGES, read_upload
from ..defenses.models import Conflict, DefenseSlot, PanelMember
from ..extensions import db
from ..tenancy.models import Tenant
from .models import DocumentKind, JointProject, ProjectDocument
from .services import represents_participant

MAX_BYTES = 20 * 1024 * 1024
ALLOWED = DOCUMENTS | IMAGES


def _storage():
    return current_app.extensions["storage"]


def add_document(project: JointProject, kind: str, fileobj, filename: str, *, actor=None) -> ProjectDocument:
    """Store an upload after checking its kind, extension, leading bytes and size (the declared content
    type is ignored: the extension decides it, and the first bytes must match)."""
    if kind not in set(DocumentKind):
        raise Refusal(_("Choose the kind of document."))
    upload = read_upload(fileobj, filename, ALLOWED, MAX_BYTES)
    tenant = db.session.get(Tenant, project.tenant_id)
    # a LimitReached (402: the plan, not the input, is in the way) goes to the caller as it is
    check_storage(tenant, len(upload.data))
    key = f"{tenant.slug}/projects/{project.id}/{secrets.token_hex(12)}{upload.extension}"
    _storage().save(key, io.BytesIO(upload.data), upload.content_type)
    document = ProjectDocument(
        kind=kind,
        filename=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        storage_key=key,
        uploaded_by_id=getattr(actor, "id", None),
    )
    project.documents.append(document)
    db.session.flush()
    record(
        "project.document_added", project, actor=actor, after={"filename": document.filename, "kind": kind}
    )
    return document


def remove_document(document: ProjectDocument, *, actor=None) -> None:
    record("project.document_removed", document, actor=actor, before={"filename": document.filename})
    key = document.storage_key
    db.session.delete(document)
    db.session.flush()
    storage = _storage()
    after_commit(lambda: storage.delete(key))  # a rolled-back request keeps the file its row points to


def may_download(user, project: JointProject, staff: bool) -> bool:
    """Staff of the center, representatives of a participant, and panel members of a defense where the
    project is on the programme without a conflict of interest."""
    if staff or represents_participant(user, project):
        return True

    slots = sa.select(DefenseSlot.id, DefenseSlot.defense_round_id).where(
        DefenseSlot.joint_project_id == project.id
    )
    for slot_id, round_id in db.session.execute(slots).all():
        member_id = db.session.scalar(
            sa.select(PanelMember.id).where(
                PanelMember.defense_round_id == round_id, PanelMember.user_id == user.id
            )
        )
        if member_id is None:
            continue
        conflicted = db.session.scalar(
            sa.select(Conflict.id).where(
                Conflict.defense_slot_id == slot_id, Conflict.panel_member_id == member_id
            )
        )
        if conflicted is None:
            return True
    return False


def open_document(document: ProjectDocument):
    return _storage().open(document.storage_key)
