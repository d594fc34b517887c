"""JSON API: an expert's assignments and scoring; a round's results once scoring is closed."""

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from ..accounts.authz import can, login_required, requires
from ..api.openapi import API_PREFIX, doc
from ..extensions import csrf, db
from . import services
from .models import DefenseRound, DefenseSlot, PanelMember, RoundStatus
from .views import MANAGE_DEFENSES, PANEL_WORK

bp = Blueprint("defenses_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)

SCORES_SCHEMA = {
    "type": "object",
    "properties": {
        "scores": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "criterion_id": {"type": "integer"},
                    "value": {"type": ["number", "string", "null"]},
                    "comment": {"type": ["string", "null"]},
                },
                "required": ["criterion_id", "value"],
            },
        }
    },
}


def _error(message, status):
    response = jsonify(error=str(message))
    response.status_code = status
    return response


@bp.route("/tenants/<tenant>/expert/assignments")
@login_required
@doc("The current user's assignments in this center, with their own scores")
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
    return jsonify(items=items)


@bp.route("/tenants/<tenant>/expert/slots/<int:defense_slot_id>/scores", methods=["PUT"])
@requires(PANEL_WORK)
@doc("Record the current user's scores for an assigned project", request_body=SCORES_SCHEMA)
def put_scores(defense_slot_id):
    slot = db.session.scalar(sa.select(DefenseSlot).where(DefenseSlot.id == defense_slot_id))
    if slot is None:
        abort(404)
    defense_round = db.session.get(DefenseRound, slot.defense_round_id)
    member = services.member_of(defense_round, current_user)
    if member is None:
        abort(404)
    body = request.get_json(silent=True)
    scores = body.get("scores") if isinstance(body, dict) else None
    try:
        if not isinstance(scores, list) or not all(isinstance(row, dict) for row in scores):
            raise TypeError
        values = {int(row["criterion_id"]): (row.get("value"), row.get("comment")) for row in scores}
    except (KeyError, TypeError, ValueError):
        return _error("scores must be a list of {criterion_id, value, comment}", 400)
    try:
        services.score_project(slot, member, values, actor=current_user)
    except services.RoundLocked as error:
        db.session.commit()  # keep the audit entry of the refused attempt
        return _error(error, 409)
    except services.DefenseError as error:
        db.session.rollback()
        return _error(error, 422)
    db.session.commit()
    return jsonify(saved=len(values))


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/results")
@login_required
@doc("A round's ranked results, once scoring is closed (staff and the panel; conflicted projects hidden)")
def results(defense_round_id):
    defense_round = db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == defense_round_id))
    if defense_round is None:
        abort(404)
    manager = can(MANAGE_DEFENSES)
    member = services.member_of(defense_round, current_user)
    if not manager and member is None:
        abort(404)
    if defense_round.status == RoundStatus.OPEN:
        return _error("scoring is still open", 409)
    data = services.round_data(defense_round.id)
    hidden = set()
    if not manager:
        hidden = {c.defense_slot_id for c in data["conflicts"] if c.panel_member_id == member.id}
    show_names = manager or not defense_round.blind or defense_round.status == RoundStatus.SIGNED
    protocol = services.protocol_of(defense_round.id)
    return jsonify(
        round={"id": defense_round.id, "title": defense_round.title, "status": defense_round.status},
        protocol_hash=protocol.content_hash if protocol else None,
        criteria=[{"id": c.id, "code": c.code, "weight": str(c.weight)} for c in data["criteria"]],
        items=[
            {
                "code": data["slots"][r.key].code,
                "title": data["slots"][r.key].project.title_ru,
                "applicant": data["slots"][r.key].project.lead_enterprise.name if show_names else None,
                "rank": r.rank,
                "score": None if r.score is None else str(r.score),
                "min": None if r.minimum is None else str(r.minimum),
                "max": None if r.maximum is None else str(r.maximum),
                "std_dev": None if r.std_dev is None else str(r.std_dev),
                "count": r.count,
                "missing": r.missing,
                "decision": data["slots"][r.key].decision,
                "remarks": data["slots"][r.key].remarks,
            }
            for r in data["results"]
            if r.key not in hidden
        ],
    )
