"""Retention (152-ФЗ art. 5 part 7) and reminders: registrations of sessions that ended more than
``PRIVACY_RETENTION_DAYS`` ago are anonymised by ``flask privacy retention``; center admins are mailed
about erasures falling due.

Services add and flush; the CLI command commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ...accounts.models import Membership, TenantRole, User
from ...audit.services import record
from ...events.models import Event, Registration
from ...extensions import db
from ...tenancy.models import Tenant, utcnow
from ...tenancy.scoping import tenant_scope
from ..models import CenterErasure
from .pseudonyms import ANONYMOUS_DOMAIN, anonymise_registration, pseudonym_for


def remind_due_erasures(now: datetime | None = None) -> int:
    """Mail every center admin once about each pending erasure due within ``PRIVACY_REMINDER_DAYS``."""
    from ...events.services.links import absolute_url
    from ...outbox.services import enqueue_template

    now = now or utcnow()
    horizon = now + timedelta(days=current_app.config["PRIVACY_REMINDER_DAYS"])
    queued = 0
    for tenant in db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all():
        with tenant_scope(db.session, tenant.id):
            parts = db.session.scalars(
                sa.select(CenterErasure).where(
                    CenterErasure.completed_at.is_(None),
                    CenterErasure.reminded_at.is_(None),
                    CenterErasure.due_at <= horizon,
                )
            ).all()
            if not parts:
                continue
            admins = db.session.scalars(
                sa.select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.role == TenantRole.CENTER_ADMIN, User.active.is_(True))
            ).all()
            link = absolute_url("privacy.center_requests", tenant=tenant.slug)
            for part in parts:
                for admin in admins:
                    enqueue_template(
                        admin.email,
                        "privacy_erasure_reminder",
                        admin.locale or tenant.default_locale,
                        tenant_slug=tenant.slug,
                        tenant=tenant,
                        part=part,
                        link=link,
                    )
                    queued += 1
                part.reminded_at = now
            db.session.flush()
    return queued


@dataclass
class RetentionBatch:
    tenant: Tenant
    registration_ids: list[int]


def retention_due(now: datetime | None = None) -> list[RetentionBatch]:
    """Per center, the registrations of sessions that ended more than ``PRIVACY_RETENTION_DAYS`` ago and
    still carry a name."""
    now = now or utcnow()
    cutoff = (now - timedelta(days=current_app.config["PRIVACY_RETENTION_DAYS"])).date()
    batches = []
    for tenant in db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all():
        with tenant_scope(db.session, tenant.id):
            ids = db.session.scalars(
                sa.select(Registration.id)
                .join(Event, Event.id == Registration.event_id)
                .where(Event.end_date < cutoff, ~Registration.email.endswith("@" + ANONYMOUS_DOMAIN))
                .order_by(Registration.id)
            ).all()
        if ids:
            batches.append(RetentionBatch(tenant, list(ids)))
    return batches


def anonymise_expired(batch: RetentionBatch, ids: list[int]) -> int:
    """Anonymise these registrations of one center (ids from :func:`retention_due`)."""
    with tenant_scope(db.session, batch.tenant.id):
        rows = db.session.scalars(sa.select(Registration).where(Registration.id.in_(ids))).all()
        for registration in rows:
            anonymise_registration(
                registration, pseudonym_for(f"registration:{batch.tenant.id}", registration.id)
            )
        db.session.flush()
        record(
            "privacy.retention_anonymised",
            ("Tenant", batch.tenant.id),
            tenant_id=batch.tenant.id,
            after={"registrations": len(rows)},
        )
    return len(rows)
