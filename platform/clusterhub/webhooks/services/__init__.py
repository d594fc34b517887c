"""Outgoing webhooks: a center subscribes URLs to events; each event becomes one signed delivery per
subscription, queued through the outbox in the transaction of the change and sent by the worker.

Guarantees:
- a delivery exists exactly when the change that caused it committed (it is written in the same
  transaction, by a receiver of the change's signal in :mod:`clusterhub.core.signals`);
- the body is the same bytes on every attempt and every resend, with the same ``id``, so a receiver can
  drop duplicates; only the signature's timestamp changes;
- a request never waits for a receiver: the worker (``flask outbox send``) posts with a short timeout and
  retries with exponential backoff up to ``WEBHOOK_MAX_ATTEMPTS`` attempts;
- a subscription and its deliveries are tenant-owned: staff see and resend only their center's.

The operations, by sub-domain (no re-exports: import the sub-module):

- ``subscriptions``: a center's subscriptions (create, renew the secret, remove) and their recent deliveries;
- ``queueing``: one delivery and outbox ticket per subscription that wants an event; a resend;
- ``payloads``: what each event carries, and the exact body posted (documented in docs/webhooks.md);
- ``receivers``: the guarded receivers of the change signals, wired by ``connect_signals`` from create_app;
- ``addresses``: the destination's address, resolved once and refused when it is not public;
- ``delivery``: the signed POST to the checked address, retries with backoff, and the purge of old deliveries.
"""
