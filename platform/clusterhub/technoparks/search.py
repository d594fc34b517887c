"""The platform-wide catalogue search: every center's published services and bookable equipment.

Public and read-only: the statements run inside ``federal_read_scope`` with ``cross_tenant=True``
because the listing spans every tenant by design; they select published services (and bookable
equipment) of active centers only, and never write. A page costs two queries (count and page) whatever
the number of tenants: names of the technopark, region and center come from joins, not per-row loads.

On PostgreSQL the text filter is full-text search (``to_tsvector('russian', search_text)``, matching the
partial GIN indexes of the migration) ranked by ``ts_rank``; on SQLite every word must occur in the text.
"""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..core.pagination import Page
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus
from ..tenancy.scoping import federal_read_scope
from .models import Equipment, OfferStatus, ServiceOffer, Technopark

RUSSIAN = sa.literal_column("'russian'::regconfig")
SORTS = ("relevance", "price_asc", "price_desc")
PER_PAGE = 20


@dataclass
class SearchFilters:
    q: str = ""
    category: str = ""
    region_id: int | None = None
    district: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = "relevance"


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _text_filter(statement, column, q: str):
    """Add the text condition; returns (statement, rank expression or None)."""
    words = q.lower().split()[:10]
    if not words:
        return statement, None
    if _is_postgresql():
        document = sa.func.to_tsvector(RUSSIAN, column)
        query = sa.func.plainto_tsquery(RUSSIAN, " ".join(words))
        return statement.where(document.op("@@")(query)), sa.func.ts_rank(document, query)
    for word in words:
        statement = statement.where(column.contains(word, autoescape=True))
    return statement, None


def _place_filters(statement, filters: SearchFilters):
    if filters.region_id:
        statement = statement.where(Technopark.region_id == filters.region_id)
    if filters.district:
        statement = statement.where(Region.federal_district == filters.district)
    return statement


def service_statement(filters: SearchFilters):
    statement = (
        sa.select(
            ServiceOffer.id,
            ServiceOffer.name_ru,
            ServiceOffer.name_en,
            ServiceOffer.category,
            ServiceOffer.unit,
            ServiceOffer.price,
            ServiceOffer.gross_price,
            ServiceOffer.price_on_request,
            ServiceOffer.vat,
            ServiceOffer.lead_time_days,
            ServiceOffer.audience,
            Technopark.id.label("technopark_id"),
            Technopark.name_ru.label("technopark_name_ru"),
            Technopark.name_en.label("technopark_name_en"),
            Region.name_ru.label("region_name_ru"),
            Region.name_en.label("region_name_en"),
            Region.federal_district,
            Tenant.slug.label("tenant_slug"),
        )
        .join(
            Technopark,
            sa.and_(
                Technopark.id == ServiceOffer.technopark_id, Technopark.tenant_id == ServiceOffer.tenant_id
            ),
        )
        .join(Region, Region.id == Technopark.region_id)
        .join(Tenant, Tenant.id == ServiceOffer.tenant_id)
        .where(ServiceOffer.status == OfferStatus.PUBLISHED, Tenant.status == TenantStatus.ACTIVE)
    )
    if filters.category:
        statement = statement.where(ServiceOffer.category == filters.category)
    statement = _place_filters(statement, filters)
    if filters.price_min is not None:
        statement = statement.where(ServiceOffer.gross_price >= filters.price_min)
    if filters.price_max is not None:
        statement = statement.where(ServiceOffer.gross_price <= filters.price_max)
    statement, rank = _text_filter(statement, ServiceOffer.search_text, filters.q)
    if filters.sort == "price_asc":
        order = [ServiceOffer.gross_price.asc().nulls_last()]
    elif filters.sort == "price_desc":
        order = [ServiceOffer.gross_price.desc().nulls_last()]
    elif rank is not None:
        order = [rank.desc()]
    else:
        order = [ServiceOffer.name_ru]
    return statement.order_by(*order, ServiceOffer.id).execution_options(cross_tenant=True)


def equipment_statement(filters: SearchFilters):
    statement = (
        sa.select(
            Equipment.id,
            Equipment.name_ru,
            Equipment.name_en,
            Equipment.category,
            Equipment.manufacturer,
            Equipment.model,
            Equipment.quantity,
            Technopark.id.label("technopark_id"),
            Technopark.name_ru.label("technopark_name_ru"),
            Technopark.name_en.label("technopark_name_en"),
            Region.name_ru.label("region_name_ru"),
            Region.name_en.label("region_name_en"),
            Region.federal_district,
            Tenant.slug.label("tenant_slug"),
        )
        .join(
            Technopark,
            sa.and_(Technopark.id == Equipment.technopark_id, Technopark.tenant_id == Equipment.tenant_id),
        )
        .join(Region, Region.id == Technopark.region_id)
        .join(Tenant, Tenant.id == Equipment.tenant_id)
        .where(Equipment.bookable.is_(True), Tenant.status == TenantStatus.ACTIVE)
    )
    if filters.category:
        statement = statement.where(Equipment.category == filters.category)
    statement = _place_filters(statement, filters)
    statement, rank = _text_filter(statement, Equipment.search_text, filters.q)
    order = [rank.desc()] if rank is not None else [Equipment.name_ru]
    return statement.order_by(*order, Equipment.id).execution_options(cross_tenant=True)


def _page(statement, page: int, per_page: int) -> Page:
    # core.pagination.paginate would build its COUNT without the cross_tenant option: count here.
    page = max(1, page or 1)
    count = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    with federal_read_scope(db.session):
        total = db.session.scalar(count.execution_options(cross_tenant=True)) or 0
        rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=rows, page=page, per_page=per_page, total=total)


def search_services(filters: SearchFilters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of published services of every active center (two queries)."""
    return _page(service_statement(filters), page, per_page)


def search_equipment(filters: SearchFilters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of bookable equipment of every active center (two queries)."""
    return _page(equipment_statement(filters), page, per_page)
