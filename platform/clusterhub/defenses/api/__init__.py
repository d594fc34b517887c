"""JSON API of defenses: the staff run rounds (panel, programme, assignments, closing) and the chair
records decisions, through the same services as the round pages (``rounds``); an expert reads their
assignments and scores (``expert``); a round's results once scoring is closed (``results``). The
blueprint and what the three share live here."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from ...api.openapi import API_PREFIX, Payload
from ...extensions import csrf, db
from ..models import DefenseRound, DefenseSlot
from ..services.locks import RoundLocked

bp = Blueprint("defenses_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)

TAGS = ["defenses"]
LOCKED = "The protocol is signed: nothing in the round can change (the attempt is in the audit log)"


class RoundRef(Payload):
    id: int
    title: str
    status: str


def round_or_404(defense_round_id) -> DefenseRound:
    return db.first_or_404(sa.select(DefenseRound).where(DefenseRound.id == defense_round_id))


def slot_or_404(defense_round: DefenseRound, defense_slot_id) -> DefenseSlot:
    return db.first_or_404(
        sa.select(DefenseSlot).where(
            DefenseSlot.id == defense_slot_id, DefenseSlot.defense_round_id == defense_round.id
        )
    )


def _locked(error):
    """A refused change after signing: keep its audit entry (as the round pages do), answer 409."""
    db.session.commit()
    return jsonify(error={"code": 409, "message": str(error), "field": None}), 409


def carry_out(action):
    try:
        action()
    except RoundLocked as error:
        return _locked(error)
    return None


# The operations register their routes on ``bp``; imported last, as they use what is defined above.
from . import expert, results, rounds  # noqa: E402, F401
