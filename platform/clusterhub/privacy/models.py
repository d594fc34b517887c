"""Personal-data rights under 152-ФЗ: erasure requests (the person's, and each center's part of it) and
withdrawals of consent to mailings.

The erasure request itself is global (the person and their account are global); every center that holds
the person's data gets its own tenant-owned part, which that center's admin completes within the legal
term. Nothing here keeps the person's name or address after completion: only a pseudonym and keyed
digests (HMAC with the application's secret) that let pages recognise an erased value in the append-only
audit log and show the pseudonym instead.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import TenantOwned


class ErasureRequest(db.Model):
    """A person's request to erase their personal data (152-ФЗ, art. 14 and 21): the global part."""

    __tablename__ = "privacy_erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept after completion: the account row stays (as the pseudonym) because signed records point at it.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    pseudonym: Mapped[str] = mapped_column(sa.String(40))
    # HMAC-SHA256 of the erased name and address: the audit log (append-only) still holds them in entries
    # written before the erasure, and its pages show the pseudonym wherever one of these matches.
    name_digest: Mapped[str] = mapped_column(sa.String(64))
    email_digest: Mapped[str] = mapped_column(sa.String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column()
    # The account itself is anonymised when every center has completed its part (or at once, when no
    # center holds anything about the person).
    completed_at: Mapped[datetime | None] = mapped_column()

    @property
    def is_pending(self) -> bool:
        return self.completed_at is None


class CenterErasure(TenantOwned, db.Model):
    """One center's part of an erasure request: its admin anonymises or deletes what the center holds."""

    __tablename__ = "privacy_center_erasures"
    __tenant_table_args__ = (
        sa.UniqueConstraint("tenant_id", "erasure_request_id"),
        sa.Index("ix_privacy_center_erasures_pending", "tenant_id", "completed_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    erasure_request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("privacy_erasure_requests.id", ondelete="CASCADE"), index=True
    )
    pseudonym: Mapped[str] = mapped_column(sa.String(40))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # What completion did, for the staff page and the audit log: {"registrations": 2, "memberships": 1, ...}
    outcome: Mapped[dict | None] = mapped_column(sa.JSON)

    request: Mapped[ErasureRequest] = relationship(lazy="joined", innerjoin=True)
    tenant: Mapped[Tenant] = relationship()
    completed_by = relationship("User")

    @property
    def is_pending(self) -> bool:
        return self.completed_at is None


class MailConsentWithdrawal(db.Model):
    """The owner of an address withdrew consent to e-mail from the platform: nothing is sent to it, queued
    messages included, until they give consent again."""

    __tablename__ = "privacy_mail_consent_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, like users.email; the outbox compares the recipient with it at send time.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    withdrawn_at: Mapped[datetime] = mapped_column(default=utcnow)
