"""Clusters of a center: members (enterprises with a role and dates), supply links between members (the
production and technological cooperation scheme) and the center's compliance rules."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.files import StoredFile
from ..enterprises.models import Enterprise
from ..extensions import db
from ..tenancy.models import utcnow
from ..tenancy.scoping import TenantOwned, tenant_fk


class ClusterType(enum.StrEnum):
    INDUSTRIAL = "industrial"  # Decree No. 779
    TERRITORIAL = "territorial"  # territorial / SME cluster
    INNOVATIVE = "innovative"


CLUSTER_TYPE_LABELS = {
    ClusterType.INDUSTRIAL: _l("Industrial cluster (Decree No. 779)"),
    ClusterType.TERRITORIAL: _l("Territorial (SME) cluster"),
    ClusterType.INNOVATIVE: _l("Innovative cluster"),
}


class RegisterStatus(enum.StrEnum):
    NOT_REGISTERED = "not_registered"
    APPLIED = "applied"
    REGISTERED = "registered"


REGISTER_STATUS_LABELS = {
    RegisterStatus.NOT_REGISTERED: _l("Not in the register"),
    RegisterStatus.APPLIED: _l("Application filed"),
    RegisterStatus.REGISTERED: _l("In the register"),
}


class MemberRole(enum.StrEnum):
    ANCHOR = "anchor"
    PARTICIPANT = "participant"
    SUPPLIER = "supplier"
    RESEARCH = "research"
    INFRASTRUCTURE = "infrastructure"


MEMBER_ROLE_LABELS = {
    MemberRole.ANCHOR: _l("Anchor enterprise"),
    MemberRole.PARTICIPANT: _l("Participant"),
    MemberRole.SUPPLIER: _l("Supplier"),
    MemberRole.RESEARCH: _l("Research or education"),
    MemberRole.INFRASTRUCTURE: _l("Infrastructure"),
}


class Cluster(TenantOwned, db.Model):
    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    cluster_type: Mapped[str] = mapped_column(sa.String(16), default=ClusterType.INDUSTRIAL)
    industry: Mapped[str | None] = mapped_column(sa.String(300))  # specialisation, in words
    okved_codes: Mapped[str | None] = mapped_column(sa.String(300))  # specialisation, space-separated
    region_ids: Mapped[list] = mapped_column(sa.JSON, default=list)  # regions the cluster spans
    specialised_org_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    register_status: Mapped[str] = mapped_column(sa.String(16), default=RegisterStatus.NOT_REGISTERED)
    register_order_number: Mapped[str | None] = mapped_column(sa.String(60))
    register_order_date: Mapped[date | None] = mapped_column()
    register_valid_until: Mapped[date | None] = mapped_column()
    functional_map: Mapped[str | None] = mapped_column(sa.Text)
    programme_goals: Mapped[str | None] = mapped_column(sa.Text)  # key goals of the development programme
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    specialised_org: Mapped[Enterprise | None] = relationship()

    @property
    def type_label(self) -> str:
        return str(CLUSTER_TYPE_LABELS.get(self.cluster_type, self.cluster_type))

    @property
    def register_label(self) -> str:
        return str(REGISTER_STATUS_LABELS.get(self.register_status, self.register_status))


class ClusterMember(TenantOwned, db.Model):
    """An enterprise in a cluster, with its role and the dates it joined and (perhaps) left."""

    __tablename__ = "cluster_members"
    __tenant_table_args__ = (
        tenant_fk("cluster_id", "clusters"),
        sa.UniqueConstraint("tenant_id", "cluster_id", "enterprise_id"),
        sa.Index("ix_cluster_members_enterprise", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column()
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(sa.String(16), default=MemberRole.PARTICIPANT)
    joined_on: Mapped[date | None] = mapped_column()
    left_on: Mapped[date | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cluster: Mapped[Cluster] = relationship(
        primaryjoin="and_(ClusterMember.cluster_id == Cluster.id, ClusterMember.tenant_id == Cluster.tenant_id)",
        foreign_keys="[ClusterMember.cluster_id, ClusterMember.tenant_id]",
        viewonly=True,
    )
    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)

    @property
    def role_label(self) -> str:
        return str(MEMBER_ROLE_LABELS.get(self.role, self.role))

    @property
    def is_active(self) -> bool:
        return self.left_on is None or self.left_on > date.today()


class SupplyLink(TenantOwned, db.Model):
    """One arrow of the cooperation scheme: a member supplies a product to another member."""

    __tablename__ = "cluster_supply_links"
    __tenant_table_args__ = (
        tenant_fk("cluster_id", "clusters"),
        tenant_fk("supplier_id", "cluster_members"),
        tenant_fk("customer_id", "cluster_members"),
        sa.Index("ix_cluster_supply_links_cluster", "tenant_id", "cluster_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column()
    supplier_id: Mapped[int] = mapped_column()
    customer_id: Mapped[int] = mapped_column()
    product: Mapped[str] = mapped_column(sa.String(300))
    okpd2: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplianceRuleSetting(TenantOwned, db.Model):
    """A center's override of a default compliance rule (threshold or switched off)."""

    __tablename__ = "cluster_compliance_rules"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    threshold: Mapped[int | None] = mapped_column()
    enabled: Mapped[bool] = mapped_column(default=True)


class ClusterDocumentKind(enum.StrEnum):
    FUNCTIONAL_MAP = "functional_map"
    PROGRAMME = "programme"
    OTHER = "other"


class ClusterDocument(StoredFile, TenantOwned, db.Model):
    """A document of the cluster (its functional map, development programme, ...); bytes in storage."""

    __tablename__ = "cluster_documents"
    __tenant_table_args__ = (tenant_fk("cluster_id", "clusters"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default=ClusterDocumentKind.OTHER)
