"""Dossier documents: type and size limits on upload, per-tenant storage keys, and who may download."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...audit.services import record
from ...core.files import discard, store
from ...core.refusal import Refusal
from ...core.uploads import DOCUMENTS, IMAGES, read_upload
from ...defenses.models import Conflict, DefenseSlot, PanelMember
from ...extensions import db
from ..models import DocumentKind, JointProject, ProjectDocument
from .participants import represents_participant

MAX_BYTES = 20 * 1024 * 1024
ALLOWED = DOCUMENTS | IMAGES


def add_document(project: JointProject, kind: str, fileobj, filename: str, *, actor=None) -> ProjectDocument:
    """Store an upload after checking its kind, extension, leading bytes and size (the declared content
    type is ignored: the extension decides it, and the first bytes must match)."""
    if kind not in set(DocumentKind):
        raise Refusal(_("Choose the kind of document."))
    upload = read_upload(fileobj, filename, ALLOWED, MAX_BYTES)
    document = store(
        project.tenant_id,
        f"projects/{project.id}",
        upload,
        ProjectDocument,
        actor=actor,
        kind=kind,
        joint_project_id=project.id,
    )
    record(
        "project.document_added", project, actor=actor, after={"filename": document.filename, "kind": kind}
    )
    return document


def remove_document(document: ProjectDocument, *, actor=None) -> None:
    record("project.document_removed", document, actor=actor, before={"filename": document.filename})
    discard(document)


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
    return current_app.extensions["storage"].open(document.storage_key)
