"""A center's featured entries, shown on its home page."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ....core.refusal import Refusal
from ....enterprises.models import Enterprise
from ....extensions import db
from ..models import CooperationOffer, FeaturedOffer, OfferStatus
from .entries import live


def feature(offer: CooperationOffer, actor) -> FeaturedOffer:
    """Show a published entry on the current center's home page (idempotent)."""
    if offer.status != OfferStatus.PUBLISHED:
        raise Refusal(_("Only published offers and requests can be featured."))
    existing = db.session.scalar(sa.select(FeaturedOffer).where(FeaturedOffer.offer_id == offer.id))
    if existing:
        return existing
    featured = FeaturedOffer(offer_id=offer.id, created_by_id=getattr(actor, "id", None))
    db.session.add(featured)
    db.session.flush()
    return featured


def featured_rows() -> list[FeaturedOffer]:
    """Every entry the current center features (live or not), for its staff page."""
    return list(
        db.session.scalars(
            sa.select(FeaturedOffer)
            .options(joinedload(FeaturedOffer.offer).joinedload(CooperationOffer.enterprise))
            .order_by(FeaturedOffer.created_at.desc())
        )
    )


def featured_offers(limit: int = 6) -> list[CooperationOffer]:
    """The current center's featured entries that are still live, newest featured first."""
    return list(
        db.session.scalars(
            sa.select(CooperationOffer)
            .join(FeaturedOffer, FeaturedOffer.offer_id == CooperationOffer.id)
            .options(joinedload(CooperationOffer.enterprise).joinedload(Enterprise.region))
            .where(live())
            .order_by(FeaturedOffer.created_at.desc())
            .limit(limit)
        )
    )


def featured_ids() -> set[int]:
    return set(db.session.scalars(sa.select(FeaturedOffer.offer_id)))
