"""A round's ranked results, once scoring is closed."""

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ...api.openapi import Payload, doc, respond
from ...core.access import can, login_required
from ..models import RoundStatus
from ..services.panel import member_of
from ..services.protocol import protocol_of
from ..services.results import round_data
from ..views import MANAGE_DEFENSES
from . import TAGS, RoundRef, bp, round_or_404


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


@bp.route("/tenants/<tenant>/defenses/<int:defense_round_id>/results")
@login_required
@doc(
    "A round's ranked results, once scoring is closed (staff and the panel; conflicted projects hidden)",
    tags=TAGS,
    response=Results,
)
def results(defense_round_id):
    defense_round = round_or_404(defense_round_id)
    manager = can(MANAGE_DEFENSES)
    member = member_of(defense_round, current_user)
    if not manager and member is None:
        abort(404)
    if defense_round.status == RoundStatus.OPEN:
        return jsonify(error={"code": 409, "message": _("Scoring is still open."), "field": None}), 409
    data = round_data(defense_round.id)
    hidden = set()
    if not manager:
        hidden = {c.defense_slot_id for c in data["conflicts"] if c.panel_member_id == member.id}
    show_names = manager or not defense_round.blind or defense_round.status == RoundStatus.SIGNED
    protocol = protocol_of(defense_round.id)

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
