"""Preliminary defense rounds: the round and its programme (``rounds``), the panel with its assignments
and conflicts of interest (``panel``), the experts' scores (``scores``) and the signed protocol
(``protocols``). Every model is imported here, so ``from clusterhub.defenses.models import DefenseRound``
works and SQLAlchemy knows all of them when the mappers are configured."""

from .panel import PANEL_ROLE_LABELS, Assignment, Conflict, ConflictSource, PanelMember, PanelRole
from .protocols import Protocol
from .rounds import DefenseCriterion, DefenseRound, DefenseSlot, RoundStatus
from .scores import Score

__all__ = [
    "PANEL_ROLE_LABELS",
    "Assignment",
    "Conflict",
    "ConflictSource",
    "DefenseCriterion",
    "DefenseRound",
    "DefenseSlot",
    "PanelMember",
    "PanelRole",
    "Protocol",
    "RoundStatus",
    "Score",
]
