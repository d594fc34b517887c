"""JSON API: a center's joint project dossiers and their documents, for its staff; the same services as
the project pages."""

import sqlalchemy as sa
from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field
from sqlalchemy.orm import joinedload, selectinload

from ..api import openapi as contract
from ..api.lists import ListQuery, cursor_page
from ..api.openapi import API_PREFIX, Body, Payload, UtcDateTime, choice, doc, items_of, respond
from ..core.access import requires
from ..core.refusal import Refusal
from ..enterprises.services.profiles import get_or_create_by_inn
from ..extensions import csrf, db
from .models import DefenseOutcome, DocumentKind, JointProject, ProjectDocument, ProjectStatus, SelectionRound
from .services import documents, dossier, selection_rounds, workflow
from .views import MANAGE_PROJECTS, VIEW_PROJECTS

bp = Blueprint("projects_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)

TAGS = ["projects"]
ProjectStatusName = choice(ProjectStatus)
OutcomeName = choice(DefenseOutcome)
DocumentKindName = choice(DocumentKind)
Kopecks = int


class Lead(Payload):
    inn: str
    name: str


class ProjectParticipantOut(Payload):
    inn: str
    name: str
    role: str


class RuleCheckOut(Payload):
    code: str
    passed: bool
    rule: str
    detail: str


class ProjectOut(Payload):
    id: int
    title_ru: str
    title_en: str | None
    summary_ru: str | None
    summary_en: str | None
    status: ProjectStatusName
    allowed_transitions: list[ProjectStatusName]
    defense_outcome: str | None
    remarks: str | None
    lead_enterprise: Lead
    selection_round: str = Field(description="the selection round's code")
    cluster_id: int | None
    total_cost_kopecks: Kopecks
    requested_subsidy_kopecks: Kopecks
    co_financing_kopecks: Kopecks
    participants: list[ProjectParticipantOut]
    rule_checks: list[RuleCheckOut]
    submitted_at: UtcDateTime | None
    updated_at: UtcDateTime


class DocumentOut(Payload):
    id: int
    joint_project_id: int
    kind: DocumentKindName
    filename: str
    content_type: str
    size: int = Field(description="bytes")
    uploaded_at: UtcDateTime


class ProjectBody(Body):
    selection_round: str = Field(max_length=40, description="the selection round's code")
    lead_inn: str = Field(max_length=12)
    lead_name: str | None = Field(None, max_length=500, description="needed when the ИНН has no profile yet")
    title_ru: str = Field(max_length=300)
    title_en: str | None = Field(None, max_length=300)
    summary_ru: str | None = None
    summary_en: str | None = None
    cluster_id: int | None = Field(None, ge=0)
    requested_subsidy_kopecks: int = Field(0, ge=0, le=10**15)
    co_financing_kopecks: int = Field(0, ge=0, le=10**15)


class ProjectPatch(Body):
    """Only a draft can be edited; only the fields sent change."""

    title_ru: str | None = Field(None, max_length=300)
    title_en: str | None = Field(None, max_length=300)
    summary_ru: str | None = None
    summary_en: str | None = None
    requested_subsidy_kopecks: int | None = Field(None, ge=0, le=10**15)
    co_financing_kopecks: int | None = Field(None, ge=0, le=10**15)


class StatusBody(Body):
    status: ProjectStatusName
    outcome: OutcomeName | None = Field(None, description="the panel's outcome, needed for «defended»")
    remark: str | None = Field(None, max_length=5000)


class DocumentForm(Body):
    kind: DocumentKindName


class ProjectQuery(ListQuery):
    status: ProjectStatusName | None = None
    cluster_id: int | None = Field(None, ge=0)


ProjectList = items_of(ProjectOut, "ProjectList", cursor=True)
DocumentList = items_of(DocumentOut, "ProjectDocumentList")


def project_json(project: JointProject) -> dict:
    return {
        "id": project.id,
        "title_ru": project.title_ru,
        "title_en": project.title_en,
        "summary_ru": project.summary_ru,
        "summary_en": project.summary_en,
        "status": project.status,
        "allowed_transitions": workflow.allowed_transitions(project),
        "defense_outcome": project.defense_outcome,
        "remarks": project.remarks,
        "lead_enterprise": {"inn": project.lead_enterprise.inn, "name": project.lead_enterprise.name},
        "selection_round": project.selection_round.code,
        "cluster_id": project.cluster_id,
        "total_cost_kopecks": project.total_cost,
        "requested_subsidy_kopecks": project.requested_subsidy,
        "co_financing_kopecks": project.co_financing,
        "participants": [
            {"inn": p.enterprise.inn, "name": p.enterprise.name, "role": p.role} for p in project.participants
        ],
        "rule_checks": [
            {"code": c.code, "passed": c.passed, "rule": c.rule, "detail": c.detail}
            for c in dossier.rule_checks(project)
        ],
        "submitted_at": project.submitted_at,
        "updated_at": project.updated_at,
    }


def document_json(d: ProjectDocument) -> dict:
    return {
        "id": d.id,
        "joint_project_id": d.joint_project_id,
        "kind": d.kind,
        "filename": d.filename,
        "content_type": d.content_type,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
    }


def _loaded():
    return sa.select(JointProject).options(
        joinedload(JointProject.lead_enterprise),
        joinedload(JointProject.selection_round),
        selectinload(JointProject.participants),
        selectinload(JointProject.products),
        selectinload(JointProject.cost_items),
    )


def _project(joint_project_id) -> JointProject:
    return db.first_or_404(_loaded().where(JointProject.id == joint_project_id))


@bp.route("/tenants/<tenant>/projects")
@requires(VIEW_PROJECTS)
@doc("Joint projects of a center (staff)", tags=TAGS, query=ProjectQuery, response=ProjectList)
def projects():
    params = contract.query(ProjectQuery)
    statement = _loaded()
    if params.status:
        statement = statement.where(JointProject.status == params.status)
    if params.cluster_id is not None:
        statement = statement.where(JointProject.cluster_id == params.cluster_id)
    rows, next_cursor = cursor_page(statement, JointProject, params)
    return respond(ProjectList, {"items": [project_json(p) for p in rows], "next_cursor": next_cursor})


@bp.route("/tenants/<tenant>/projects", methods=["POST"])
@requires(MANAGE_PROJECTS)
@doc(
    "Create a project dossier (a draft; the lead enterprise's profile is created from its ИНН if needed)",
    tags=TAGS,
    body=ProjectBody,
    response=ProjectOut,
    status=201,
)
def create_project():
    data = contract.body(ProjectBody)
    if not selection_rounds.selection_rounds():
        selection_rounds.seed_selection_rounds()
    selection_round = db.session.scalar(
        sa.select(SelectionRound).where(SelectionRound.code == data.selection_round)
    )
    if selection_round is None:
        raise Refusal(_("Choose a selection round from the list."), "selection_round")
    lead, _created = get_or_create_by_inn(data.lead_inn, data.lead_name, actor=current_user)
    project = dossier.create_project(
        selection_round,
        lead,
        data.title_ru,
        actor=current_user,
        title_en=data.title_en,
        summary_ru=data.summary_ru,
        summary_en=data.summary_en,
        requested_subsidy=data.requested_subsidy_kopecks,
        co_financing=data.co_financing_kopecks,
        cluster_id=data.cluster_id,
    )
    return respond(ProjectOut, project_json(project), 201, etag=True)


@bp.route("/tenants/<tenant>/projects/<int:joint_project_id>")
@requires(VIEW_PROJECTS)
@doc("One joint project with its rule checks", tags=TAGS, response=ProjectOut, etag=True)
def project(joint_project_id):
    return respond(ProjectOut, project_json(_project(joint_project_id)), etag=True)


@bp.route("/tenants/<tenant>/projects/<int:joint_project_id>", methods=["PATCH"])
@requires(MANAGE_PROJECTS)
@doc(
    "Change a draft dossier (send the ETag you read in If-Match)",
    tags=TAGS,
    body=ProjectPatch,
    response=ProjectOut,
    if_match=True,
)
def update_project(joint_project_id):
    row = _project(joint_project_id)
    contract.check_if_match(ProjectOut, project_json(row))
    values = contract.body(ProjectPatch).model_dump(exclude_unset=True)
    for key in ("requested_subsidy", "co_financing"):
        if f"{key}_kopecks" in values:
            values[key] = values.pop(f"{key}_kopecks")
    dossier.update_project(row, values, actor=current_user)
    return respond(ProjectOut, project_json(row), etag=True)


@bp.route("/tenants/<tenant>/projects/<int:joint_project_id>/status", methods=["POST"])
@requires(MANAGE_PROJECTS)
@doc(
    "Move a project along its workflow (allowed_transitions lists the possible next statuses)",
    tags=TAGS,
    body=StatusBody,
    response=ProjectOut,
)
def change_status(joint_project_id):
    row = _project(joint_project_id)
    data = contract.body(StatusBody)
    workflow.change_status(row, data.status, actor=current_user, outcome=data.outcome, remark=data.remark)
    return respond(ProjectOut, project_json(row), etag=True)


@bp.route("/tenants/<tenant>/projects/<int:joint_project_id>/documents")
@requires(VIEW_PROJECTS)
@doc("The documents of a dossier", tags=TAGS, response=DocumentList)
def project_documents(joint_project_id):
    row = _project(joint_project_id)
    rows = db.session.scalars(
        sa.select(ProjectDocument)
        .where(ProjectDocument.joint_project_id == row.id)
        .order_by(ProjectDocument.id)
    ).all()
    return respond(DocumentList, {"items": [document_json(d) for d in rows]})


@bp.route("/tenants/<tenant>/projects/<int:joint_project_id>/documents", methods=["POST"])
@requires(MANAGE_PROJECTS)
@doc(
    "Upload a document to a dossier (multipart/form-data: kind and file; PDF, office files, images)",
    tags=TAGS,
    body=DocumentForm,
    multipart=True,
    response=DocumentOut,
    status=201,
)
def upload_document(joint_project_id):
    row = _project(joint_project_id)
    data = contract.form(DocumentForm)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Refusal(_("Choose a file to upload."), "file")
    document = documents.add_document(row, data.kind, upload.stream, upload.filename, actor=current_user)
    return respond(DocumentOut, document_json(document), 201)


@bp.route(
    "/tenants/<tenant>/projects/<int:joint_project_id>/documents/<int:project_document_id>",
    methods=["DELETE"],
)
@requires(MANAGE_PROJECTS)
@doc("Delete a document of a dossier", tags=TAGS, status=204)
def delete_document(joint_project_id, project_document_id):
    row = _project(joint_project_id)
    document = db.first_or_404(
        sa.select(ProjectDocument).where(
            ProjectDocument.id == project_document_id, ProjectDocument.joint_project_id == row.id
        )
    )
    documents.remove_document(document, actor=current_user)
    return "", 204
