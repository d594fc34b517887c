"""Billing: plans and their limits, a center's subscription, the lapse policy, and payment providers.

Each provider lives in its own subpackage under ``providers/`` (Stripe, invoice by bank transfer) with its
own models, services, views and templates; this package knows them only through the interface in
``providers/__init__.py``.
"""
