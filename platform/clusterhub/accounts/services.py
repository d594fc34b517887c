"""Accounts: users, passwords, memberships, invitations, password resets and API tokens.

Services add and flush; the caller (a view, a CLI command, a test) commits.
"""

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..audit.services import record
from ..core import signals
from ..core.refusal import Refusal
from ..core.urls import external_url
from ..extensions import db, login_manager
from ..outbox.services import enqueue_template
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import tenant_scope
from .models import (
    FEDERAL_ROLES,
    ApiToken,
    FederalInvitation,
    Invitation,
    Membership,
    TenantRole,
    User,
    new_session_token,
)

PASSWORD_HASHERS = {
    "recommended": PasswordHasher(),  # Argon2id with the library's current recommended parameters
    # The cheapest Argon2id there is, for the test suite (PASSWORD_HASHING=minimal, refused in production).
    "minimal": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}
MIN_PASSWORD_LENGTH = 10
API_TOKEN_PREFIX = "chub_"


class EmailNotConfirmed(Refusal):
    """The password was right, but the address of this self-service account is not confirmed yet."""


# --- users and passwords -------------------------------------------------------------------------


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


# --- self-service sign-up ------------------------------------------------------------------------


def sign_up(email: str, full_name: str, password: str, locale: str | None = None) -> None:
    """Sign up for an account that works once the address is confirmed. Says nothing about the address.

    A new address gets an unconfirmed account and a confirmation link. The owner of an existing account
    gets a note that they already have one (with the reset link) instead, and their account is left as it
    is. Signing up again for an unconfirmed address replaces its name and password, and the links sent
    before stop working: only whoever reads the mailbox can ever confirm a password.
    """
    validate_password(password)
    user = find_user_by_email(email)
    if user is not None and user.email_confirmed_at is not None:
        password_hasher().hash(password)  # the cost of a new account's hash: no enumeration by timing
        if user.is_active:
            enqueue_template(
                user.email,
                "signup_existing_account",
                user.locale or locale,
                name=user.full_name,
                login_link=external_url("accounts.login"),
                reset_link=external_url("accounts.forgot_password"),
            )
        return
    if user is None:
        user = create_user(email, full_name, password, locale=locale, email_confirmed=False)
    else:
        user.full_name = full_name.strip()
        user.locale = locale
        set_password(user, password)
    record("user.signed_up", user, actor=user)
    send_email_confirmation(user)


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


def confirm_email(token: str) -> User:
    """Confirm the address behind ``token`` and return its user; a used link works no more."""
    user, fresh = _user_of_link(
        "confirm",
        token,
        current_app.config["EMAIL_CONFIRMATION_MAX_AGE"],
        expired=_("This confirmation link has expired. Sign up again to get a new one."),
        invalid=_("This confirmation link is not valid."),
    )
    if not fresh:
        raise Refusal(_("This confirmation link is not valid."))
    if user.email_confirmed_at is not None:
        raise Refusal(_("Your address is confirmed already. Log in."))
    user.email_confirmed_at = utcnow()
    user.last_login_at = utcnow()
    record("user.email_confirmed", user, actor=user)
    return user


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
    user = db.session.get(User, int(user_id))
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


# --- memberships and invitations -----------------------------------------------------------------


def add_membership(user: User, tenant: Tenant, role: str, actor=None) -> Membership:
    with tenant_scope(db.session, tenant.id):
        membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
        if membership is None:
            membership = Membership(user_id=user.id, role=role, tenant_id=tenant.id)
            db.session.add(membership)
        else:
            membership.role = role
        db.session.flush()
        record("membership.granted", membership, actor=actor, after={"user": user.email, "role": role})
        db.session.flush()
    return membership


def remove_membership(membership: Membership, actor) -> None:
    """Remove a user's role in the tenant. The last center admin cannot be removed."""
    if membership.role == TenantRole.CENTER_ADMIN:
        admins = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.role == TenantRole.CENTER_ADMIN)
        )
        if admins <= 1:
            raise Refusal(_("The last center administrator cannot be removed."))
    record(
        "membership.removed",
        membership,
        actor=actor,
        before={"user": membership.user.email, "role": membership.role},
    )
    db.session.delete(membership)
    db.session.flush()


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clusterhub.{purpose}")


def invite(tenant: Tenant, email: str, role: str, actor: User) -> tuple[Invitation, str]:
    """Invite ``email`` to the tenant with ``role`` and queue the e-mail with the link. Returns the link."""
    if role not in set(TenantRole):
        raise Refusal(_("Unknown role."))
    if role != TenantRole.EXPERT:  # experts take no seat of the plan
        # a LimitReached (402: the plan, not the input, is in the way) goes to the caller as it is
        signals.staff_inviting.send(tenant)
    email = normalize_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        with tenant_scope(db.session, tenant.id):
            if db.session.scalar(sa.select(Membership.id).where(Membership.user_id == existing.id)):
                raise Refusal(_("This person is already a member of the center."))
    with tenant_scope(db.session, tenant.id):
        invitation = Invitation(email=email, role=role, invited_by_id=actor.id, tenant_id=tenant.id)
        db.session.add(invitation)
        db.session.flush()
    token = _serializer("invite").dumps({"i": invitation.id, "t": tenant.id})
    link = external_url("accounts.accept_invitation", token=token)
    enqueue_template(
        email,
        "invitation",
        tenant.default_locale,
        tenant_slug=tenant.slug,
        tenant_name=tenant.name_ru if tenant.default_locale == "ru" else tenant.name_en,
        role=role,
        link=link,
        inviter=actor.full_name,
    )
    record("invitation.created", invitation, actor=actor, after={"email": email, "role": role})
    return invitation, link


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation behind ``token``; expired, tampered or used tokens raise Refusal."""
    try:
        data = _serializer("invite").loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired as exc:
        raise Refusal(_("This invitation link has expired. Ask the center for a new one.")) from exc
    except BadSignature as exc:
        raise Refusal(_("This invitation link is not valid.")) from exc
    # The signed token names the tenant too, so the invitation is read inside that tenant's scope.
    with tenant_scope(db.session, data.get("t")):
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.id == data.get("i")))
    if invitation is None or invitation.revoked_at is not None:
        raise Refusal(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise Refusal(_("This invitation has already been used. Log in instead."))
    return invitation


def accept_invitation(invitation: Invitation, full_name: str, password: str | None) -> User:
    """Create the account if needed (with the password chosen here) and grant the invited role."""
    user = _user_for_invitation(invitation.email, full_name, password)
    with tenant_scope(db.session, invitation.tenant_id):
        invitation.accepted_at = utcnow()
        add_membership(user, invitation.tenant, invitation.role, actor=user)
        record("invitation.accepted", invitation, actor=user)
        db.session.flush()
    return user


def _user_for_invitation(email: str, full_name: str, password: str | None) -> User:
    """The invited person's account, created if needed; following the link proves the address."""
    user = find_user_by_email(email)
    if user is None:
        return create_user(email, full_name, password, locale=None)
    if user.email_confirmed_at is None:
        user.full_name = full_name.strip()  # a stranger's unconfirmed sign-up must not name this person
        user.email_confirmed_at = utcnow()
    if password:
        set_password(user, password)
    return user


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    if not invitation.is_pending:
        raise Refusal(_("This invitation is no longer pending."))
    invitation.revoked_at = utcnow()
    record("invitation.revoked", invitation, actor=actor)


# --- federal staff --------------------------------------------------------------------------------


def federal_staff() -> list[User]:
    return db.session.scalars(
        sa.select(User).where(User.global_role.in_(FEDERAL_ROLES)).order_by(User.full_name)
    ).all()


def pending_federal_invitations() -> list[FederalInvitation]:
    return db.session.scalars(
        sa.select(FederalInvitation)
        .where(FederalInvitation.accepted_at.is_(None), FederalInvitation.revoked_at.is_(None))
        .order_by(FederalInvitation.created_at.desc())
    ).all()


def invite_federal(email: str, role: str, actor: User) -> tuple[FederalInvitation, str]:
    """A platform admin invites a federal analyst or reviewer; queues the e-mail and returns the link."""
    if role not in FEDERAL_ROLES:
        raise Refusal(_("Choose a federal role."))
    email = normalize_email(email)
    existing = find_user_by_email(email)
    if existing is not None and existing.global_role:
        raise Refusal(_("This person already has a platform-wide role."))
    if any(pending.email == email for pending in pending_federal_invitations()):
        raise Refusal(_("An invitation to this address is waiting for an answer already."))
    invitation = FederalInvitation(email=email, role=role, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    token = _serializer("federal-invite").dumps({"i": invitation.id})
    link = external_url("accounts.accept_federal_invitation", token=token)
    enqueue_template(email, "federal_invitation", "ru", role=role, link=link, inviter=actor.full_name)
    record("federal_invitation.created", invitation, actor=actor, after={"email": email, "role": role})
    return invitation, link


def federal_invitation_from_token(token: str) -> FederalInvitation:
    """The pending federal invitation behind ``token``; expired, tampered or used tokens raise."""
    try:
        data = _serializer("federal-invite").loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired as exc:
        raise Refusal(_("This invitation link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise Refusal(_("This invitation link is not valid.")) from exc
    invitation = db.session.get(FederalInvitation, data.get("i"))
    if invitation is None or invitation.revoked_at is not None:
        raise Refusal(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise Refusal(_("This invitation has already been used. Log in instead."))
    return invitation


def accept_federal_invitation(invitation: FederalInvitation, full_name: str, password: str | None) -> User:
    """Create the account if needed and grant the federal role."""
    user = _user_for_invitation(invitation.email, full_name, password)
    if user.global_role and user.global_role != invitation.role:
        raise Refusal(_("This person already has a platform-wide role."))
    user.global_role = invitation.role
    invitation.accepted_at = utcnow()
    record("federal_invitation.accepted", invitation, actor=user, after={"role": invitation.role})
    db.session.flush()
    return user


def revoke_federal_invitation(invitation: FederalInvitation, actor: User) -> None:
    if not invitation.is_pending:
        raise Refusal(_("This invitation is no longer pending."))
    invitation.revoked_at = utcnow()
    record("federal_invitation.revoked", invitation, actor=actor)


def withdraw_federal_role(user: User, actor: User) -> None:
    """Take the federal role away; the person's open sessions end with it."""
    if user.global_role not in FEDERAL_ROLES:
        raise Refusal(_("This person has no federal role."))
    before = {"role": user.global_role}
    user.global_role = None
    end_sessions(user)
    record("user.federal_role_withdrawn", user, actor=actor, before=before)


# --- password reset ------------------------------------------------------------------------------


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


# --- API tokens ----------------------------------------------------------------------------------


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(
    user: User, name: str, *, read_only: bool = False, expires_on=None
) -> tuple[ApiToken, str]:
    """Create a personal token; the secret is returned once and only its hash is stored.

    It expires at the end of ``expires_on`` (at most a year ahead; by default in 90 days), and a
    ``read_only`` one refuses every write with 403, whatever its user may do."""
    from ..tokens.services import clean_expiry

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
    from ..tokens.access import bearer_secret, request_token

    if bearer_secret(req) is None:
        return None
    token = request_token()
    return None if token is None else token.user
