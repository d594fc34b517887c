"""Personal API tokens: created (the secret shown once, only its hash kept), revoked, and the user a
request's bearer token authenticates.

Services add and flush; the caller commits.
"""

import hashlib
import secrets

from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ...tenancy.models import utcnow
from ...tokens.access import bearer_secret, request_token
from ...tokens.services import clean_expiry
from ..models import (
    ApiToken,
    User,
)

API_TOKEN_PREFIX = "chub_"


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(
    user: User, name: str, *, read_only: bool = False, expires_on=None
) -> tuple[ApiToken, str]:
    """Create a personal token; the secret is returned once and only its hash is stored.

    It expires at the end of ``expires_on`` (at most a year ahead; by default in 90 days), and a
    ``read_only`` one refuses every write with 403, whatever its user may do."""
    if not name.strip():
        raise Refusal(_("Give the token a name."))
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=secret[:12],
        token_hash=_hash_token(secret),
        read_only=bool(read_only),
        expires_at=clean_expiry(expires_on),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api_token.created",
        token,
        actor=user,
        after={
            "name": token.name,
            "prefix": token.prefix,
            "read_only": token.read_only,
            "expires_at": token.expires_at,
        },
    )
    return token, secret


def revoke_api_token(token: ApiToken, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", token, actor=actor)


def load_user_from_api_token(req):
    """Flask-Login request loader: ``Authorization: Bearer chub_…`` (a personal token: its user) or
    ``chubc_…`` (a center's token: a principal with no person behind it), on API requests only.

    The token is read afresh on every request (a revoked or expired one is refused at once); the
    ``before_request`` of :mod:`clusterhub.tokens.access` answers 401/404/429 and records its use."""
    if bearer_secret(req) is None:
        return None
    token = request_token()
    return None if token is None else token.user
