"""JSON API: a center's joint projects, for its staff."""

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.authz import requires
from ..api.openapi import API_PREFIX, doc
from ..core.pagination import paginate
from ..extensions import csrf, db
from . import services
from .models import JointProject
from .views import VIEW_PROJECTS

bp = Blueprint("projects_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)

PROJECT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title_ru": {"type": "string"},
        "title_en": {"type": ["string", "null"]},
        "status": {"type": "string"},
        "defense_outcome": {"type": ["string", "null"]},
        "lead_enterprise": {"type": "object"},
        "selection_round": {"type": "string"},
        "total_cost_kopecks": {"type": "integer"},
        "requested_subsidy_kopecks": {"type": "integer"},
        "co_financing_kopecks": {"type": "integer"},
        "participants": {"type": "array"},
        "rule_checks": {"type": "array"},
    },
}


def project_json(project: JointProject) -> dict:
    return {
        "id": project.id,
        "title_ru": project.title_ru,
        "title_en": project.title_en,
        "status": project.status,
        "defense_outcome": project.defense_outcome,
        "remarks": project.remarks,
        "lead_enterprise": {"inn": project.lead_enterprise.inn, "name": project.lead_enterprise.name},
        "selection_round": project.selection_round.code,
        "total_cost_kopecks": project.total_cost,
        "requested_subsidy_kopecks": project.requested_subsidy,
        "co_financing_kopecks": project.co_financing,
        "participants": [
            {"inn": p.enterprise.inn, "name": p.enterprise.name, "role": p.role} for p in project.participants
        ],
        "rule_checks": [
            {"code": c.code, "passed": c.passed, "rule": c.rule, "detail": c.detail}
            for c in services.rule_checks(project)
        ],
    }


def _loaded():
    return sa.select(JointProject).options(
        joinedload(JointProject.lead_enterprise),
        joinedload(JointProject.selection_round),
        selectinload(JointProject.participants),
        selectinload(JointProject.products),
        selectinload(JointProject.cost_items),
    )


@bp.route("/tenants/<tenant>/projects")
@requires(VIEW_PROJECTS)
@doc(
    "Joint projects of a center (staff)",
    query={"page": ("integer", "Page number, 50 per page")},
    response={"type": "object", "properties": {"items": {"type": "array", "items": PROJECT_SCHEMA}}},
)
def projects():
    page = paginate(_loaded().order_by(JointProject.id), per_page=50)
    return jsonify(
        items=[project_json(p) for p in page.items], page=page.page, pages=page.pages, total=page.total
    )


@bp.route("/tenants/<tenant>/projects/<int:joint_project_id>")
@requires(VIEW_PROJECTS)
@doc("One joint project with its rule checks", response=PROJECT_SCHEMA)
def project(joint_project_id):
    row = db.session.scalar(_loaded().where(JointProject.id == joint_project_id))
    if row is None:
        abort(404)
    return jsonify(project_json(row))
