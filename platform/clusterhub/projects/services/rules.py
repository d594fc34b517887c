"""Checks of a project against its selection round's rules. Pure functions: the round holds the numbers."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

# ОКПД2: class NN, subclass NN.N, group NN.NN, subgroup NN.NN.N, type NN.NN.NN, category NN.NN.NN.NNN
OKPD2_PATTERN = re.compile(r"^\d{2}(\.\d|\.\d{2}(\.\d|\.\d{2}(\.\d{3})?)?)?$")


@dataclass(frozen=True)
class RuleCheck:
    code: str
    label: str
    rule: str  # where the rule comes from: the round's legal edition and the round's parameter
    passed: bool
    detail: str


def _rub(kopecks: int) -> str:
    return f"{Decimal(kopecks) / 100:,.2f}".replace(",", " ")


def check_project(project, selection_round, *, today: date | None = None) -> list[RuleCheck]:
    """Every rule of ``selection_round`` applied to ``project``, passed or not, with the rule's source."""
    edition = selection_round.legal_edition
    eligible = project.eligible_cost
    total = project.total_cost
    requested = project.requested_subsidy or 0
    share_limit = int(
        (Decimal(eligible) * selection_round.max_subsidy_share).to_integral_value(rounding="ROUND_FLOOR")
    )
    share_pct = (selection_round.max_subsidy_share * 100).normalize()
    participants = len(project.participants)
    cooperative = [
        p
        for p in project.products
        if p.import_substitution
        and p.maker_id is not None
        and p.buyer_id is not None
        and p.maker_id != p.buyer_id
    ]
    checks = [
        RuleCheck(
            "subsidy_share",
            str(_l("Subsidy share of eligible costs")),
            f"{edition}: ≤ {share_pct:f} %",
            requested <= share_limit,
            str(
                _l(
                    "Requested %(requested)s ₽, limit %(limit)s ₽",
                    requested=_rub(requested),
                    limit=_rub(share_limit),
                )
            ),
        ),
        RuleCheck(
            "applicant_cap",
            str(_l("Cap per applicant")),
            f"{edition}: ≤ {_rub(selection_round.applicant_cap)} ₽",
            requested <= selection_round.applicant_cap,
            str(_l("Requested %(requested)s ₽", requested=_rub(requested))),
        ),
        RuleCheck(
            "min_participants",
            str(_l("Minimum number of participants")),
            f"{edition}: ≥ {selection_round.min_participants}",
            participants >= selection_round.min_participants,
            str(_l("%(count)s participants", count=participants)),
        ),
        RuleCheck(
            "cooperation_product",
            str(_l("An import-substituting product made by one participant for another")),
            edition,
            bool(cooperative),
            str(_l("%(count)s such products", count=len(cooperative))),
        ),
        RuleCheck(
            "financing_covers_costs",
            str(_l("Subsidy and co-financing cover the estimate")),
            edition,
            total > 0 and requested + (project.co_financing or 0) >= total,
            str(
                _l(
                    "Estimate %(total)s ₽, subsidy and co-financing %(sum)s ₽",
                    total=_rub(total),
                    sum=_rub(requested + (project.co_financing or 0)),
                )
            ),
        ),
    ]
    if selection_round.deadline is not None:
        when = (project.submitted_at.date() if project.submitted_at else None) or today or date.today()
        checks.append(
            RuleCheck(
                "deadline",
                str(_l("Submitted by the deadline")),
                f"{edition}: {selection_round.deadline:%d.%m.%Y}",
                when <= selection_round.deadline,
                str(_l("Date: %(date)s", date=f"{when:%d.%m.%Y}")),
            )
        )
    return checks
