"""The files of a dossier."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ...core.files import StoredFile
from ...extensions import db
from ...tenancy.scoping import TenantOwned, tenant_fk


class DocumentKind(enum.StrEnum):
    BUSINESS_PLAN = "business_plan"
    PRESENTATION = "presentation"
    COST_ESTIMATE = "cost_estimate"
    OTHER = "other"


class ProjectDocument(StoredFile, TenantOwned, db.Model):
    """An uploaded file of the dossier; the bytes live in the storage under ``storage_key``."""

    __tablename__ = "project_documents"
    __tenant_table_args__ = (tenant_fk("joint_project_id", "joint_projects"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
