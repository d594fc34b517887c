"""A center's clusters and their members as JSON: ``/api/v1/tenants/<tenant>/clusters``; the staff create
and change them through the same services as the cluster pages."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from ..api import openapi as contract
from ..api.lists import ListQuery, cursor_page
from ..api.openapi import API_PREFIX, Body, Payload, UtcDateTime, choice, doc, items_of, respond
from ..core.access import requires
from ..core.refusal import Refusal
from ..extensions import csrf, db
from ..regions.models import Region
from .models import Cluster, ClusterMember, ClusterType, MemberRole, RegisterStatus
from .services import clusters as cluster_services
from .services import compliance
from .services import members as member_services
from .views import MANAGE_CLUSTERS, VIEW_CLUSTERS

bp = Blueprint("clusters_api", __name__, url_prefix=f"{API_PREFIX}/tenants/<tenant>/clusters")
csrf.exempt(bp)

TAGS = ["clusters"]
ClusterTypeName = choice(ClusterType)
RegisterStatusName = choice(RegisterStatus)
MemberRoleName = choice(MemberRole)


class EnterpriseRef(Payload):
    id: int
    inn: str
    name: str


class ClusterOut(Payload):
    id: int
    name: str
    type: ClusterTypeName
    industry: str | None
    okved_codes: list[str]
    register_status: RegisterStatusName
    register_order_number: str | None
    register_order_date: date | None
    register_valid_until: date | None
    specialised_org: EnterpriseRef | None
    regions: list[str] = Field(description="tax codes of the regions the cluster spans")
    members: int = Field(description="active members")
    updated_at: UtcDateTime


class ComplianceCheck(Payload):
    rule: str
    text: str
    threshold: int | None
    passed: bool
    detail: str | None


class SupplyLinkOut(Payload):
    supplier_inn: str
    customer_inn: str
    product: str
    okpd2: str | None


class ClusterDetail(ClusterOut):
    compliance: list[ComplianceCheck]
    supply_links: list[SupplyLinkOut]


class MemberEnterprise(Payload):
    id: int
    inn: str
    ogrn: str | None
    name: str


class MemberOut(Payload):
    id: int
    enterprise: MemberEnterprise
    role: MemberRoleName
    joined_on: date | None
    left_on: date | None
    updated_at: UtcDateTime


class ClusterBody(Body):
    name: str = Field(max_length=300)
    type: ClusterTypeName
    industry: str | None = Field(None, max_length=300)
    okved_codes: list[str] = Field(default_factory=list, max_length=50)
    regions: list[str] = Field(default_factory=list, max_length=89, description="tax codes")
    specialised_org_inn: str | None = Field(None, max_length=12)
    register_status: RegisterStatusName = "not_registered"
    register_order_number: str | None = Field(None, max_length=60)
    register_order_date: date | None = None
    register_valid_until: date | None = None
    functional_map: str | None = None
    programme_goals: str | None = None


class ClusterPatch(Body):
    """Only the fields sent change."""

    name: str | None = Field(None, max_length=300)
    type: ClusterTypeName | None = None
    industry: str | None = Field(None, max_length=300)
    okved_codes: list[str] | None = Field(None, max_length=50)
    regions: list[str] | None = Field(None, max_length=89)
    specialised_org_inn: str | None = Field(None, max_length=12)
    register_status: RegisterStatusName | None = None
    register_order_number: str | None = Field(None, max_length=60)
    register_order_date: date | None = None
    register_valid_until: date | None = None
    functional_map: str | None = None
    programme_goals: str | None = None


class MemberBody(Body):
    inn: str = Field(max_length=12)
    full_name: str | None = Field(None, max_length=500, description="needed when the ИНН has no profile yet")
    role: MemberRoleName = "participant"
    joined_on: date | None = None


class MemberPatch(Body):
    role: MemberRoleName | None = None
    joined_on: date | None = None
    left_on: date | None = Field(None, description="a member that left is kept with its leaving date")


class ClusterQuery(ListQuery):
    type: ClusterTypeName | None = None
    register_status: RegisterStatusName | None = None


ClusterList = items_of(ClusterOut, "ClusterList", cursor=True)
MemberList = items_of(MemberOut, "ClusterMemberList", cursor=True)


def _region_codes() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Region.id, Region.tax_code)).all())


def cluster_json(cluster: Cluster, active_members: int, region_codes: dict[int, str]) -> dict:
    org = cluster.specialised_org
    return {
        "id": cluster.id,
        "name": cluster.name,
        "type": cluster.cluster_type,
        "industry": cluster.industry,
        "okved_codes": (cluster.okved_codes or "").split(),
        "register_status": cluster.register_status,
        "register_order_number": cluster.register_order_number,
        "register_order_date": cluster.register_order_date,
        "register_valid_until": cluster.register_valid_until,
        "specialised_org": {"id": org.id, "inn": org.inn, "name": org.full_name} if org else None,
        "regions": sorted(region_codes.get(i, "") for i in cluster.region_ids or []),
        "members": active_members,
        "updated_at": cluster.updated_at,
    }


def member_json(m: ClusterMember) -> dict:
    return {
        "id": m.id,
        "enterprise": {
            "id": m.enterprise.id,
            "inn": m.enterprise.inn,
            "ogrn": m.enterprise.ogrn,
            "name": m.enterprise.full_name,
        },
        "role": m.role,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
        "updated_at": m.updated_at,
    }


def _cluster(cluster_id) -> Cluster:
    return db.first_or_404(sa.select(Cluster).where(Cluster.id == cluster_id))


def _member(cluster: Cluster, cluster_member_id) -> ClusterMember:
    return db.first_or_404(
        sa.select(ClusterMember).where(
            ClusterMember.id == cluster_member_id, ClusterMember.cluster_id == cluster.id
        )
    )


def detail_json(row: Cluster) -> dict:
    view = cluster_services.cluster_view(row)
    by_id = view.by_id
    data = cluster_json(row, len(view.active_members), _region_codes())
    data["compliance"] = [
        {
            "rule": r.rule.code,
            "text": str(r.rule.text),
            "threshold": r.rule.threshold,
            "passed": r.passed,
            "detail": None if r.detail is None else str(r.detail),
        }
        for r in compliance.check_compliance(view)
    ]
    data["supply_links"] = [
        {
            "supplier_inn": by_id[link.supplier_id].enterprise.inn,
            "customer_inn": by_id[link.customer_id].enterprise.inn,
            "product": link.product,
            "okpd2": link.okpd2,
        }
        for link in view.links
    ]
    return data


def _values(data: dict) -> dict:
    """API fields → the service's values (the names of the cluster form)."""
    values = dict(data)
    if "type" in values:
        values["cluster_type"] = values.pop("type")
    if "okved_codes" in values:
        values["okved_codes"] = " ".join(values["okved_codes"] or [])
    if "regions" in values:
        codes = values.pop("regions") or []
        ids = dict(
            db.session.execute(sa.select(Region.tax_code, Region.id).where(Region.tax_code.in_(codes))).all()
        )
        unknown = [c for c in codes if c not in ids]
        if unknown:
            raise Refusal(_("Choose a region from the list.") + f" ({', '.join(unknown)})", "regions")
        values["region_ids"] = [ids[c] for c in codes]
    if "specialised_org_inn" in values:
        values["specialised_org_id"] = cluster_services.specialised_org_id_for(
            values.pop("specialised_org_inn") or ""
        )
    return values


@bp.route("")
@requires(VIEW_CLUSTERS)
@doc("The center's clusters", tags=TAGS, query=ClusterQuery, response=ClusterList)
def clusters():
    params = contract.query(ClusterQuery)
    counts = dict(
        db.session.execute(
            sa.select(ClusterMember.cluster_id, sa.func.count())
            .where(member_services.active_on())
            .group_by(ClusterMember.cluster_id)
        ).all()
    )
    statement = sa.select(Cluster).options(sa.orm.joinedload(Cluster.specialised_org))
    if params.type:
        statement = statement.where(Cluster.cluster_type == params.type)
    if params.register_status:
        statement = statement.where(Cluster.register_status == params.register_status)
    rows, next_cursor = cursor_page(statement, Cluster, params)
    codes = _region_codes()
    return respond(
        ClusterList,
        {"items": [cluster_json(c, counts.get(c.id, 0), codes) for c in rows], "next_cursor": next_cursor},
    )


@bp.route("", methods=["POST"])
@requires(MANAGE_CLUSTERS)
@doc("Create a cluster", tags=TAGS, body=ClusterBody, response=ClusterDetail, status=201)
def create_cluster():
    values = _values(contract.body(ClusterBody).model_dump())
    row = cluster_services.create_cluster(values, current_user)
    return respond(ClusterDetail, detail_json(row), 201, etag=True)


@bp.route("/<int:cluster_id>")
@requires(VIEW_CLUSTERS)
@doc("One cluster with its compliance checks and supply links", tags=TAGS, response=ClusterDetail, etag=True)
def cluster(cluster_id):
    return respond(ClusterDetail, detail_json(_cluster(cluster_id)), etag=True)


@bp.route("/<int:cluster_id>", methods=["PATCH"])
@requires(MANAGE_CLUSTERS)
@doc(
    "Change a cluster (send the ETag you read in If-Match)",
    tags=TAGS,
    body=ClusterPatch,
    response=ClusterDetail,
    if_match=True,
)
def update_cluster(cluster_id):
    row = _cluster(cluster_id)
    contract.check_if_match(ClusterDetail, detail_json(row))
    current = {key: getattr(row, key) for key in cluster_services.CLUSTER_FIELDS}
    current.update(_values(contract.body(ClusterPatch).model_dump(exclude_unset=True)))
    cluster_services.update_cluster(row, current, current_user)
    return respond(ClusterDetail, detail_json(row), etag=True)


@bp.route("/<int:cluster_id>/members")
@requires(VIEW_CLUSTERS)
@doc(
    "Members of one cluster (former members included, with their leaving date)",
    tags=TAGS,
    query=ListQuery,
    response=MemberList,
)
def members(cluster_id):
    row = _cluster(cluster_id)
    params = contract.query(ListQuery)
    rows, next_cursor = cursor_page(
        sa.select(ClusterMember).where(ClusterMember.cluster_id == row.id), ClusterMember, params
    )
    return respond(MemberList, {"items": [member_json(m) for m in rows], "next_cursor": next_cursor})


@bp.route("/<int:cluster_id>/members", methods=["POST"])
@requires(MANAGE_CLUSTERS)
@doc(
    "Add an enterprise to a cluster by ИНН (its profile is created when there is none)",
    tags=TAGS,
    body=MemberBody,
    response=MemberOut,
    status=201,
)
def add_member(cluster_id):
    row = _cluster(cluster_id)
    data = contract.body(MemberBody)
    member = member_services.add_member_by_inn(
        row, data.inn, data.full_name, data.role, data.joined_on, current_user
    )
    return respond(MemberOut, member_json(member), 201, etag=True)


@bp.route("/<int:cluster_id>/members/<int:cluster_member_id>")
@requires(VIEW_CLUSTERS)
@doc("One member of a cluster", tags=TAGS, response=MemberOut, etag=True)
def member(cluster_id, cluster_member_id):
    return respond(MemberOut, member_json(_member(_cluster(cluster_id), cluster_member_id)), etag=True)


@bp.route("/<int:cluster_id>/members/<int:cluster_member_id>", methods=["PATCH"])
@requires(MANAGE_CLUSTERS)
@doc(
    "Change a membership: role, joining or leaving date (send the ETag you read in If-Match)",
    tags=TAGS,
    body=MemberPatch,
    response=MemberOut,
    if_match=True,
)
def update_member(cluster_id, cluster_member_id):
    row = _member(_cluster(cluster_id), cluster_member_id)
    contract.check_if_match(MemberOut, member_json(row))
    values = {"role": row.role, "joined_on": row.joined_on, "left_on": row.left_on}
    values.update(contract.body(MemberPatch).model_dump(exclude_unset=True))
    member_services.update_member(row, values["role"], values["joined_on"], values["left_on"], current_user)
    return respond(MemberOut, member_json(row), etag=True)


@bp.route("/<int:cluster_id>/members/<int:cluster_member_id>", methods=["DELETE"])
@requires(MANAGE_CLUSTERS)
@doc(
    "Delete a membership entered by mistake (a member that left: set left_on instead)", tags=TAGS, status=204
)
def remove_member(cluster_id, cluster_member_id):
    member_services.remove_member(_member(_cluster(cluster_id), cluster_member_id), current_user)
    return "", 204
