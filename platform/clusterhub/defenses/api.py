"""JSON API of defenses: the staff run rounds (panel, programme, assignments, closing) and the chair
records decisions, through the same services as the round pages; an expert reads their assignments and
scores; a round's results once scoring is closed."""

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field, WithJsonSchema

from ..accounts.authz import can, login_required, requires
from ..accounts.models import User
from ..api import openapi as contract
from ..api.lists import ListQuery, cursor_page, naive_utc
from ..api.openapi import API_PREFIX, Body, Payload, UtcDateTime, choice, doc, items_of, respond
from ..core.refusal import Refusal
from ..extensions import csrf, db
from ..projects import services as project_services
from ..projects.models import DefenseOutcome, JointProject, SelectionRound
from . import services
from .models import DefenseRound, DefenseSlot, PanelMember, PanelRole, RoundStatus
from .views import MANAGE_DEFENSES, PANEL_WORK

bp = Blueprint("defenses_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)

TAGS = ["defenses"]
PanelRoleName = choice(PanelRole)
OutcomeName = choice(DefenseOutcome)
LOCKED = "The protocol is signed: nothing in the round can change (the attempt is in the audit log)"


# --- payloads -------------------------------------------------------------------------------------------


class RoundRef(Payload):
    id: int
    title: str
    status: str


class CriterionOut(Payload):
    id: int
    code: str
    name_ru: str
    name_en: str
    weight: str = Field(description="decimal, as a string")
    min: int
    max: int
    my_score: str | None
    my_comment: str | None


class ProjectRef(Payload):
    title: str
    applicant: str | None = Field(description="null in a blind round")


class AssignmentOut(Payload):
    slot_id: int
    code: str
    round: RoundRef
    project: ProjectRef
    criteria: list[CriterionOut]


class ScoreRow(Body):
    criterion_id: int = Field(ge=0)
    # Checked by the scoring service against the criterion's range, with its own messages.
    value: Annotated[Any, WithJsonSchema({"type": ["number", "string", "null"]})]
    comment: str | None = Field(None, max_length=5000)


class ScoresBody(Body):
    scores: list[ScoreRow] = Field(max_length=100)


class Saved(Payload):
    saved: int


class ResultCriterion(Payload):
    id: int
    code: str
    weight: str


class ResultRow(Payload):
    code: str
    title: str
    applicant: str | None
    rank: int | None
    score: str | None
    min: str | None
    max: str | None
    std_dev: str | None
    count: int
    missing: int
    decision: str | None
    remarks: str | None


class Results(Payload):
    round: RoundRef
    protocol_hash: str | None
    criteria: list[ResultCriterion]
    items: list[ResultRow]


class PanelMemberOut(Payload):
    id: int
    user_email: str
    full_name: str
    role: PanelRoleName
    affiliation: str | None
    problems: list[str] = Field(description="why this member could not log in or score, if anything")


class AssignedExpert(Payload):
    panel_member_id: int
    declined: bool


class SlotOut(Payload):
    id: int
    code: str
    joint_project_id: int
    project_title: str
    starts_at: UtcDateTime | None
    presenter: str | None
    decision: str | None
    remarks: str | None
    assignments: list[AssignedExpert]


class RoundOut(Payload):
    id: int
    title: str
    number: int
    selection_round: str
    status: choice(RoundStatus)
    held_on: UtcDateTime | None
    location: str | None
    blind: bool
    min_experts_per_project: int
    event_id: int | None
    agenda_item_id: int | None
    updated_at: UtcDateTime


class RoundDetail(RoundOut):
    panel: list[PanelMemberOut]
    slots: list[SlotOut]


class RoundBody(Body):
    selection_round: str = Field(max_length=40, description="the selection round's code")
    number: int = Field(ge=1, le=3, description="first, second or third preliminary defense")
    title: str = Field(max_length=300)
    held_on: datetime | None = None
    location: str | None = Field(None, max_length=300)
    blind: bool = False
    min_experts_per_project: int = Field(3, ge=1, le=50)
    agenda_item_id: int | None = Field(None, ge=0, description="a «project defense» item of a session")


class PanelBody(Body):
    email: str = Field(max_length=254, description="the e-mail of the user's account")
    role: PanelRoleName = "expert"
    affiliation: str | None = Field(None, max_length=200)


class SlotBody(Body):
    joint_project_id: int = Field(ge=0, description="a project admitted to the defense")
    starts_at: datetime | None = None
    presenter: str | None = Field(None, max_length=200)


class AssignBody(Body):
    panel_member_id: int = Field(ge=0)


class DecisionBody(Body):
    outcome: OutcomeName
    remarks: str | None = Field(None, max_length=5000)


AssignmentList = items_of(AssignmentOut, "ExpertAssignmentList")
RoundList = items_of(RoundOut, "DefenseRoundList", cursor=True)


# --- building -------------------------------------------------------------------------------------------


def round_json(r: DefenseRound) -> dict:
    return {
        "id": r.id,
        "title": r.title,
        "number": r.number,
        "selection_round": r.selection_round.code,
        "status": r.status,
        "held_on": r.held_on,
        "location": r.location,
        "blind": r.blind,
        "min_experts_per_project": r.min_experts_per_project,
        "event_id": r.event_id,
        "agenda_item_id": r.agenda_item_id,
        "updated_at": r.updated_at,
    }


def round_detail_json(r: DefenseRound) -> dict:
    assignments: dict[int, list] = {}
    for a in services.assignments_in(r.id):
        assignments.setdefault(a.defense_slot_id, []).append(
            {"panel_member_id": a.panel_member_id, "declined": a.declined_at is not None}
        )
    return {
        **round_json(r),
        "panel": [
            {
                "id": m.id,
                "user_email": m.user.email,
                "full_name": m.user.full_name,
                "role": m.role,
                "affiliation": m.affiliation,
                "problems": [str(p) for p in services.panel_member_problems(m.user)],
            }
            for m in r.panel
        ],
        "slots": [
            {
                "id": s.id,
                "code": s.code,
                "joint_project_id": s.joint_project_id,
                "project_title": s.project.title_ru,
                "starts_at": s.starts_at,
                "presenter": s.presenter,
                "decision": s.decision,
                "remarks": s.remarks,
                "assignments": assignments.get(s.id, []),
            }
            for s in r.slots
        ],
    }


def _round(defense_round_id) -> DefenseRound:
    return db.first_or_404(sa.select(DefenseRound).where(DefenseRound.id == defense_round_id))


def _slot(defense_round: DefenseRound, defense_slot_id) -> DefenseSlot:
    return db.first_or_404(
        sa.select(DefenseSlot).where(
            DefenseSlot.id == defense_slot_id, DefenseSlot.defense_round_id == defense_round.id
        )
    )


def _locked(error):
    """A refused change after signing: keep its audit entry (as the round pages do), answer 409."""
    db.session.commit()
    return jsonify(error={"code": 409, "message": str(error), "field": None}), 409


def _carry_out(action):
    try:
        action()
    except services.RoundLocked as error:
        return _locked(error)
    return None


# --- expert work ----------------------------------------------------------------------------------------


@bp.route("/tenants/<tenant>/expert/assignments")
@login_required
@doc(
    "The current user's assignments in this center, with their own scores", tags=TAGS, response=AssignmentList
)
def assignments():
    members = db.session.scalars(sa.select(PanelMember).where(PanelMember.user_id == current_user.id)).all()
    items = []
    for member in members:
        if not member.scores:
            continue
        defense_round = db.session.get(DefenseRound, member.defense_round_id)
        for a in services.assignments_of(member):
            if a.declined_at:
                continue
            project = a.slot.project
            own = services.own_scores(a.slot.id, member.id)
            items.append(
                {
                    "slot_id": a.slot.id,
                    "code": a.slot.code,
                    "round": {
                        "id": defense_round.id,
                        "title": defense_round.title,
                        "status": defense_round.status,
                    },
                    "project": {
                        "title": project.title_ru,
                        "applicant": None if defense_round.blind else project.lead_enterprise.name,
                    },
                    "criteria": [
                        {
                            "id": c.id,
                            "code": c.code,
                            "name_ru": c.name_ru,
                            "name_en": c.name_en,
                            "weight": str(c.weight),
                            "min": c.min_score,
                            "max": c.max_score,
                            "my_score": str(own[c.id].value) if c.id in own else None,
                            "my_comment": own[c.id].comment if c.id in own else None,
                        }
                        for c in defense_round.criteria
                    ],
                }
            )
    return respond(AssignmentList, {"items": items})


@bp.route("/tenants/<tenant>/expert/slots/<int:defense_slot_id>/scores", methods=["PUT"])
@requires(PANEL_WORK)
@doc(
    "Record the current user's scores for an assigned project",
    tags=TAGS,
    body=ScoresBody,
    response=Saved,
    conflict=LOCKED,
)
def put_scores(defense_slot_id):
    slot = db.session.scalar(sa.select(DefenseSlot).where(DefenseSlot.id == defense_slot_id))
    if slot is None:
        abort(404)
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    member = services.member_of(defense_round, current_user)
    if member is None:
        abort(404)
    rows = contract.body(ScoresBody).scores
    values = {row.criterion_id: (row.value, row.comment) for row in rows}
    refused = _carry_out(lambda: services.score_project(slot, member, values, actor=current_user))
    return refused or respond(Saved, {"saved": len(values)})


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/results")
@login_required
@doc(
    "A round's ranked results, once scoring is closed (staff and the panel; conflicted projects hidden)",
    tags=TAGS,
    response=Results,
)
def results(defense_round_id):
    defense_round = _round(defense_round_id)
    manager = can(MANAGE_DEFENSES)
    member = services.member_of(defense_round, current_user)
    if not manager and member is None:
        abort(404)
    if defense_round.status == RoundStatus.OPEN:
        return jsonify(error={"code": 409, "message": _("Scoring is still open."), "field": None}), 409
    data = services.round_data(defense_round.id)
    hidden = set()
    if not manager:
        hidden = {c.defense_slot_id for c in data["conflicts"] if c.panel_member_id == member.id}
    show_names = manager or not defense_round.blind or defense_round.status == RoundStatus.SIGNED
    protocol = services.protocol_of(defense_round.id)

    def text(value):
        return None if value is None else str(value)

    return respond(
        Results,
        {
            "round": {"id": defense_round.id, "title": defense_round.title, "status": defense_round.status},
            "protocol_hash": protocol.content_hash if protocol else None,
            "criteria": [{"id": c.id, "code": c.code, "weight": str(c.weight)} for c in data["criteria"]],
            "items": [
                {
                    "code": data["slots"][r.key].code,
                    "title": data["slots"][r.key].project.title_ru,
                    "applicant": data["slots"][r.key].project.lead_enterprise.name if show_names else None,
                    "rank": r.rank,
                    "score": text(r.score),
                    "min": text(r.minimum),
                    "max": text(r.maximum),
                    "std_dev": text(r.std_dev),
                    "count": r.count,
                    "missing": r.missing,
                    "decision": data["slots"][r.key].decision,
                    "remarks": data["slots"][r.key].remarks,
                }
                for r in data["results"]
                if r.key not in hidden
            ],
        },
    )


# --- rounds (staff) -------------------------------------------------------------------------------------


@bp.route("/tenants/<tenant>/defenses")
@requires(MANAGE_DEFENSES)
@doc("The center's defense rounds (staff)", tags=TAGS, query=ListQuery, response=RoundList)
def rounds():
    params = contract.query(ListQuery)
    rows, next_cursor = cursor_page(sa.select(DefenseRound), DefenseRound, params)
    return respond(RoundList, {"items": [round_json(r) for r in rows], "next_cursor": next_cursor})


@bp.route("/tenants/<tenant>/defenses", methods=["POST"])
@requires(MANAGE_DEFENSES)
@doc(
    "Create a defense round (the selection round's criteria are copied)",
    tags=TAGS,
    body=RoundBody,
    response=RoundDetail,
    status=201,
)
def create_round():
    data = contract.body(RoundBody)
    if not project_services.selection_rounds():
        project_services.seed_selection_rounds()
    selection_round = db.session.scalar(
        sa.select(SelectionRound).where(SelectionRound.code == data.selection_round)
    )
    if selection_round is None:
        raise Refusal(_("Choose a selection round from the list."), "selection_round")
    defense_round = services.create_round(
        selection_round,
        data.number,
        data.title,
        actor=current_user,
        held_on=naive_utc(data.held_on) if data.held_on else None,
        location=data.location,
        blind=data.blind,
        min_experts_per_project=data.min_experts_per_project,
        agenda_item_id=data.agenda_item_id,
    )
    return respond(RoundDetail, round_detail_json(defense_round), 201, etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>")
@requires(MANAGE_DEFENSES)
@doc("One defense round with its panel and programme (staff)", tags=TAGS, response=RoundDetail, etag=True)
def round_detail(defense_round_id):
    return respond(RoundDetail, round_detail_json(_round(defense_round_id)), etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/panel", methods=["POST"])
@requires(MANAGE_DEFENSES)
@doc(
    "Put a user on the panel by their account's e-mail (an expert of another center gets the expert role "
    "here); they are told by e-mail",
    tags=TAGS,
    body=PanelBody,
    response=RoundDetail,
    status=201,
    conflict=LOCKED,
)
def add_panel_member(defense_round_id):
    defense_round = _round(defense_round_id)
    data = contract.body(PanelBody)
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == data.email.strip().lower()))
    if user is None:
        raise Refusal(_("No account has this e-mail address; invite the person first."), "email")
    refused = _carry_out(
        lambda: services.add_panel_member(
            defense_round, user, data.role, affiliation=data.affiliation, actor=current_user
        )
    )
    return refused or respond(RoundDetail, round_detail_json(defense_round), 201, etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/panel/<int:panel_member_id>", methods=["DELETE"])
@requires(MANAGE_DEFENSES)
@doc("Take a member off the panel", tags=TAGS, response=RoundDetail, conflict=LOCKED)
def remove_panel_member(defense_round_id, panel_member_id):
    defense_round = _round(defense_round_id)
    member = db.first_or_404(
        sa.select(PanelMember).where(
            PanelMember.id == panel_member_id, PanelMember.defense_round_id == defense_round.id
        )
    )
    refused = _carry_out(lambda: services.remove_panel_member(member, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(defense_round), etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/slots", methods=["POST"])
@requires(MANAGE_DEFENSES)
@doc(
    "Schedule an admitted project of the round's selection round",
    tags=TAGS,
    body=SlotBody,
    response=RoundDetail,
    status=201,
    conflict=LOCKED,
)
def add_slot(defense_round_id):
    defense_round = _round(defense_round_id)
    data = contract.body(SlotBody)
    project = db.session.scalar(sa.select(JointProject).where(JointProject.id == data.joint_project_id))
    if project is None:
        raise Refusal(_("Choose one of the center's joint projects."), "joint_project_id")
    refused = _carry_out(
        lambda: services.add_slot(
            defense_round,
            project,
            starts_at=naive_utc(data.starts_at) if data.starts_at else None,
            presenter=data.presenter,
            actor=current_user,
        )
    )
    return refused or respond(RoundDetail, round_detail_json(defense_round), 201, etag=True)


@bp.route(
    "/tenants/<tenant>/defenses/<int:defense_round_id>/slots/<int:defense_slot_id>/assignments",
    methods=["POST"],
)
@requires(MANAGE_DEFENSES)
@doc(
    "Assign a scoring panel member to a project (refused when they have a conflict of interest)",
    tags=TAGS,
    body=AssignBody,
    response=RoundDetail,
    status=201,
    conflict=LOCKED,
)
def assign(defense_round_id, defense_slot_id):
    defense_round = _round(defense_round_id)
    slot = _slot(defense_round, defense_slot_id)
    data = contract.body(AssignBody)
    member = db.session.scalar(
        sa.select(PanelMember).where(
            PanelMember.id == data.panel_member_id, PanelMember.defense_round_id == defense_round.id
        )
    )
    if member is None:
        raise Refusal(_("Choose a member of this round's panel."), "panel_member_id")
    refused = _carry_out(lambda: services.assign(slot, member, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(defense_round), 201, etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/assign-all", methods=["POST"])
@requires(MANAGE_DEFENSES)
@doc(
    "Assign every scoring member to every project they have no conflict with",
    tags=TAGS,
    response=RoundDetail,
    conflict=LOCKED,
)
def assign_all(defense_round_id):
    defense_round = _round(defense_round_id)
    refused = _carry_out(lambda: services.assign_all(defense_round, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(defense_round), etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/close", methods=["POST"])
@requires(MANAGE_DEFENSES)
@doc(
    "End scoring: the results become visible and the chair records decisions",
    tags=TAGS,
    response=RoundDetail,
    conflict=LOCKED,
)
def close_round(defense_round_id):
    defense_round = _round(defense_round_id)
    refused = _carry_out(lambda: services.close_round(defense_round, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(_round(defense_round_id)), etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/reopen", methods=["POST"])
@requires(MANAGE_DEFENSES)
@doc("Reopen scoring of a closed round", tags=TAGS, response=RoundDetail, conflict=LOCKED)
def reopen_round(defense_round_id):
    defense_round = _round(defense_round_id)
    refused = _carry_out(lambda: services.reopen_round(defense_round, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(_round(defense_round_id)), etag=True)


@bp.route(
    "/tenants/<tenant>/defenses/<int:defense_round_id>/slots/<int:defense_slot_id>/decision", methods=["POST"]
)
@requires(PANEL_WORK)
@doc(
    "The panel's decision on a project (the chair only, once scoring is closed); sets the project's status",
    tags=TAGS,
    body=DecisionBody,
    response=RoundDetail,
    conflict=LOCKED,
)
def decision(defense_round_id, defense_slot_id):
    defense_round = _round(defense_round_id)
    member = services.member_of(defense_round, current_user)
    if member is None and not can(MANAGE_DEFENSES):
        abort(404)
    slot = _slot(defense_round, defense_slot_id)
    if not (member and member.role == PanelRole.CHAIR):
        abort(403)  # the chair records the panel's decision
    data = contract.body(DecisionBody)
    refused = _carry_out(
        lambda: services.record_decision(slot, data.outcome, data.remarks, actor=current_user)
    )
    return refused or respond(RoundDetail, round_detail_json(_round(defense_round_id)), etag=True)
