"""The weekly digest of new matches, and each user's switch for it."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from ....enterprises.models import EnterpriseRepresentative, RepresentativeStatus
from ....extensions import db
from ....tenancy.models import utcnow
from ..models import CooperationOffer, DigestSetting
from .entries import live
from .suggestions import suggestions


def digest_enabled(user) -> bool:
    setting = db.session.get(DigestSetting, user.id)
    return setting is None or setting.enabled


def set_digest(user, enabled: bool) -> None:
    """Switch the user's weekly digest of new matches on or off."""
    setting = db.session.get(DigestSetting, user.id)
    if setting is None:
        setting = DigestSetting(user_id=user.id)
        db.session.add(setting)
    setting.enabled = bool(enabled)
    db.session.flush()


DIGEST_MIN_SCORE = 25
DIGEST_PER_ENTRY = 5


def send_digest(now: datetime | None = None) -> int:
    """Queue one e-mail per representative with new matches of their enterprises' live entries: partners
    published since the user's last digest (at most a week ago) that score at least DIGEST_MIN_SCORE.
    Users who switched the digest off get nothing; running it twice sends nothing new. Returns the count
    of messages queued."""
    from ....accounts.models import User
    from ....core.urls import external_url
    from ....outbox.services import enqueue_template

    now = now or utcnow()
    week_ago = now - timedelta(days=7)
    rows = db.session.execute(
        sa.select(User, CooperationOffer)
        .join(EnterpriseRepresentative, EnterpriseRepresentative.user_id == User.id)
        .join(CooperationOffer, CooperationOffer.enterprise_id == EnterpriseRepresentative.enterprise_id)
        .outerjoin(DigestSetting, DigestSetting.user_id == User.id)
        .where(
            EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
            live(now.date()),
            sa.or_(DigestSetting.enabled.is_(None), DigestSetting.enabled.is_(True)),
            User.active.is_(True),
        )
        .order_by(User.id, CooperationOffer.id)
    ).all()
    by_user: dict[int, tuple] = {}
    for user, offer in rows:
        by_user.setdefault(user.id, (user, []))[1].append(offer)
    sent = 0
    for user, offers in by_user.values():
        setting = db.session.get(DigestSetting, user.id)
        since = max(week_ago, setting.last_sent_at) if setting and setting.last_sent_at else week_ago
        sections = []
        for offer in offers:
            new = [
                s
                for s in suggestions(offer, limit=50)
                if s.offer.published_at and s.offer.published_at > since and s.match.score >= DIGEST_MIN_SCORE
            ][:DIGEST_PER_ENTRY]
            if new:
                sections.append(
                    (offer, [(s, external_url("cooperation.offer", offer_id=s.offer.id)) for s in new])
                )
        if not sections:
            continue
        enqueue_template(
            user.email,
            "cooperation_digest",
            getattr(user, "locale", None),
            user=user,
            sections=sections,
            page_url=external_url("cooperation.mine"),
        )
        if setting is None:
            setting = DigestSetting(user_id=user.id, enabled=True)
            db.session.add(setting)
        setting.last_sent_at = now
        sent += 1
    db.session.flush()
    return sent
