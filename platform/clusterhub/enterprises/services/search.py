"""The directory's search over enterprise profiles."""

import sqlalchemy as sa

from ..models import Enterprise
from .identifiers import _compact


def search_statement(q: str = "", region_id: int | None = None, okved: str = "") -> sa.Select:
    """Enterprises matching a free text (name, ИНН, ОГРН), a region and an ОКВЭД code prefix, by name.

    Digits search ИНН and ОГРН by prefix (index-friendly); words search the folded name column, which a
    trigram GIN index serves on PostgreSQL. One statement: the directory costs one COUNT and one page.
    """
    statement = sa.select(Enterprise).options(sa.orm.joinedload(Enterprise.region))
    q = (q or "").strip()
    if q:
        compact = _compact(q)
        if compact.isdigit() and len(compact) >= 4:
            statement = statement.where(
                sa.or_(Enterprise.inn.startswith(compact), Enterprise.ogrn.startswith(compact))
            )
        else:
            for word in q.casefold().split()[:5]:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                statement = statement.where(Enterprise.search_text.like(f"%{escaped}%", escape="\\"))
    if region_id:
        statement = statement.where(Enterprise.region_id == region_id)
    okved = (okved or "").strip()
    if okved:
        statement = statement.where(
            sa.or_(Enterprise.okved_main.startswith(okved), Enterprise.okved_additional.contains(f" {okved}"))
        )
    return statement.order_by(Enterprise.full_name, Enterprise.id)
