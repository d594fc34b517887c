"""Benchmark scenario of the cooperation exchange: 20,000 enterprises with 10,000 offers and requests (the
country-wide dataset's, or the same sizes built here when that dataset is absent); the suggestions of a
request whose industry has many counterparts, and the search."""

import random

import sqlalchemy as sa

from clusterhub.cooperation.offers.models import CooperationOffer, CooperationOfferCode
from clusterhub.extensions import db

ENTERPRISES = 20_000
OFFERS = 10_000


def build(seed: int = 2026) -> None:
    """The dataset, unless 10,000 entries are already there (``flask demo scale`` makes them)."""
    from clusterhub.enterprises.models import Enterprise

    from ..demo import scale
    from ..demo.cooperation_offers_scale import make_offers

    have = db.session.scalar(sa.select(sa.func.count()).select_from(CooperationOffer))
    if have >= OFFERS:
        return
    rng = random.Random(seed)
    enterprise_ids = list(db.session.scalars(sa.select(Enterprise.id)))
    if len(enterprise_ids) < ENTERPRISES:
        tenants = scale.ensure_tenants(85, rng)
        db.session.commit()
        enterprise_ids += [
            e for e, _r in scale.make_enterprises(ENTERPRISES - len(enterprise_ids), tenants, rng)
        ]
        db.session.commit()
    make_offers(OFFERS - have, enterprise_ids, rng)
    db.session.commit()


def busiest_request() -> int:
    """A live request in the industry with the most live counterparts: the slowest suggestions page."""
    from clusterhub.cooperation.offers.services import entries

    class_counts = (
        sa.select(CooperationOfferCode.class_code, sa.func.count().label("n"))
        .join(CooperationOffer, CooperationOffer.id == CooperationOfferCode.offer_id)
        .where(
            entries.live(), CooperationOffer.kind_of_entry == "offer", CooperationOfferCode.system == "okpd2"
        )
        .group_by(CooperationOfferCode.class_code)
        .order_by(sa.desc("n"))
        .limit(1)
    ).subquery()
    return db.session.scalar(
        sa.select(CooperationOffer.id)
        .join(CooperationOfferCode, CooperationOfferCode.offer_id == CooperationOffer.id)
        .join(class_counts, class_counts.c.class_code == CooperationOfferCode.class_code)
        .where(entries.live(), CooperationOffer.kind_of_entry == "request")
        .order_by(CooperationOffer.id)
        .limit(1)
    )
