"""Selection rounds of the federal competitive selection and their criteria: data, not code (a new round
needs no release). Shared by every center."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ..models import SelectionCriterion, SelectionRound

# Criteria the panels apply (after the Rules of Decree 41: import substitution, cooperation, economics,
# fit with the cluster's functional map and programme). Weights sum to 1; scores 0–10.
DEFAULT_CRITERIA = [
    ("import_substitution", "Уровень импортозамещения продукции", "Import substitution level", "0.25"),
    (
        "cooperation",
        "Глубина кооперации участников кластера",
        "Depth of cooperation between participants",
        "0.20",
    ),
    ("economics", "Экономическая эффективность и окупаемость", "Economic efficiency and payback", "0.20"),
    (
        "cluster_fit",
        "Соответствие карте и программе развития кластера",
        "Fit with the cluster's map and programme",
        "0.15",
    ),
    ("jobs", "Создание высокопроизводительных рабочих мест", "High-productivity jobs created", "0.10"),
    ("readiness", "Готовность проекта и команды", "Readiness of the project and the team", "0.10"),
]


# From DOMAIN.md: 2021 round — up to 50 % of costs, 300 mln RUB over 3 years; from 2023 — up to 50 % of
# the cost of starter batches, at most 150 mln RUB per applicant. The minimum of two participants (a
# maker and a buyer) follows from the joint-project definition and is data, like everything here.
DEFAULT_ROUNDS = [
    {
        "code": "pp41-2021",
        "year": 2021,
        "legal_edition": "ПП РФ № 41 от 28.01.2016 в ред. 2021",
        "applicant_cap": 300_000_000_00,
        "max_subsidy_share": Decimal("0.5"),
        "min_participants": 2,
        "deadline": date(2021, 8, 31),
    },
    {
        "code": "pp41-2023",
        "year": 2023,
        "legal_edition": "ПП РФ № 41 от 28.01.2016 в ред. 2023",
        "applicant_cap": 150_000_000_00,
        "max_subsidy_share": Decimal("0.5"),
        "min_participants": 2,
        "deadline": None,
    },
]


def seed_selection_rounds() -> list[SelectionRound]:
    """Create the default rounds and their criteria if missing (idempotent; existing rounds are kept)."""
    rounds = []
    for values in DEFAULT_ROUNDS:
        existing = db.session.scalar(sa.select(SelectionRound).where(SelectionRound.code == values["code"]))
        if existing is None:
            existing = create_selection_round(values, criteria=DEFAULT_CRITERIA)
        rounds.append(existing)
    return rounds


def create_selection_round(values: dict, criteria, actor=None) -> SelectionRound:
    """A new round with its criteria ``(code, name_ru, name_en, weight[, min, max])``."""
    if not 0 < Decimal(values["max_subsidy_share"]) <= 1:
        raise Refusal(_("The subsidy share must be above 0 and at most 1 (a hundred per cent)."))
    selection_round = SelectionRound(**values)
    for position, row in enumerate(criteria):
        code, name_ru, name_en, weight, *score_range = row
        low, high = score_range or (0, 10)
        if high <= low or Decimal(weight) <= 0:
            raise Refusal(_("Each criterion needs a positive weight and a score range."))
        selection_round.criteria.append(
            SelectionCriterion(
                code=code,
                name_ru=name_ru,
                name_en=name_en,
                weight=Decimal(weight),
                min_score=low,
                max_score=high,
                position=position,
            )
        )
    db.session.add(selection_round)
    db.session.flush()
    record("selection_round.created", selection_round, actor=actor, after={"code": selection_round.code})
    return selection_round


def selection_rounds() -> list[SelectionRound]:
    return list(db.session.scalars(sa.select(SelectionRound).order_by(SelectionRound.year.desc())))
