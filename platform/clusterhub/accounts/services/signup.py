"""Self-service sign-up and the confirmation of an e-mail address.

Services add and flush; the caller commits.
"""

from flask import current_app
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...core.urls import external_url
from ...outbox.services import enqueue_template
from ...tenancy.models import utcnow
from ..models import User
from .users import (
    _user_of_link,
    create_user,
    find_user_by_email,
    password_hasher,
    send_email_confirmation,
    set_password,
    validate_password,
)


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
