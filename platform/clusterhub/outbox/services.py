"""The transactional outbox: mail (and webhook deliveries) is queued with the change that causes it and
sent by a worker.

A message is written in the caller's transaction, so it exists exactly when the change committed. The
worker (``flask outbox send``) claims one due message at a time under a row lock (``SKIP LOCKED`` on
PostgreSQL, so several workers never take the same one), sends it, and marks it sent in the same
transaction. A failed send is retried with growing delays and is never lost. A webhook ticket
(``kind='webhook'``) is handed to the webhooks module through ``signals.webhook_ticket_due``; it has its
own retry schedule; a receiver that is down never ends the pass for the mail behind it.
"""

import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from ..core import signals
from ..extensions import db
from ..tenancy.models import utcnow
from .models import OutboxKind, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 720)]


def enqueue(
    recipient: str, subject: str, body_text: str, body_html: str | None = None, tenant_slug: str | None = None
) -> OutboxMessage:
    """Queue one e-mail in the current transaction."""
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@clusterhub>",
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        tenant_slug=tenant_slug,
    )
    db.session.add(message)
    return message


def enqueue_template(
    recipient: str, template: str, locale: str | None, tenant_slug: str | None = None, **context
) -> OutboxMessage:
    """Render ``mail/<template>.txt`` (first line: subject) in the recipient's language and queue it."""
    with force_locale(locale or "ru"):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    return enqueue(recipient, subject.strip(), body.strip() + "\n", tenant_slug=tenant_slug)


class LogMailer:
    """The local default: mail is written to the log instead of being sent."""

    def send(self, message: OutboxMessage) -> None:
        log.info("MAIL to %s: %s\n%s", message.recipient, message.subject, message.body_text)


class SmtpMailer:
    def __init__(self, host, port, username=None, password=None, use_tls=False, sender=None, timeout=10):
        self.host, self.port, self.username, self.password = host, port, username, password
        self.use_tls, self.sender, self.timeout = use_tls, sender, timeout

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = message.message_id
        mail.set_content(message.body_text)
        if message.body_html:
            mail.add_alternative(message.body_html, subtype="html")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(mail)


def mailer_from_config(config) -> LogMailer | SmtpMailer:
    if not config.get("MAIL_SERVER"):
        return LogMailer()
    return SmtpMailer(
        config["MAIL_SERVER"],
        config["MAIL_PORT"],
        config.get("MAIL_USERNAME"),
        config.get("MAIL_PASSWORD"),
        config.get("MAIL_USE_TLS"),
        config["MAIL_DEFAULT_SENDER"],
        timeout=config.get("MAIL_TIMEOUT") or 10,
    )


def _claim_next(now: datetime) -> OutboxMessage | None:
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).first()


def _withheld(recipient: str) -> bool:
    """Consent to mail withdrawn (152-ФЗ): asked at send time (``signals.mail_withheld``, which privacy
    answers), so queued messages stop at once too."""
    return any(signals.answers(signals.mail_withheld, recipient))


def _deliver_webhook(ticket: OutboxMessage, now: datetime) -> str:
    """The outcome of the webhooks module's attempt (``signals.webhook_ticket_due``)."""
    outcomes = signals.answers(signals.webhook_ticket_due, ticket, now=now)
    if len(outcomes) != 1:
        raise RuntimeError("exactly one receiver delivers webhook tickets; is the app built by create_app?")
    return outcomes[0]


# The mail server cannot be reached or does not answer: the rest of the pass would wait just as long.
_SERVER_UNREACHABLE = (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


def send_due(mailer, now: datetime | None = None, limit: int = 100, after_each=None) -> dict:
    """Send up to ``limit`` due messages, each in its own transaction. Returns counts by outcome.

    ``after_each`` is called after every message (the worker touches its heartbeat there, so a slow
    mail server never looks like a dead worker). A server that cannot be reached ends the pass after
    the first failure; that message is retried later like any other."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        message = _claim_next(now or utcnow())
        if message is None:
            db.session.rollback()
            break
        if _withheld(message.recipient):
            message.status = OutboxStatus.WITHHELD
            counts["withheld"] = counts.get("withheld", 0) + 1
            db.session.commit()
            if after_each is not None:
                after_each()
            continue
        message.attempts += 1
        if message.kind == OutboxKind.WEBHOOK:
            counts[_deliver_webhook(message, now or utcnow())] += 1
            db.session.commit()
            if after_each is not None:
                after_each()
            continue
        try:
            mailer.send(message)
        except Exception as exc:  # any delivery failure is retried later; the message is kept
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts > len(RETRY_DELAYS):
                message.status = OutboxStatus.FAILED
                counts["failed"] += 1
            else:
                message.next_attempt_at = (now or utcnow()) + RETRY_DELAYS[message.attempts - 1]
                counts["retry"] += 1
            log.warning(
                "Mail %s to %s failed (attempt %s): %s",
                message.id,
                message.recipient,
                message.attempts,
                message.last_error,
            )
            unreachable = isinstance(exc, _SERVER_UNREACHABLE)
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            counts["sent"] += 1
            unreachable = False
        db.session.commit()
        if after_each is not None:
            after_each()
        if unreachable:
            break
    return counts


def current_mailer():
    return current_app.extensions.get("clusterhub.mailer") or mailer_from_config(current_app.config)


def _sent_before(cutoff: datetime) -> sa.Select:
    return sa.select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff
    )


def count_sent_before(cutoff: datetime) -> int:
    """How many sent messages (mail and webhook tickets) were sent before ``cutoff``."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(_sent_before(cutoff).subquery())) or 0


def purge_sent(cutoff: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` messages sent before ``cutoff`` and return how many. Pending, failed (staff
    resend them) and withheld (the trace of a withdrawn consent) messages are kept, whatever their age."""
    ids = list(db.session.scalars(_sent_before(cutoff).order_by(OutboxMessage.id).limit(limit)))
    if ids:
        db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        db.session.flush()
    return len(ids)
