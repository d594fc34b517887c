"""Selection rounds of Минпромторг's competitive selection (federal, shared by every center) and their
criteria."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...tenancy.models import utcnow


class SelectionRound(db.Model):
    """One round of Минпромторг's competitive selection under Decree 41, with the rules it applies.

    Caps, shares and criteria change from round to round, so they are data here: a new round needs no code.
    """

    __tablename__ = "selection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    year: Mapped[int] = mapped_column()
    legal_edition: Mapped[str] = mapped_column(sa.String(200))
    applicant_cap: Mapped[int] = mapped_column(sa.BigInteger)  # kopecks
    max_subsidy_share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))  # 0.5000 = 50 % of eligible costs
    min_participants: Mapped[int] = mapped_column(default=2)
    deadline: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    criteria: Mapped[list["SelectionCriterion"]] = relationship(
        back_populates="selection_round", order_by="SelectionCriterion.position", cascade="all, delete-orphan"
    )


class SelectionCriterion(db.Model):
    """A scoring criterion of a selection round: the template a defense round copies."""

    __tablename__ = "selection_criteria"
    __table_args__ = (
        sa.UniqueConstraint("selection_round_id", "code"),
        sa.CheckConstraint("max_score > min_score", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection_rounds.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(40))
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300))
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 3))
    min_score: Mapped[int] = mapped_column(default=0)
    max_score: Mapped[int] = mapped_column(default=10)
    position: Mapped[int] = mapped_column(default=0)

    selection_round: Mapped[SelectionRound] = relationship(back_populates="criteria")
