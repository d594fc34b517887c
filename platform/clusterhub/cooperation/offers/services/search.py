"""The search of live entries.

Text relevance: on PostgreSQL the stored ``search_vector`` (``to_tsvector('russian', search_text)``,
migration 0027) with its GIN index; the table has no row-level security (the rows are global and public
once published), so the index serves the match. On SQLite, words of four letters or more are cut to five
letters and compared (see ``matching.stems`` and docs/cooperation.md).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ....enterprises.models import Enterprise
from ....extensions import db
from ....regions.models import FEDERAL_DISTRICTS, Region
from .. import matching
from ..models import (
    CooperationKind,
    CooperationOffer,
    CooperationOfferCode,
    EntryKind,
)
from .entries import live

RUSSIAN = sa.literal_column("'russian'::regconfig")
SEARCH_VECTOR = sa.literal_column("cooperation_offers.search_vector")


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@dataclass
class SearchFilters:
    kind_of_entry: str = ""
    kind: str = ""
    code: str = ""
    district: str = ""
    region_id: int | None = None
    enterprise_id: int | None = None
    q: str = ""

    @property
    def any(self) -> bool:
        return any((self.kind_of_entry, self.kind, self.code, self.district, self.region_id, self.q))


def search_statement(filters: SearchFilters) -> sa.Select:
    """Live entries of every region matching the filters; newest first, or by relevance with words.

    A code filter matches the code and everything under it (``22.2`` finds ``22.29.21``) in either
    classifier; a district or region filter matches the enterprise's place or the area it serves."""
    statement = (
        sa.select(CooperationOffer)
        .join(Enterprise, Enterprise.id == CooperationOffer.enterprise_id)
        .outerjoin(Region, Region.id == Enterprise.region_id)
        # the page's 20 enterprises by primary key afterwards: joined, every match's whole enterprise row
        # would be read before the sort keeps 20
        .options(selectinload(CooperationOffer.enterprise).joinedload(Enterprise.region))
        .where(live())
    )
    if filters.kind_of_entry in set(EntryKind):
        statement = statement.where(CooperationOffer.kind_of_entry == filters.kind_of_entry)
    if filters.kind in set(CooperationKind):
        statement = statement.where(CooperationOffer.kind == filters.kind)
    if filters.enterprise_id:
        statement = statement.where(CooperationOffer.enterprise_id == filters.enterprise_id)
    code = filters.code.strip()
    if code:
        # through the codes' class index: the class narrows, the prefix decides ("22.2" finds "22.29.21")
        digits = matching.digits(code)
        statement = statement.where(
            CooperationOffer.id.in_(
                sa.select(CooperationOfferCode.offer_id).where(
                    CooperationOfferCode.system.in_(("okpd2", "okved")),
                    CooperationOfferCode.class_code == digits[:2],
                    CooperationOfferCode.code.startswith(code, autoescape=True),
                )
            )
        )
    if filters.region_id:
        statement = statement.where(
            sa.or_(
                Enterprise.region_id == filters.region_id,
                CooperationOffer.served_region_ids.contains(f" {filters.region_id} "),
            )
        )
    if filters.district in FEDERAL_DISTRICTS:
        statement = statement.where(
            sa.or_(
                Region.federal_district == filters.district,
                CooperationOffer.served_districts.contains(f" {filters.district} "),
            )
        )
    words = filters.q.casefold().split()[:10]
    if words and _is_postgresql():
        query = sa.func.plainto_tsquery(RUSSIAN, " ".join(words))
        statement = statement.where(SEARCH_VECTOR.op("@@")(query)).order_by(
            sa.func.ts_rank(SEARCH_VECTOR, query).desc()
        )
    else:
        for word in words:
            statement = statement.where(CooperationOffer.search_text.contains(word, autoescape=True))
    return statement.order_by(CooperationOffer.published_at.desc(), CooperationOffer.id.desc())
