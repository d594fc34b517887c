import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import TenantOwned


class GlobalRole(enum.StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    FEDERAL_ANALYST = "federal_analyst"  # reads every tenant, changes nothing
    FEDERAL_REVIEWER = (
        "federal_reviewer"  # an analyst who also accepts or returns the centers' period reports
    )


FEDERAL_ROLES = (GlobalRole.FEDERAL_ANALYST, GlobalRole.FEDERAL_REVIEWER)


class TenantRole(enum.StrEnum):
    CENTER_ADMIN = "center_admin"
    CENTER_STAFF = "center_staff"
    EXPERT = "expert"


#: The names of global and tenant roles, for forms, pages and the audit log.
ROLE_LABELS = {
    "platform_admin": _l("Platform administrator"),
    "federal_analyst": _l("Federal analyst"),
    "federal_reviewer": _l("Federal reviewer"),
    TenantRole.CENTER_ADMIN: _l("Center administrator"),
    TenantRole.CENTER_STAFF: _l("Center staff"),
    TenantRole.EXPERT: _l("Expert"),
}


def role_label(role: str) -> str:
    """The translated name of a global or tenant role (a Jinja global too)."""
    return str(ROLE_LABELS.get(role, role))


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    """A person. Shared across tenants; what they may do in a tenant comes from a :class:`Membership`."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index makes e-mail addresses case-insensitively unique.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    global_role: Mapped[str | None] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie: rotating it logs the user out everywhere (done on password change).
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # None until the owner of the address follows the confirmation link of a self-service sign-up; an
    # invitation, a password reset or the CLI prove the address too. Unconfirmed accounts cannot log in.
    email_confirmed_at: Mapped[datetime | None] = mapped_column()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_platform_admin(self) -> bool:
        return self.global_role == GlobalRole.PLATFORM_ADMIN

    @property
    def is_federal_analyst(self) -> bool:
        return self.global_role == GlobalRole.FEDERAL_ANALYST

    def __repr__(self):
        return f"<User {self.email}>"


class Membership(TenantOwned, db.Model):
    """A user's role in one tenant (center admin, center staff or expert)."""

    __tablename__ = "memberships"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    tenant: Mapped[Tenant] = relationship()


class Invitation(TenantOwned, db.Model):
    """An invitation by e-mail to join a tenant with a role; its link works once."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(32))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    invited_by: Mapped[User | None] = relationship()
    tenant: Mapped[Tenant] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class FederalInvitation(db.Model):
    """A platform admin's invitation of a federal analyst or reviewer; not tied to a center."""

    __tablename__ = "federal_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(32))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    invited_by: Mapped[User | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class ApiToken(db.Model):
    """A personal API token: it acts as its user (read-only if so issued) until it expires or is revoked.

    Only a SHA-256 of the secret is kept; the secret is shown once. A center's own tokens, which act for
    the center rather than a person, are :class:`clusterhub.tokens.models.CenterApiToken`."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    # A read-only token reads what its user may read and changes nothing (every write answers 403).
    read_only: Mapped[bool] = mapped_column(default=False)
    # Every token expires (at most a year after it was issued); an expired one answers 401.
    expires_at: Mapped[datetime] = mapped_column()

    user: Mapped[User] = relationship()
