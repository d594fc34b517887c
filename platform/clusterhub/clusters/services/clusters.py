"""The cluster card: its fields checked, created and edited, its specialised organisation, and the data of
the cluster page in a fixed number of queries."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise, EnterpriseProduct
from ...enterprises.services.identifiers import clean_okved
from ...enterprises.services.profiles import find_by_inn
from ...extensions import db
from ..models import Cluster, ClusterMember, ClusterType, RegisterStatus, SupplyLink

CLUSTER_FIELDS = (
    "name",
    "cluster_type",
    "industry",
    "okved_codes",
    "region_ids",
    "specialised_org_id",
    "register_status",
    "register_order_number",
    "register_order_date",
    "register_valid_until",
    "functional_map",
    "programme_goals",
)


def _clean_cluster(values: dict) -> dict:
    cleaned = {key: values.get(key) for key in CLUSTER_FIELDS if key in values}
    for key, value in cleaned.items():
        if isinstance(value, str):
            cleaned[key] = value.strip() or None
    if not cleaned.get("name"):
        raise Refusal(_("Give the cluster's name."), "name")
    if cleaned.get("cluster_type") not in set(ClusterType):
        raise Refusal(_("Choose a cluster type from the list."), "cluster_type")
    status = cleaned.get("register_status") or RegisterStatus.NOT_REGISTERED
    if status not in set(RegisterStatus):
        raise Refusal(_("Choose a register status from the list."), "register_status")
    cleaned["register_status"] = status
    if status == RegisterStatus.REGISTERED and not (
        cleaned.get("register_order_number") and cleaned.get("register_order_date")
    ):
        raise Refusal(
            _("A cluster in the register needs the number and date of the order."), "register_order_number"
        )
    if (
        status == RegisterStatus.REGISTERED
        and cleaned.get("register_order_date")
        and not cleaned.get("register_valid_until")
    ):
        # A compliance decision under Decree No. 779 is valid for five years.
        order_date = cleaned["register_order_date"]
        try:
            cleaned["register_valid_until"] = order_date.replace(year=order_date.year + 5)
        except ValueError:  # 29 February
            cleaned["register_valid_until"] = order_date.replace(year=order_date.year + 5, day=28)
    if "okved_codes" in cleaned:
        codes = []
        for code in (cleaned["okved_codes"] or "").replace(",", " ").split():
            try:
                codes.append(clean_okved(code))
            except Refusal as error:
                raise Refusal(str(error), "okved_codes") from error
        cleaned["okved_codes"] = " ".join(codes) or None
    if "region_ids" in cleaned:
        cleaned["region_ids"] = sorted({int(r) for r in cleaned["region_ids"] or []})
    if cleaned.get("specialised_org_id"):
        cleaned["specialised_org_id"] = int(cleaned["specialised_org_id"])
    return cleaned


def create_cluster(values: dict, actor) -> Cluster:
    cluster = Cluster(**_clean_cluster(values))
    db.session.add(cluster)
    db.session.flush()
    record("cluster.created", cluster, actor=actor, after={"name": cluster.name})
    return cluster


def update_cluster(cluster: Cluster, values: dict, actor) -> dict:
    before, after = {}, {}
    for key, value in _clean_cluster(values).items():
        if getattr(cluster, key) != value:
            before[key], after[key] = getattr(cluster, key), value
            setattr(cluster, key, value)
    if after:
        db.session.flush()
        record("cluster.updated", cluster, actor=actor, before=before, after=after)
    return after


def specialised_org_id_for(inn: str) -> int | None:
    """The profile id of the specialised organisation given by ИНН (``None`` when the field is empty)."""
    if not (inn or "").strip():
        return None
    try:
        enterprise = find_by_inn(inn)
    except Refusal as error:
        raise Refusal(str(error), "specialised_org_inn") from error
    if enterprise is None:
        raise Refusal(
            _("There is no enterprise with this ИНН: add its profile first."), "specialised_org_inn"
        )
    return enterprise.id


@dataclass
class ClusterView:
    cluster: Cluster
    members: list  # ClusterMember, enterprise loaded
    links: list  # SupplyLink
    product_counts: dict  # enterprise id -> number of products in its profile

    @property
    def by_id(self) -> dict:
        return {m.id: m for m in self.members}

    @property
    def active_members(self) -> list:
        return [m for m in self.members if m.is_active]


def cluster_view(cluster: Cluster) -> ClusterView:
    """Members (with their enterprises), links and product counts: three queries whatever the size."""
    members = list(
        db.session.scalars(
            sa.select(ClusterMember)
            .where(ClusterMember.cluster_id == cluster.id)
            .join(ClusterMember.enterprise)
            .order_by(ClusterMember.role, Enterprise.full_name)
        ).unique()
    )
    links = list(
        db.session.scalars(
            sa.select(SupplyLink).where(SupplyLink.cluster_id == cluster.id).order_by(SupplyLink.id)
        )
    )
    enterprise_ids = [m.enterprise_id for m in members]
    counts = (
        dict(
            db.session.execute(
                sa.select(EnterpriseProduct.enterprise_id, sa.func.count())
                .where(EnterpriseProduct.enterprise_id.in_(enterprise_ids))
                .group_by(EnterpriseProduct.enterprise_id)
            ).all()
        )
        if enterprise_ids
        else {}
    )
    return ClusterView(cluster, members, links, counts)
