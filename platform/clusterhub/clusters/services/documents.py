"""A cluster's documents (functional map, programme, others): stored files of the center."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.files import store
from ...core.refusal import Refusal
from ...core.uploads import DOCUMENTS, IMAGES, read_upload
from ...extensions import db
from ..models import Cluster, ClusterDocument, ClusterDocumentKind

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def add_document(cluster: Cluster, kind: str, fileobj, filename: str, actor=None):
    """Store a cluster document (PDF, office document or image, up to 20 MB, checked by content)."""
    if kind not in set(ClusterDocumentKind):
        raise Refusal(_("Choose the kind of document."), "kind")
    try:
        upload = read_upload(fileobj, filename, DOCUMENTS | IMAGES, DOCUMENT_MAX_BYTES)
    except Refusal as exc:
        raise Refusal(str(exc), "document") from exc
    try:
        document = store(
            cluster.tenant_id,
            f"clusters/{cluster.id}",
            upload,
            ClusterDocument,
            actor=actor,
            cluster_id=cluster.id,
            kind=kind,
        )
    except Refusal as exc:  # the plan's storage limit, shown beside the file field
        raise Refusal(str(exc), "document") from exc
    record("cluster.document_added", cluster, actor=actor, after={"kind": kind, "filename": upload.name})
    return document


def documents_of(cluster: Cluster) -> list:
    return list(
        db.session.scalars(
            sa.select(ClusterDocument)
            .where(ClusterDocument.cluster_id == cluster.id)
            .order_by(ClusterDocument.kind, ClusterDocument.id)
        )
    )
