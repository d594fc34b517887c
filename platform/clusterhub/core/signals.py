"""Signals: how one module reacts to what happens in another without importing it (as Indico's
``core/signals``). A service sends a signal after its change is flushed, inside the caller's transaction;
a receiver that writes (a webhook delivery, a history row) writes in that same transaction, so its rows
exist exactly when the change commits.

The sender is the changed object; keyword arguments carry what the object itself no longer tells (the
previous status). Receivers must not commit, and must not fail the change for a side concern.

Keep this a flat list, one documented signal per line of business. Besides the business events, a few
signals fill what used to be import-time registries (:data:`REGISTRIES`): the asking module sends, each
contributing module answers; every receiver is connected in ``create_app`` (``connect_signals``), so
importing a module changes no other module's registry.
"""

from typing import Any

from blinker import Namespace
from blinker.base import make_id

_signals = Namespace()


def answers(signal: Any, sender: Any = None, **kwargs: Any) -> list[Any]:
    """The return values of ``signal``'s receivers, in the order they were connected (blinker itself
    calls them in no fixed order), for the signals that collect (:data:`REGISTRIES`)."""
    order = {receiver_id: position for position, receiver_id in enumerate(signal.receivers)}
    results = signal.send(sender, **kwargs)
    return [value for _receiver, value in sorted(results, key=lambda pair: order[make_id(pair[0])])]


registration_created = _signals.signal(
    "registration-created",
    doc="""A registration for a session was created (by the person, a representative, staff or an
    import). ``sender`` is the :class:`~clusterhub.events.models.Registration`, already flushed.""",
)

registration_cancelled = _signals.signal(
    "registration-cancelled",
    doc="""A registration was cancelled, by the person or by staff. ``sender`` is the registration;
    ``previous_status`` its status before; ``by_staff`` whether staff cancelled it.""",
)

registration_checked_in = _signals.signal(
    "registration-checked-in",
    doc="""A registrant was checked in at the session or at one of its agenda items (the first time
    only; a repeated scan sends nothing). ``sender`` is the registration; ``agenda_item`` the item or
    None.""",
)

service_request_changed = _signals.signal(
    "service-request-changed",
    doc="""A technopark service request was created or moved along its workflow. ``sender`` is the
    :class:`~clusterhub.technoparks.models.ServiceRequest`; ``previous_status`` is None for a new one.""",
)

project_status_changed = _signals.signal(
    "project-status-changed",
    doc="""A joint project moved along its workflow. ``sender`` is the
    :class:`~clusterhub.projects.models.JointProject`; ``previous_status`` its status before.""",
)

protocol_signed = _signals.signal(
    "protocol-signed",
    doc="""The chair signed a defense round's protocol. ``sender`` is the
    :class:`~clusterhub.defenses.models.Protocol`; ``defense_round`` its round.""",
)

enterprise_history = _signals.signal(
    "enterprise-history",
    doc="""Collects the history of an enterprise profile across centers (as Indico's ``get_*`` signals:
    the sender asks, every receiver answers). ``sender`` is the
    :class:`~clusterhub.enterprises.models.Enterprise`; ``viewer`` the user looking (or anonymous). Each
    receiver returns an iterable of :class:`~clusterhub.enterprises.services.history.HistoryItem` of every center,
    read with :func:`clusterhub.tenancy.cross_tenant.enterprise_rows`; the enterprises module filters them
    by what the viewer may see. Connected in ``create_app`` (clusters, events, projects, technoparks).""",
)

enterprise_merging = _signals.signal(
    "enterprise-merging",
    doc="""Two duplicate enterprise profiles are being merged, before the generic move of every reference:
    a module resolves its own conflicts here (e.g. an enterprise that would become a member of the same
    cluster twice). ``sender`` is the duplicate being removed; ``target`` the profile kept. Receivers
    write in the merge's transaction and return nothing.""",
)

payment_providers = _signals.signal(
    "payment-providers",
    doc="""Collects the payment providers (``billing/providers/*``): the billing pages ask, each provider
    answers with its :class:`~clusterhub.billing.providers.PaymentProvider` (``sender`` is None).
    Connected in ``create_app``; a provider that is not connected does not exist for billing.""",
)

role_permissions = _signals.signal(
    "role-permissions",
    doc="""Collects the permissions each module grants to roles (``sender`` is None): each receiver
    returns a list of ``(role, permissions)`` pairs, a :class:`~clusterhub.accounts.models.TenantRole`
    or :class:`~clusterhub.accounts.models.GlobalRole` and a set of permission names.
    ``core.access.grant_connected_permissions`` merges them into the role tables in ``create_app``;
    the permission test over the URL map then sees every module's permissions.""",
)

menu_items = _signals.signal(
    "menu-items",
    doc="""Collects the entries of a menu. ``sender`` is ``"tenant"`` (a center's pages) or ``"global"``;
    each receiver (a module's views) returns a list of :class:`~clusterhub.core.menu.MenuItem`. The menu
    lists them in the order the receivers were connected in ``create_app``, one entry per endpoint.""",
)

home_blocks = _signals.signal(
    "home-blocks",
    doc="""Collects the blocks of a home page. ``sender`` is ``"center"`` (a center's home page) or
    ``"staff"`` (the staff area's home); each receiver returns a list of
    :class:`~clusterhub.core.menu.HomeBlock`, in connection order, one block per template.""",
)

period_report_accepted = _signals.signal(
    "period-report-accepted",
    doc="""A federal reviewer accepted a center's period report. ``sender`` is the
    :class:`~clusterhub.reporting.models.PeriodReport` (sent inside its tenant's scope).""",
)

file_storing = _signals.signal(
    "file-storing",
    doc="""A file is about to be stored for a center (:func:`clusterhub.core.files.store`), before any byte
    is written. ``sender`` is the :class:`~clusterhub.tenancy.models.Tenant`; ``size`` the file's bytes.
    A receiver may refuse the file by raising a :class:`~clusterhub.core.refusal.Refusal` (billing raises
    ``LimitReached`` when the plan's storage would be passed). Connected in ``create_app``.""",
)

staff_inviting = _signals.signal(
    "staff-inviting",
    doc="""A center is about to invite someone to a staff role (an administrator or staff member; experts
    take no seat), before anything is written (``accounts.services.memberships.invite``). ``sender`` is the
    :class:`~clusterhub.tenancy.models.Tenant`. A receiver may refuse by raising a
    :class:`~clusterhub.core.refusal.Refusal` (billing raises ``LimitReached`` when every seat of the
    plan is taken). Connected in ``create_app``.""",
)

audit_redactions = _signals.signal(
    "audit-redactions",
    doc="""Asked once per page of the audit log before it shows the entries' changes (``sender`` is None):
    each receiver returns a function that takes the described changes of one entry and returns them
    redacted (privacy: the values of erased people become their pseudonyms). The log applies them in
    connection order. Connected in ``create_app``.""",
)

indicator_sources = _signals.signal(
    "indicator-sources",
    doc="""Collects the indicator definitions of the federal reporting (``sender`` is None): each source
    (``reporting/sources/*``: the platform, clusters, sessions, the centers' own KPIs, the B2B meetings of
    ``cooperation.meetings``, projects and defenses, technoparks) returns a list of
    :class:`~clusterhub.reporting.registry.Indicator` and :class:`~clusterhub.reporting.registry.Breakdown`.
    ``reporting.registry.REGISTRY`` and ``BREAKDOWNS`` list them in the order the sources were connected
    in ``create_app``, which is the order of the dashboard and the exports; a source that is not
    connected has no indicator anywhere (dashboard, exports, API, stored figures, period reports).""",
)

read_only_refusals = _signals.signal(
    "read-only-refusals",
    doc="""Asks whether a center's staff writes are refused right now, on every write to an endpoint that
    needs a tenant permission, once the user is known to hold it (``accounts.authz.enforce``). ``sender``
    is the :class:`~clusterhub.tenancy.models.Tenant`; each receiver returns the response to send instead
    (the refusal), or None. The first refusal in connection order is sent. Billing answers (a lapsed
    subscription makes the center read-only except its payment pages); the platform admin is never
    asked about. Connected in ``create_app``.""",
)

mail_withheld = _signals.signal(
    "mail-withheld",
    doc="""The outbox is about to send a mail (``outbox.services.send_due``, at send time, so a message
    queued before a withdrawal stops too). ``sender`` is the recipient's address; a receiver returns True
    to withhold the mail (privacy: consent to mail withdrawn, or the person anonymised). Connected in
    ``create_app``.""",
)

webhook_ticket_due = _signals.signal(
    "webhook-ticket-due",
    doc="""The outbox worker claimed a due webhook ticket (an :class:`~clusterhub.outbox.models.OutboxMessage`
    of kind ``webhook``, its attempt already counted): ``sender`` is the ticket, ``now`` the time of the
    pass. The webhooks module, the one receiver, attempts the delivery and returns ``"sent"``,
    ``"retry"`` or ``"failed"``; the worker commits. Connected in ``create_app``.""",
)

represented_enterprises = _signals.signal(
    "represented-enterprises",
    doc="""The start page (``core.start``) asks which enterprises ``sender``, a signed-in user, represents;
    the enterprises module, the one receiver, returns a list of
    :class:`~clusterhub.enterprises.models.Enterprise` (confirmed representations only). Connected in
    ``create_app``; without it the start page lists no enterprise.""",
)

#: The signals that fill a registry (the sender asks, receivers answer or act inside an operation), as
#: opposed to the business events above, each of which is also a webhook event.
REGISTRIES = (
    enterprise_history,
    enterprise_merging,
    payment_providers,
    role_permissions,
    menu_items,
    home_blocks,
    file_storing,
    staff_inviting,
    audit_redactions,
    indicator_sources,
    read_only_refusals,
    mail_withheld,
    webhook_ticket_due,
    represented_enterprises,
)
