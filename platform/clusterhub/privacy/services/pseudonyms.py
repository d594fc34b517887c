"""Pseudonyms «Участник №…», keyed digests of erased names and addresses, the anonymisation of the rows that
must stay (registrations, signed protocols) and the audit log's redaction of erased people.

Services add and flush; the request (or the CLI command) commits.
"""

import copy
import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ...core import signals
from ...defenses.models import Protocol
from ...defenses.services.protocol import content_hash
from ...events.models import Registration
from ...extensions import db
from ..models import CenterErasure, ErasureRequest

# Addresses of anonymised rows: the .invalid top-level domain can never receive mail (RFC 2606), and the
# suffix tells the retention run which registrations are done already.
ANONYMOUS_DOMAIN = "anonymised.invalid"
PSEUDONYM_PREFIX = "Участник №"


def _keyed(text: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym_for(kind: str, key) -> str:
    """«Участник №<8 hex>»: stable for one person (or one registration), meaningless without the secret."""
    return f"{PSEUDONYM_PREFIX}{_keyed(f'pseudonym:{kind}:{key}')[:8]}"


def identity_digest(value: str | None) -> str:
    """A keyed digest of a name or an address (case and surrounding spaces ignored)."""
    return _keyed(f"identity:{(value or '').strip().lower()}")


def anonymous_email(pseudonym: str) -> str:
    return f"{pseudonym.removeprefix(PSEUDONYM_PREFIX)}@{ANONYMOUS_DOMAIN}"


def _text(value):
    if value is None or isinstance(value, str | int | bool | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return str(value)


def anonymise_registration(registration: Registration, pseudonym: str) -> None:
    """Clear what identifies the registrant; the row stays for the session's figures."""
    registration.full_name = pseudonym
    registration.email = anonymous_email(pseudonym)
    registration.phone = None
    registration.position_title = None
    registration.user_id = None
    registration.registered_by_id = None


def _replace_names(content: dict, name: str, pseudonym: str) -> int:
    replaced = 0
    for member in content.get("panel") or []:
        if member.get("name") == name:
            member["name"], replaced = pseudonym, replaced + 1
    for conflict in content.get("conflicts") or []:
        if conflict.get("member") == name:
            conflict["member"], replaced = pseudonym, replaced + 1
    signed = content.get("signed") or {}
    if signed.get("by") == name:
        signed["by"], replaced = pseudonym, replaced + 1
    return replaced


def pseudonymise_protocol(protocol: Protocol, name: str, pseudonym: str, now: datetime) -> bool:
    """Replace ``name`` by ``pseudonym`` in a signed protocol. The protocol keeps the hash it was signed
    with (printed on paper copies); its content records that hash and the hash of the pseudonymised
    content, so the public check still confirms it
    (:func:`clusterhub.defenses.services.protocol.pseudonymised_protocol_intact`)."""
    content = copy.deepcopy(protocol.content)
    note = content.pop("pseudonymised", None)
    if not _replace_names(content, name, pseudonym):
        return False
    content["pseudonymised"] = {
        "signed_hash": (note or {}).get("signed_hash", protocol.content_hash),
        "at": _text(now),
        "hash": content_hash(content),
    }
    protocol.content = content
    return True


def erased_digests() -> dict[str, str]:
    """digest → pseudonym for the people whose erasure the current center has completed (for the audit
    log's pages, which show the pseudonym where an entry still holds an erased name or address)."""
    rows = db.session.execute(
        sa.select(ErasureRequest.name_digest, ErasureRequest.email_digest, ErasureRequest.pseudonym)
        .join(CenterErasure, CenterErasure.erasure_request_id == ErasureRequest.id)
        .where(CenterErasure.completed_at.is_not(None))
    ).all()
    digests = {}
    for name_digest, email_digest, pseudonym in rows:
        digests[name_digest] = pseudonym
        digests[email_digest] = pseudonym
    return digests


def redact_changes(changes: list[dict], digests: dict[str, str]) -> list[dict]:
    """The audit log's described changes with erased names and addresses shown as the pseudonym."""
    if not digests:
        return changes

    def shown(value):
        if not isinstance(value, str):
            return value
        return digests.get(identity_digest(value), value)

    return [
        {**change, "before": shown(change["before"]), "after": shown(change["after"])} for change in changes
    ]


def audit_redaction(sender=None, **_kwargs):
    """The audit log's pages show pseudonyms for erased values (``signals.audit_redactions``): the
    erased digests are read once per page."""
    digests = erased_digests()
    return lambda changes: redact_changes(changes, digests)


def connect_signals() -> None:
    """Redact erased people in the audit log (``signals.audit_redactions``); called from ``create_app``."""
    signals.audit_redactions.connect(audit_redaction)
