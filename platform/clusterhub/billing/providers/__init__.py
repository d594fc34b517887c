"""The payment-provider interface.

A provider is a subpackage (``providers/stripe``, ``providers/invoice``) that registers one
:class:`PaymentProvider` at import. The billing page asks every configured provider for its panel; the
rest of billing knows nothing of how a provider takes money, only that it ends in
:func:`clusterhub.billing.services.apply_provider_state` or :func:`~clusterhub.billing.services.extend_paid_period`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup


@dataclass(frozen=True)
class PaymentProvider:
    code: str
    label: object  # a lazy string
    is_configured: Callable[[dict], bool]
    # (tenant, subscription or None, plans) -> HTML for the center's billing page
    panel: Callable[..., Markup]
    # (tenant) -> HTML for the platform admin's page about one center (e.g. recording bank payments)
    admin_panel: Callable[..., Markup] | None = None


_providers: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> None:
    _providers[provider.code] = provider


def all_providers() -> list[PaymentProvider]:
    return list(_providers.values())


def configured_providers() -> list[PaymentProvider]:
    return [p for p in _providers.values() if p.is_configured(current_app.config)]


def get(code: str) -> PaymentProvider | None:
    return _providers.get(code)
