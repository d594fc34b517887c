"""The lock of a signed round. After the protocol is signed every change is refused with
:class:`RoundLocked` and the attempt is written to the audit log; that entry is stored though the change is
not (a ``RoundLocked`` does not roll the request back). Every operation that changes a round goes through
:func:`refuse_if_signed`, under :func:`lock_round` where it races with closing and signing."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ..models import DefenseRound, RoundStatus


class RoundLocked(Refusal):
    """The protocol is signed: the attempt was refused and written to the audit log, and that entry is
    stored even though the change is not (a 409: the round's state, not the input, is in the way)."""

    status = 409
    rolls_back = False


def lock_round(defense_round: DefenseRound, *, exclusive: bool) -> DefenseRound:
    """Re-read the round's status under a row lock (PostgreSQL; SQLite serialises writers anyway).

    Scoring, declining and decisions take a shared lock; closing, reopening and signing an exclusive one,
    so a score can never land after the scoring was closed or a decision after the protocol was signed.
    """
    return db.session.scalar(
        sa.select(DefenseRound)
        .where(DefenseRound.id == defense_round.id)
        .with_for_update(read=not exclusive)
        .execution_options(populate_existing=True)
    )


def refuse_if_signed(defense_round: DefenseRound, actor, action: str) -> None:
    if defense_round.status == RoundStatus.SIGNED:
        record("defense.change_refused", defense_round, actor=actor, after={"attempted": action})
        db.session.flush()
        raise RoundLocked(_("The protocol is signed: scores and decisions can no longer change."))
