"""Scoring arithmetic: pure functions over plain numbers, so the rules are easy to test and to explain.

An expert's total for a project is the weighted mean of their criterion scores, each first normalised to
0–100 % of its range: ``Σ wᵢ·(vᵢ−minᵢ)/(maxᵢ−minᵢ) / Σ wᵢ × 100``. A criterion an expert left unscored is
left out of both sums (the total is over what they did score) and counted as missing. The project's score
is the mean of its experts' totals, with min, max, population standard deviation and the count.
"""

import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Q = Decimal("0.01")


@dataclass(frozen=True)
class CriterionSpec:
    id: object
    weight: Decimal
    min_score: Decimal
    max_score: Decimal


@dataclass(frozen=True)
class ProjectResult:
    key: object
    score: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    std_dev: Decimal | None
    count: int  # experts with a total
    missing: int  # criterion scores missing from those experts' sheets
    rank: int | None = None


def expert_total(values: dict, criteria: list[CriterionSpec]) -> tuple[Decimal | None, int]:
    """``values``: criterion id -> score. Returns (total in %, number of criteria left unscored)."""
    numerator = denominator = Decimal(0)
    missing = 0
    for c in criteria:
        value = values.get(c.id)
        if value is None:
            missing += 1
            continue
        value = Decimal(value)
        if not c.min_score <= value <= c.max_score:
            raise ValueError(f"score {value} outside {c.min_score}..{c.max_score}")
        numerator += Decimal(c.weight) * (value - c.min_score) / (c.max_score - c.min_score)
        denominator += Decimal(c.weight)
    if denominator == 0:
        return None, missing
    return (numerator / denominator * 100).quantize(Q, ROUND_HALF_UP), missing


def project_result(key, sheets: list[dict], criteria: list[CriterionSpec]) -> ProjectResult:
    """``sheets``: one ``{criterion id: score}`` per expert (conflicted experts must be left out)."""
    totals, missing = [], 0
    for sheet in sheets:
        total, lacking = expert_total(sheet, criteria)
        if total is not None:
            totals.append(total)
            missing += lacking
    if not totals:
        return ProjectResult(key, None, None, None, None, 0, missing)
    mean = (sum(totals) / len(totals)).quantize(Q, ROUND_HALF_UP)
    std = statistics.pstdev(totals).quantize(Q, ROUND_HALF_UP)  # Decimal in, Decimal out: no float
    return ProjectResult(key, mean, min(totals), max(totals), std, len(totals), missing)


def rank(results: list[ProjectResult]) -> list[ProjectResult]:
    """Best first; equal scores share a rank (1, 1, 3); projects without a score come last, unranked."""
    scored = sorted((r for r in results if r.score is not None), key=lambda r: -r.score)
    ranked, previous, position = [], None, 0
    for i, r in enumerate(scored, start=1):
        if r.score != previous:
            position, previous = i, r.score
        ranked.append(ProjectResult(**{**r.__dict__, "rank": position}))
    return ranked + [r for r in results if r.score is None]
