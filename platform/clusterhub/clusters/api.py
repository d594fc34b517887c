"""A center's clusters and their members as JSON: ``/api/v1/tenants/<tenant>/clusters``."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from ..accounts.authz import requires
from ..api.openapi import API_PREFIX, doc
from ..extensions import csrf, db
from . import services
from .models import Cluster
from .views import VIEW_CLUSTERS

bp = Blueprint("clusters_api", __name__, url_prefix=f"{API_PREFIX}/tenants/<tenant>/clusters")
csrf.exempt(bp)

CLUSTER_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "type": {"type": "string", "enum": ["industrial", "territorial", "innovative"]},
        "industry": {"type": ["string", "null"]},
        "okved_codes": {"type": "array", "items": {"type": "string"}},
        "register_status": {"type": "string", "enum": ["not_registered", "applied", "registered"]},
        "register_order_number": {"type": ["string", "null"]},
        "register_order_date": {"type": ["string", "null"], "format": "date"},
        "register_valid_until": {"type": ["string", "null"], "format": "date"},
        "specialised_org": {"type": ["object", "null"]},
        "region_ids": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "ids of /api/v1 regions",
        },
        "members": {"type": "integer", "description": "active members"},
    },
}
MEMBER_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "enterprise": {"type": "object"},
        "role": {"type": "string"},
        "joined_on": {"type": ["string", "null"], "format": "date"},
        "left_on": {"type": ["string", "null"], "format": "date"},
    },
}


def _date(value):
    return value.isoformat() if value else None


def _region_codes() -> dict[int, str]:
    from ..regions.models import Region

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
        "register_order_date": _date(cluster.register_order_date),
        "register_valid_until": _date(cluster.register_valid_until),
        "specialised_org": {"id": org.id, "inn": org.inn, "name": org.full_name} if org else None,
        "regions": sorted(region_codes.get(i, "") for i in cluster.region_ids or []),
        "members": active_members,
    }


def _cluster(cluster_id) -> Cluster:
    return db.first_or_404(sa.select(Cluster).where(Cluster.id == cluster_id))


@bp.route("")
@requires(VIEW_CLUSTERS)
@doc(
    "The center's clusters",
    response={"type": "object", "properties": {"items": {"type": "array", "items": CLUSTER_SCHEMA}}},
)
def clusters():
    from .models import ClusterMember

    counts = dict(
        db.session.execute(
            sa.select(ClusterMember.cluster_id, sa.func.count())
            .where(services.active_on())
            .group_by(ClusterMember.cluster_id)
        ).all()
    )
    rows = db.session.scalars(
        sa.select(Cluster).options(sa.orm.joinedload(Cluster.specialised_org)).order_by(Cluster.name)
    ).all()
    codes = _region_codes()
    return jsonify(items=[cluster_json(c, counts.get(c.id, 0), codes) for c in rows])


@bp.route("/<int:cluster_id>")
@requires(VIEW_CLUSTERS)
@doc(
    "One cluster with its compliance checks and supply links",
    response={
        "allOf": [
            CLUSTER_SCHEMA,
            {
                "type": "object",
                "properties": {
                    "compliance": {"type": "array", "items": {"type": "object"}},
                    "supply_links": {"type": "array", "items": {"type": "object"}},
                },
            },
        ]
    },
)
def cluster(cluster_id):
    row = _cluster(cluster_id)
    view = services.cluster_view(row)
    by_id = view.by_id
    data = cluster_json(row, len(view.active_members), _region_codes())
    data["compliance"] = [
        {
            "rule": r.rule.code,
            "text": r.rule.text,
            "threshold": r.rule.threshold,
            "passed": r.passed,
            "detail": r.detail,
        }
        for r in services.check_compliance(view)
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
    return jsonify(data)


@bp.route("/<int:cluster_id>/members")
@requires(VIEW_CLUSTERS)
@doc(
    "Members of one cluster (former members included, with their leaving date)",
    response={"type": "object", "properties": {"items": {"type": "array", "items": MEMBER_SCHEMA}}},
)
def members(cluster_id):
    view = services.cluster_view(_cluster(cluster_id))
    return jsonify(
        items=[
            {
                "id": m.id,
                "enterprise": {
                    "id": m.enterprise.id,
                    "inn": m.enterprise.inn,
                    "ogrn": m.enterprise.ogrn,
                    "name": m.enterprise.full_name,
                },
                "role": m.role,
                "joined_on": _date(m.joined_on),
                "left_on": _date(m.left_on),
            }
            for m in view.members
        ]
    )
