"""An expert's assignments in a center, with their own scores, and recording their scores."""

from typing import Annotated, Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from pydantic import Field, WithJsonSchema

from ...api import openapi as contract
from ...api.openapi import Body, Payload, doc, items_of, respond
from ...core.access import login_required, requires
from ...extensions import db
from ..models import DefenseRound, DefenseSlot, PanelMember
from ..services.assignments import assignments_of
from ..services.panel import member_of
from ..services.scoring import own_scores, score_project
from ..views import PANEL_WORK
from . import LOCKED, TAGS, RoundRef, bp, carry_out


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


AssignmentList = items_of(AssignmentOut, "ExpertAssignmentList")


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
        for a in assignments_of(member):
            if a.declined_at:
                continue
            project = a.slot.project
            own = own_scores(a.slot.id, member.id)
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
    member = member_of(defense_round, current_user)
    if member is None:
        abort(404)
    rows = contract.body(ScoresBody).scores
    values = {row.criterion_id: (row.value, row.comment) for row in rows}
    refused = carry_out(lambda: score_project(slot, member, values, actor=current_user))
    return refused or respond(Saved, {"saved": len(values)})
