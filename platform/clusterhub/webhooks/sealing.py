"""The subscriptions' signing secrets, encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

A database dump or a read-only SQL hole therefore yields no secret a third party could sign forged
deliveries with. The key is ``WEBHOOK_SECRETS_KEY`` (one or more Fernet keys separated by commas: the first
encrypts, every one decrypts, so a key can be rotated); unset, it is derived from ``SECRET_KEY`` with
HKDF. A secret is decrypted only to sign a delivery and to show it once to the staff who created or
renewed it.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_DERIVATION_INFO = b"clusterhub webhook secrets v1"


class SecretKeyMismatch(RuntimeError):
    """A stored secret cannot be decrypted: the key it was encrypted with is not among the configured ones."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from ``SECRET_KEY`` (used when ``WEBHOOK_SECRETS_KEY`` is unset)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def keys_from(config) -> list[bytes]:
    """The configured keys, the encrypting one first (``load_config`` has checked that they are Fernet
    keys)."""
    configured = [k.strip() for k in (config.get("WEBHOOK_SECRETS_KEY") or "").split(",") if k.strip()]
    if not configured:
        return [derived_key(config["SECRET_KEY"])]
    return [k.encode() for k in configured]


def _fernet(config=None) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys_from(config or current_app.config)])


def seal(secret: str, config=None) -> str:
    """``secret`` encrypted with the current key (a different token every time)."""
    return _fernet(config).encrypt(secret.encode()).decode()


def unseal(token: str, config=None) -> str:
    """The secret inside ``token``; raises :class:`SecretKeyMismatch` when no configured key opens it (the
    key changed without the old one being kept), never returns something else to sign with."""
    try:
        return _fernet(config).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretKeyMismatch(
            "the webhook secret cannot be decrypted with WEBHOOK_SECRETS_KEY (or, when unset, the key "
            "derived from SECRET_KEY): was the key changed? Put the old key back, after the new one, in "
            "WEBHOOK_SECRETS_KEY, or give the subscription a new secret"
        ) from None
