"""The enterprises taking part in a joint project, with their roles, and the import-substituting products
one of them makes for another."""

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...tenancy.scoping import TenantOwned, tenant_fk
from .dossier import JointProject


class ParticipantRole(enum.StrEnum):
    LEAD = "lead"
    COMPONENT_SUPPLIER = "component_supplier"
    BUYER = "buyer"
    TECHNOLOGY_PARTNER = "technology_partner"
    OTHER = "other"


#: The names of stored values, for forms, pages, reports and the audit log.
ROLE_LABELS = {
    ParticipantRole.LEAD: _l("Lead enterprise"),
    ParticipantRole.COMPONENT_SUPPLIER: _l("Supplier of components"),
    ParticipantRole.BUYER: _l("Buyer"),
    ParticipantRole.TECHNOLOGY_PARTNER: _l("Technology partner"),
    ParticipantRole.OTHER: _l("Other participant"),
}


class ProjectParticipant(TenantOwned, db.Model):
    __tablename__ = "project_participants"
    __tenant_table_args__ = (
        tenant_fk("joint_project_id", "joint_projects"),
        sa.UniqueConstraint("tenant_id", "joint_project_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(30), default=ParticipantRole.OTHER)

    project: Mapped[JointProject] = relationship(back_populates="participants")
    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)


class ProjectProduct(TenantOwned, db.Model):
    """An import-substituting product: made by one participant (``maker``) for another (``buyer``)."""

    __tablename__ = "project_products"
    __tenant_table_args__ = (
        tenant_fk("joint_project_id", "joint_projects"),
        tenant_fk("maker_id", "project_participants", ondelete="RESTRICT"),
        tenant_fk("buyer_id", "project_participants", ondelete="RESTRICT"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    okpd2: Mapped[str] = mapped_column(sa.String(12))
    import_substitution: Mapped[bool] = mapped_column(default=True)
    maker_id: Mapped[int | None] = mapped_column()
    buyer_id: Mapped[int | None] = mapped_column()

    project: Mapped[JointProject] = relationship(back_populates="products")
    maker: Mapped[ProjectParticipant | None] = relationship(foreign_keys=[maker_id], overlaps="buyer")
    buyer: Mapped[ProjectParticipant | None] = relationship(foreign_keys=[buyer_id], overlaps="maker")
