"""Withdrawal of consent to mail (152-ФЗ art. 9 part 2): the outbox checks every message at send time
(``signals.mail_withheld``).

Services add and flush; the request commits.
"""

import sqlalchemy as sa

from ...accounts.models import User
from ...audit.services import record
from ...core import signals
from ...extensions import db
from ..models import MailConsentWithdrawal
from .pseudonyms import ANONYMOUS_DOMAIN


def mail_consent_withdrawal(user: User) -> MailConsentWithdrawal | None:
    return db.session.scalar(
        sa.select(MailConsentWithdrawal).where(MailConsentWithdrawal.email == (user.email or "").lower())
    )


def withdraw_mail_consent(user: User) -> MailConsentWithdrawal:
    """From now on no e-mail goes to the user's address — also what is already queued (checked at send)."""
    existing = mail_consent_withdrawal(user)
    if existing is not None:
        return existing
    withdrawal = MailConsentWithdrawal(email=user.email.lower(), user_id=user.id)
    db.session.add(withdrawal)
    db.session.flush()
    record("privacy.mail_consent_withdrawn", user, actor=user)
    return withdrawal


def give_mail_consent(user: User) -> None:
    """The user consents to e-mail again; messages still queued are sent."""
    existing = mail_consent_withdrawal(user)
    if existing is None:
        return
    db.session.delete(existing)
    db.session.flush()
    record("privacy.mail_consent_given", user, actor=user)


def mail_withheld(recipient: str, **_kwargs) -> bool:
    """Has the owner of ``recipient`` withdrawn consent to mail (or been anonymised)? Asked by the outbox
    for every message just before it is sent (``signals.mail_withheld``)."""
    address = (recipient or "").strip().lower()
    if address.endswith("@" + ANONYMOUS_DOMAIN):
        return True
    return (
        db.session.scalar(sa.select(MailConsentWithdrawal.id).where(MailConsentWithdrawal.email == address))
        is not None
    )


def connect_signals() -> None:
    """Withhold the mail of people who withdrew consent (``signals.mail_withheld``); called from
    ``create_app``."""
    signals.mail_withheld.connect(mail_withheld)
