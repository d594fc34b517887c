"""The staff run rounds (panel, programme, assignments, closing) and the chair records decisions."""

from datetime import datetime

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from ...accounts.models import User
from ...api import openapi as contract
from ...api.lists import ListQuery, cursor_page, naive_utc
from ...api.openapi import Body, Payload, UtcDateTime, choice, doc, items_of, respond
from ...core.access import can, requires
from ...core.refusal import Refusal
from ...extensions import db
from ...projects.models import DefenseOutcome, JointProject, SelectionRound
from ...projects.services import selection_rounds
from ..models import DefenseRound, PanelMember, PanelRole, RoundStatus
from ..services import assignments, panel, results
from ..services import rounds as round_services
from ..services.panel import member_of
from ..views import MANAGE_DEFENSES, PANEL_WORK
from . import LOCKED, TAGS, bp, carry_out, round_or_404, slot_or_404

PanelRoleName = choice(PanelRole)


OutcomeName = choice(DefenseOutcome)


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


RoundList = items_of(RoundOut, "DefenseRoundList", cursor=True)


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
    assigned: dict[int, list] = {}
    for a in assignments.assignments_in(r.id):
        assigned.setdefault(a.defense_slot_id, []).append(
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
                "problems": [str(p) for p in panel.panel_member_problems(m.user)],
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
                "assignments": assigned.get(s.id, []),
            }
            for s in r.slots
        ],
    }


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
    if not selection_rounds.selection_rounds():
        selection_rounds.seed_selection_rounds()
    selection_round = db.session.scalar(
        sa.select(SelectionRound).where(SelectionRound.code == data.selection_round)
    )
    if selection_round is None:
        raise Refusal(_("Choose a selection round from the list."), "selection_round")
    defense_round = round_services.create_round(
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
    return respond(RoundDetail, round_detail_json(round_or_404(defense_round_id)), etag=True)


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
    defense_round = round_or_404(defense_round_id)
    data = contract.body(PanelBody)
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == data.email.strip().lower()))
    if user is None:
        raise Refusal(_("No account has this e-mail address; invite the person first."), "email")
    refused = carry_out(
        lambda: panel.add_panel_member(
            defense_round, user, data.role, affiliation=data.affiliation, actor=current_user
        )
    )
    return refused or respond(RoundDetail, round_detail_json(defense_round), 201, etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/panel/<int:panel_member_id>", methods=["DELETE"])
@requires(MANAGE_DEFENSES)
@doc("Take a member off the panel", tags=TAGS, response=RoundDetail, conflict=LOCKED)
def remove_panel_member(defense_round_id, panel_member_id):
    defense_round = round_or_404(defense_round_id)
    member = db.first_or_404(
        sa.select(PanelMember).where(
            PanelMember.id == panel_member_id, PanelMember.defense_round_id == defense_round.id
        )
    )
    refused = carry_out(lambda: panel.remove_panel_member(member, actor=current_user))
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
    defense_round = round_or_404(defense_round_id)
    data = contract.body(SlotBody)
    project = db.session.scalar(sa.select(JointProject).where(JointProject.id == data.joint_project_id))
    if project is None:
        raise Refusal(_("Choose one of the center's joint projects."), "joint_project_id")
    refused = carry_out(
        lambda: round_services.add_slot(
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
    defense_round = round_or_404(defense_round_id)
    slot = slot_or_404(defense_round, defense_slot_id)
    data = contract.body(AssignBody)
    member = db.session.scalar(
        sa.select(PanelMember).where(
            PanelMember.id == data.panel_member_id, PanelMember.defense_round_id == defense_round.id
        )
    )
    if member is None:
        raise Refusal(_("Choose a member of this round's panel."), "panel_member_id")
    refused = carry_out(lambda: assignments.assign(slot, member, actor=current_user))
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
    defense_round = round_or_404(defense_round_id)
    refused = carry_out(lambda: assignments.assign_all(defense_round, actor=current_user))
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
    defense_round = round_or_404(defense_round_id)
    refused = carry_out(lambda: round_services.close_round(defense_round, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(round_or_404(defense_round_id)), etag=True)


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/reopen", methods=["POST"])
@requires(MANAGE_DEFENSES)
@doc("Reopen scoring of a closed round", tags=TAGS, response=RoundDetail, conflict=LOCKED)
def reopen_round(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    refused = carry_out(lambda: round_services.reopen_round(defense_round, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(round_or_404(defense_round_id)), etag=True)


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
    defense_round = round_or_404(defense_round_id)
    member = member_of(defense_round, current_user)
    if member is None and not can(MANAGE_DEFENSES):
        abort(404)
    slot = slot_or_404(defense_round, defense_slot_id)
    if not (member and member.role == PanelRole.CHAIR):
        abort(403)  # the chair records the panel's decision
    data = contract.body(DecisionBody)
    refused = carry_out(lambda: results.record_decision(slot, data.outcome, data.remarks, actor=current_user))
    return refused or respond(RoundDetail, round_detail_json(round_or_404(defense_round_id)), etag=True)
