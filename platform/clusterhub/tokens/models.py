from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..tenancy.models import utcnow
from ..tenancy.scoping import TenantOwned
from . import scopes as token_scopes


class CenterApiToken(TenantOwned, db.Model):
    """A center's API token: it acts for the center, not for a person, with the permissions its scopes
    grant in that center only (see :mod:`clusterhub.tokens.scopes`). Only a SHA-256 of the secret is
    kept; the secret is shown once. Expired or revoked, it answers 401 on the very next request."""

    __tablename__ = "center_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # ["read", "events:write", ...]: every token reads; each write scope opens one area.
    scopes: Mapped[list] = mapped_column(sa.JSON, default=list)
    expires_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    created_by: Mapped[User | None] = relationship()

    @property
    def write_areas(self) -> set[str]:
        return token_scopes.write_areas(self.scopes if isinstance(self.scopes, list) else [])

    @property
    def read_only(self) -> bool:
        return not self.write_areas

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
