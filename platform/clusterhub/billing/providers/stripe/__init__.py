"""Stripe: Checkout for subscribing or changing plan, the Customer Portal, and a verified webhook.

Isolated like pretix's Stripe plugin: its own id table (:class:`~.models.StripeCustomer`, Stripe ids →
tenant), its own event log for idempotency, its own views and templates. The webhook trusts nothing in
the payload: it verifies the signature, resolves the tenant through our table, re-reads the subscription
from Stripe, and only then opens the tenant's scope.
"""
