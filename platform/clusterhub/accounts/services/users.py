"""Users and passwords: creating users, hashing and checking passwords, signing in and out, the profile,
the login manager's loaders, the signed links' helpers (and the mail confirming an address) and password resets.

Services add and flush; the caller (a view, a CLI command, a test) commits.
"""

import hashlib
import hmac

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ...audit.services import record
from ...core.access import remember_tenant_role
from ...core.refusal import Refusal
from ...core.urls import external_url
from ...extensions import db, login_manager
from ...outbox.services import enqueue_template
from ...tenancy.models import utcnow
from ..models import (
    Membership,
    User,
    new_session_token,
)

PASSWORD_HASHERS = {
    "recommended": PasswordHasher(),  # Argon2id with the library's current recommended parameters
    # The cheapest Argon2id there is, for the test suite (PASSWORD_HASHING=minimal, refused in production).
    "minimal": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


MIN_PASSWORD_LENGTH = 10


class EmailNotConfirmed(Refusal):
    """The password was right, but the address of this self-service account is not confirmed yet."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    full_name: str,
    password: str | None = None,
    *,
    locale: str | None = None,
    global_role: str | None = None,
    email_confirmed: bool = True,
) -> User:
    """Create a user; the e-mail is unique regardless of case.

    Whoever creates a user this way (an invitation, the CLI, the demo) vouches for the address; only a
    self-service sign-up passes ``email_confirmed=False``.
    """
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise Refusal(_("A user with this e-mail address already exists."))
    user = User(
        email=email,
        full_name=full_name.strip(),
        locale=locale,
        global_role=global_role,
        email_confirmed_at=utcnow() if email_confirmed else None,
    )
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Refusal(_("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH))


def password_hasher() -> PasswordHasher:
    """The hasher of the PASSWORD_HASHING setting; hashes of either profile verify under both."""
    return PASSWORD_HASHERS[current_app.config.get("PASSWORD_HASHING", "recommended")]


def set_password(user: User, password: str) -> None:
    """Set a new password and log the user out of every other session."""
    validate_password(password)
    user.password_hash = password_hasher().hash(password)
    user.session_token = new_session_token()


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        password_hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher().hash(password)
    return True


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or ``None``.

    Raises :class:`EmailNotConfirmed` (after queuing a fresh confirmation link) when the password is right
    but the address of a signed-up account is not confirmed yet: only the password's owner learns that.
    """
    user = find_user_by_email(email)
    if user is None:
        password_hasher().hash(password or "x")  # same cost as a real check: no user enumeration by timing
        return None
    if not user.is_active or not check_password(user, password):
        return None
    if user.email_confirmed_at is None:
        send_email_confirmation(user)
        raise EmailNotConfirmed(
            _("Confirm your e-mail address first: we have sent you a new link. Then log in.")
        )
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Log the user out everywhere: every login cookie issued so far, copies included, stops working."""
    user.session_token = new_session_token()


def _user_of_link(purpose: str, token: str, max_age: int, expired: str, invalid: str) -> tuple[User, bool]:
    """The active user a signed e-mail link names, and whether the link is still fresh (signed over the
    user's current password, so changing the password or using the link once makes it stale)."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Refusal(expired) from exc
    except BadSignature as exc:
        raise Refusal(invalid) from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active:
        raise Refusal(invalid)
    return user, hmac.compare_digest(_password_fingerprint(user), data.get("f", ""))


def send_email_confirmation(user: User) -> str:
    """Queue a link that confirms the user's address; a new password makes earlier links worthless."""
    token = _serializer("confirm").dumps({"u": user.id, "f": _password_fingerprint(user)})
    link = external_url("accounts.confirm_email", token=token)
    enqueue_template(user.email, "email_confirmation", user.locale, link=link, name=user.full_name)
    return link


def change_password(user: User, current: str, new: str) -> None:
    if not check_password(user, current):
        raise Refusal(_("The current password is not correct."))
    set_password(user, new)
    record("user.password_changed", user, actor=user)


def update_profile(user: User, full_name: str, locale: str | None) -> None:
    before = {"full_name": user.full_name, "locale": user.locale}
    user.full_name = full_name.strip()
    user.locale = locale or None
    record(
        "user.profile_updated",
        user,
        actor=user,
        before=before,
        after={"full_name": user.full_name, "locale": user.locale},
    )


def load_user_for_login(cookie_id: str) -> User | None:
    """Flask-Login loader: the cookie holds ``<id>:<session token>``; a rotated token logs it out."""
    if request.path.startswith("/api/"):
        return None  # the API authenticates by token only, so a browser cookie cannot be used for CSRF
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit():
        return None
    tenant = g.get("tenant")
    if tenant is None:
        user = db.session.get(User, int(user_id))
    else:
        # On a center's page the user's role there comes in the same round trip: every such page asks it.
        row = db.session.execute(
            sa.select(User, Membership.role)
            .outerjoin(Membership, sa.and_(Membership.user_id == User.id, Membership.tenant_id == tenant.id))
            .where(User.id == int(user_id))
        ).first()
        if row is None:
            return None
        user, role = row
        remember_tenant_role(user, tenant, role)
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def unauthorized():
    if request.path.startswith("/api/"):
        response = jsonify(error={"code": 401, "message": _("Authentication required.")})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    from flask import flash

    flash(login_manager.login_message, "warning")
    return redirect(
        url_for("accounts.login", next=request.full_path if request.query_string else request.path)
    )


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clusterhub.{purpose}")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password changes, which makes a used reset link worthless.
    return hashlib.sha256(f"{user.password_hash}:{user.session_token}".encode()).hexdigest()[:20]


def request_password_reset(email: str) -> str | None:
    """Queue a reset link for an existing active user. Says nothing about whether the user exists."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    token = _serializer("reset").dumps({"u": user.id, "f": _password_fingerprint(user)})
    link = external_url("accounts.reset_password", token=token)
    enqueue_template(user.email, "password_reset", user.locale, link=link, name=user.full_name)
    record("user.password_reset_requested", user, actor=user)
    return link


def user_from_reset_token(token: str) -> User:
    user, fresh = _user_of_link(
        "reset",
        token,
        current_app.config["PASSWORD_RESET_MAX_AGE"],
        expired=_("This password reset link has expired. Request a new one."),
        invalid=_("This password reset link is not valid."),
    )
    if not fresh:
        raise Refusal(_("This password reset link has already been used. Request a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_from_reset_token(token)
    set_password(user, new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the reset link reached the mailbox: the address is proven
    record("user.password_reset", user, actor=user)
    return user
