"""Selection rounds (federal, global) and joint cluster projects (tenant-owned dossiers): the rounds and
their criteria (``selection_rounds``), the dossier with its estimate, plan and indicators (``dossier``),
the participating enterprises and their products (``participants``), the status workflow
(``workflow``) and the uploaded files (``documents``). Every model is imported here, so
``from clusterhub.projects.models import JointProject`` works and SQLAlchemy knows all of them when the
mappers are configured."""

from .documents import DocumentKind, ProjectDocument
from .dossier import (
    CostCategory,
    CostItem,
    IndicatorKind,
    IndicatorValue,
    JointProject,
    PlanStage,
    TargetIndicator,
)
from .participants import ROLE_LABELS, ParticipantRole, ProjectParticipant, ProjectProduct
from .selection_rounds import SelectionCriterion, SelectionRound
from .workflow import OUTCOME_LABELS, STATUS_LABELS, DefenseOutcome, ProjectStatus, ProjectStatusChange

__all__ = [
    "OUTCOME_LABELS",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "CostCategory",
    "CostItem",
    "DefenseOutcome",
    "DocumentKind",
    "IndicatorKind",
    "IndicatorValue",
    "JointProject",
    "ParticipantRole",
    "PlanStage",
    "ProjectDocument",
    "ProjectParticipant",
    "ProjectProduct",
    "ProjectStatus",
    "ProjectStatusChange",
    "SelectionCriterion",
    "SelectionRound",
    "TargetIndicator",
]
