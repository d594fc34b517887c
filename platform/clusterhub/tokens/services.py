"""API tokens: issuing and revoking a center's tokens, and finding the token behind a request.

Services add and flush; the request (or the caller) commits. Secrets are shown once and stored as
SHA-256 hashes; personal tokens begin with ``chub_``, a center's with ``chubc_`` (so that a leaked one
is recognisable, and a lookup knows which table to read).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import ApiToken, TenantRole
from ..audit.services import record
from ..core.access import TENANT_ROLE_PERMISSIONS
from ..core.refusal import Refusal
from ..extensions import db
from ..tenancy import cross_tenant
from ..tenancy.models import utcnow
from . import scopes as token_scopes
from .models import CenterApiToken

PERSONAL_PREFIX = "chub_"
CENTER_PREFIX = "chubc_"
MAX_LIFETIME = timedelta(days=366)  # "one year" from any day, leap years included
DEFAULT_LIFETIME = timedelta(days=90)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def clean_expiry(
    expires_on: date | datetime | None, now: datetime | None = None, field="expires_on"
) -> datetime:
    """The moment (UTC) a token expires: the end of the chosen day where the person chose it (the
    center's time zone on its pages), at most a year ahead. ``None`` means the default lifetime."""
    now = now or utcnow()
    if expires_on is None:
        return now + DEFAULT_LIFETIME
    if isinstance(expires_on, datetime):
        moment = expires_on
    else:
        local_end = datetime.combine(expires_on, time(23, 59, 59), tzinfo=_page_zone())
        moment = local_end.astimezone(UTC).replace(tzinfo=None)
    if moment <= now:
        raise Refusal(_("Choose an expiry date in the future."), field)
    if moment > now + MAX_LIFETIME:
        raise Refusal(_("A token can be valid for at most one year."), field)
    return moment


def _page_zone():
    from flask import has_request_context
    from flask_babel import get_timezone

    # flask-babel answers a pytz zone, which must not be given as tzinfo (it would be local mean time)
    return ZoneInfo(str(get_timezone())) if has_request_context() else UTC


def create_center_token(label: str, scopes, expires_on, actor) -> tuple[CenterApiToken, str]:
    """Issue a token of the current center; returns it with its secret (shown once, stored hashed)."""
    label = (label or "").strip()
    if not label:
        raise Refusal(_("Give the token a label, e.g. the system that will use it."), "label")
    secret = new_secret(CENTER_PREFIX)
    token = CenterApiToken(
        label=label[:100],
        prefix=secret[:12],
        token_hash=hash_secret(secret),
        scopes=token_scopes.clean_scopes(scopes),
        expires_at=clean_expiry(expires_on),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "center_token.created",
        token,
        actor=actor,
        after={
            "label": token.label,
            "prefix": token.prefix,
            "scopes": " ".join(token.scopes),
            "expires_at": token.expires_at,
        },
    )
    return token, secret


def revoke_center_token(token: CenterApiToken, actor) -> None:
    """Revoke at once: the next request with the token answers 401."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("center_token.revoked", token, actor=actor, before={"label": token.label})


def center_tokens() -> list[CenterApiToken]:
    """The current center's tokens, newest first."""
    return list(db.session.scalars(sa.select(CenterApiToken).order_by(CenterApiToken.id.desc())).all())


# --- the token behind a request ----------------------------------------------------------------------


@dataclass
class RequestToken:
    """What the request knows of the token it came with (never cached across requests)."""

    kind: str  # "personal" or "center"
    id: int
    label: str
    prefix: str
    read_only: bool
    write_areas: frozenset
    tenant_id: int | None  # a center token's center
    user: object  # the personal token's user, or a CenterPrincipal
    row: object

    @property
    def audit_label(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def rate_key(self) -> str:
        return f"api-token:{self.kind}:{self.id}"


class CenterPrincipal:
    """``current_user`` of a request made with a center token: authenticated, nobody in person.

    It holds the permissions of its scopes in its own center (see ``core.access.permissions_of``), has no id
    (changes it makes are audited with the token's label instead of a person) and no global role."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    id = None
    global_role = None
    is_platform_admin = False
    is_federal_analyst = False
    locale = None
    email = None

    def __init__(self, token: CenterApiToken):
        self.token_id = token.id
        self.tenant_id = token.tenant_id
        self.full_name = token.label
        self.read_only = token.read_only
        self.write_areas = frozenset(token.write_areas)

    def get_id(self):
        return None

    def token_permissions(self, tenant) -> set:
        if tenant is None or tenant.id != self.tenant_id:
            return set()
        return center_token_permissions()


def center_token_permissions() -> set:
    """Every permission a center token can hold: the center administrator's, within the token areas."""
    granted = TENANT_ROLE_PERMISSIONS.get(TenantRole.CENTER_ADMIN, set())
    return {
        p
        for p in granted
        if token_scopes.area_of(p) in token_scopes.AREAS
        or token_scopes.area_of(p) in token_scopes.READ_ONLY_AREAS
    }


def find_token(secret: str, now: datetime | None = None) -> RequestToken | None:
    """The valid token with this secret (not revoked, not expired, its user active), read afresh."""

    now = now or utcnow()
    digest = hash_secret(secret)
    if secret.startswith(CENTER_PREFIX):
        # A center token is looked up in every center by its hash (as a protocol is verified by its hash):
        # the request may name another center, and must then answer 404, not 401.
        token = cross_tenant.center_token_by_hash(digest)
        if token is None or not token.is_valid(now):
            return None
        return RequestToken(
            "center",
            token.id,
            token.label,
            token.prefix,
            token.read_only,
            frozenset(token.write_areas),
            token.tenant_id,
            CenterPrincipal(token),
            token,
        )
    if not secret.startswith(PERSONAL_PREFIX):
        return None
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
        )
    )
    if token is None or not token.user.is_active:
        return None
    return RequestToken(
        "personal",
        token.id,
        token.name,
        token.prefix,
        token.read_only,
        frozenset(token_scopes.AREAS) if not token.read_only else frozenset(),
        None,
        token.user,
        token,
    )
