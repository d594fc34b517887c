"""Service requests: an enterprise representative asks a technopark for a service, the technopark
answers, and every step is kept in the request's history.

The workflow (any other move is refused with :class:`Refusal`)::

    submitted ──accept (quote, schedule)──▶ accepted ──complete──▶ completed
        │  ╰──request changes──▶ changes_requested ──resubmit──▶ submitted
        ╰──reject (reason)──▶ rejected          (changes_requested can be rejected too)
    submitted / changes_requested / accepted ──cancel (by the enterprise)──▶ cancelled

Both sides are told about each step through the outbox, in the same transaction as the change.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...enterprises.services.history import HistoryItem
from ...enterprises.services.representatives import is_representative
from ...extensions import db
from ...outbox.services import enqueue_template
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant, utcnow
from ..models import (
    REQUEST_STATUS_LABELS,
    Audience,
    OfferStatus,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    ServiceRequestEvent,
    Technopark,
)
from .technoparks import is_resident
from .values import clean_price

S = RequestStatus
# action -> (statuses it may start from, status it leads to, side that may take it)
TRANSITIONS = {
    "accept": ({S.SUBMITTED}, S.ACCEPTED, "technopark"),
    "request_changes": ({S.SUBMITTED}, S.CHANGES_REQUESTED, "technopark"),
    "reject": ({S.SUBMITTED, S.CHANGES_REQUESTED}, S.REJECTED, "technopark"),
    "complete": ({S.ACCEPTED}, S.COMPLETED, "technopark"),
    "resubmit": ({S.CHANGES_REQUESTED}, S.SUBMITTED, "enterprise"),
    "cancel": ({S.SUBMITTED, S.CHANGES_REQUESTED, S.ACCEPTED}, S.CANCELLED, "enterprise"),
}


def allowed_actions(service_request: ServiceRequest, side: str) -> list[str]:
    return [
        action
        for action, (sources, _target, who) in TRANSITIONS.items()
        if who == side and service_request.status in sources
    ]


def _clean_quantity(value) -> Decimal:
    try:
        quantity = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, AttributeError) as exc:
        raise Refusal(_("The quantity must be a number greater than zero."), "quantity") from exc
    if not quantity.is_finite() or quantity <= 0:
        raise Refusal(_("The quantity must be a number greater than zero."), "quantity")
    if quantity != quantity.quantize(Decimal("0.01")) or quantity > Decimal("9999999999"):
        raise Refusal(_("The quantity can have at most two decimal places."), "quantity")
    return quantity


def _check_dates(start: date | None, end: date | None, field: str) -> None:
    if start and end and end < start:
        raise Refusal(_("The end date cannot be before the start date."), field)


def create_request(
    service: ServiceOffer,
    enterprise,
    user,
    quantity,
    desired_start: date | None = None,
    desired_end: date | None = None,
    comment: str | None = None,
) -> ServiceRequest:
    """A representative of ``enterprise`` requests a published service. Residents-only services accept
    only current residents of the technopark. Attachments are not supported yet."""
    if not is_representative(user, enterprise):
        raise Refusal(
            _("You can only send requests on behalf of an enterprise you represent."), "enterprise_id"
        )
    if service.status != OfferStatus.PUBLISHED:
        raise Refusal(_("This service is not offered at the moment."))
    if service.audience == Audience.RESIDENTS and not is_resident(service.technopark_id, enterprise.id):
        raise Refusal(_("Only residents of the technopark can order this service."), "enterprise_id")
    _check_dates(desired_start, desired_end, "desired_end")
    service_request = ServiceRequest(
        service_id=service.id,
        enterprise_id=enterprise.id,
        requested_by_id=user.id,
        quantity=_clean_quantity(quantity),
        desired_start=desired_start,
        desired_end=desired_end,
        comment=(comment or "").strip() or None,
        status=S.SUBMITTED,
    )
    db.session.add(service_request)
    db.session.flush()
    _history(service_request, None, S.SUBMITTED, user, service_request.comment)
    record(
        "technopark.request_created",
        service_request,
        actor=user,
        after={"service": service.id, "enterprise": enterprise.inn, "quantity": service_request.quantity},
    )
    signals.service_request_changed.send(service_request, previous_status=None)
    _notify_technopark(service_request, "technopark_request_new")
    _notify_requester(service_request, "technopark_request_received")
    return service_request


def _history(service_request, from_status, to_status, actor, note=None) -> None:
    db.session.add(
        ServiceRequestEvent(
            request_id=service_request.id,
            from_status=from_status,
            to_status=to_status,
            actor_id=getattr(actor, "id", None),
            note=note,
        )
    )


def _move(service_request: ServiceRequest, action: str, actor, side: str, note=None) -> ServiceRequest:
    sources, target, who = TRANSITIONS[action]
    if who != side:
        raise Refusal(_("This step belongs to the other side of the request."))
    if service_request.status not in sources:
        raise Refusal(
            _(
                "A request that is “%(status)s” cannot be moved to “%(target)s”.",
                status=status_label(service_request.status),
                target=status_label(target),
            )
        )
    before = service_request.status
    service_request.status = target
    service_request.updated_at = utcnow()
    db.session.flush()
    _history(service_request, before, target, actor, note)
    record(
        f"technopark.request_{action}",
        service_request,
        actor=actor,
        before={"status": before},
        after={"status": target, "note": note, "quote": service_request.quote},
    )
    signals.service_request_changed.send(service_request, previous_status=before)
    if side == "technopark":
        _notify_requester(service_request, "technopark_request_status")
    else:
        _notify_technopark(service_request, "technopark_request_status_staff")
    return service_request


def status_label(status) -> str:
    return str(REQUEST_STATUS_LABELS.get(status, status))


def accept(service_request, actor, quote, scheduled_start: date, scheduled_end: date, note=None):
    """The technopark accepts with a quote (roubles, ≥ 0) and a schedule."""
    if scheduled_start is None or scheduled_end is None:
        raise Refusal(_("Give the scheduled start and end dates."), "scheduled_start")
    _check_dates(scheduled_start, scheduled_end, "scheduled_end")
    if quote is None or (isinstance(quote, str) and not quote.strip()):
        raise Refusal(_("Give the quote in roubles."), "quote")
    try:
        quote = clean_price(quote, field="quote")
    except Refusal as error:
        raise Refusal(str(error), "quote") from error
    _assert_allowed(service_request, "accept")
    service_request.quote = quote
    service_request.scheduled_start = scheduled_start
    service_request.scheduled_end = scheduled_end
    service_request.staff_note = (note or "").strip() or None
    return _move(service_request, "accept", actor, "technopark", service_request.staff_note)


def _assert_allowed(service_request, action):
    sources, target, _who = TRANSITIONS[action]
    if service_request.status not in sources:
        raise Refusal(
            _(
                "A request that is “%(status)s” cannot be moved to “%(target)s”.",
                status=status_label(service_request.status),
                target=status_label(target),
            )
        )


def request_changes(service_request, actor, note):
    if not (note or "").strip():
        raise Refusal(_("Say what should change."), "note")
    service_request.staff_note = note.strip()
    return _move(service_request, "request_changes", actor, "technopark", note.strip())


def reject(service_request, actor, reason):
    if not (reason or "").strip():
        raise Refusal(_("Give the reason for the rejection."), "note")
    _assert_allowed(service_request, "reject")
    service_request.staff_note = reason.strip()
    return _move(service_request, "reject", actor, "technopark", reason.strip())


def complete(service_request, actor, note=None):
    return _move(service_request, "complete", actor, "technopark", (note or "").strip() or None)


def _check_requester(service_request, user):
    if not is_representative(user, service_request.enterprise):
        raise Refusal(_("Only representatives of the enterprise can change its request."))


def resubmit(service_request, user, quantity=None, desired_start=None, desired_end=None, comment=None):
    """The enterprise answers a request for changes with updated details."""
    _check_requester(service_request, user)
    _assert_allowed(service_request, "resubmit")
    if quantity is not None:
        service_request.quantity = _clean_quantity(quantity)
    _check_dates(
        desired_start or service_request.desired_start,
        desired_end or service_request.desired_end,
        "desired_end",
    )
    if desired_start is not None:
        service_request.desired_start = desired_start
    if desired_end is not None:
        service_request.desired_end = desired_end
    if comment:
        service_request.comment = comment.strip()
    return _move(service_request, "resubmit", user, "enterprise", (comment or "").strip() or None)


def cancel(service_request, user, note=None):
    _check_requester(service_request, user)
    return _move(service_request, "cancel", user, "enterprise", (note or "").strip() or None)


# --- notifications ----------------------------------------------------------------------------------


def _context(service_request):
    service = service_request.service
    technopark = db.session.scalar(sa.select(Technopark).where(Technopark.id == service.technopark_id))
    tenant = db.session.get(Tenant, service_request.tenant_id)
    return (
        technopark,
        tenant,
        {
            "request": service_request,
            "service": service,
            "technopark": technopark,
            "tenant": tenant,
            "enterprise": service_request.enterprise,
            "status": service_request.status,
        },
    )


def _notify_requester(service_request, template):
    requester = service_request.requested_by
    if requester is None:
        return
    _technopark, tenant, context = _context(service_request)
    enqueue_template(requester.email, template, requester.locale, tenant_slug=tenant.slug, **context)


def _notify_technopark(service_request, template):
    technopark, tenant, context = _context(service_request)
    recipient = technopark.contact_email or tenant.email
    if recipient:
        enqueue_template(recipient, template, tenant.default_locale, tenant_slug=tenant.slug, **context)


# --- reading ----------------------------------------------------------------------------------------


def requests_for_staff(status: str | None = None):
    """The current tenant's requests, newest first (a statement, for pagination)."""
    statement = (
        sa.select(ServiceRequest)
        .options(sa.orm.joinedload(ServiceRequest.service), sa.orm.joinedload(ServiceRequest.enterprise))
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    )
    if status:
        statement = statement.where(ServiceRequest.status == status)
    return statement


def get_request(request_id: int) -> ServiceRequest | None:
    return db.session.scalar(sa.select(ServiceRequest).where(ServiceRequest.id == request_id))


def requests_of_enterprises(enterprise_ids, limit: int = 200) -> list:
    """The requests of these enterprises in every region, newest first, as rows of
    (request, service name ru/en, technopark name ru/en, tenant slug).

    Cross-tenant on purpose: an enterprise's representative sees its own requests wherever it sent them;
    the named read :func:`~clusterhub.tenancy.cross_tenant.service_requests_of_enterprises` is filtered to
    the given enterprises (which the caller has checked the user represents).
    """
    return cross_tenant.service_requests_of_enterprises(enterprise_ids, limit)


def request_history(enterprise, viewer):
    """The enterprise's service requests in every center, for its profile page (its own rows only)."""
    statement = (
        sa.select(ServiceRequest, ServiceOffer, Tenant)
        .join(
            ServiceOffer,
            sa.and_(
                ServiceOffer.id == ServiceRequest.service_id,
                ServiceOffer.tenant_id == ServiceRequest.tenant_id,
            ),
        )
        .join(Tenant, Tenant.id == ServiceRequest.tenant_id)
        .where(ServiceRequest.enterprise_id == enterprise.id)
        .order_by(ServiceRequest.created_at.desc())
    )
    return [
        HistoryItem(
            tenant=tenant,
            kind=_("Technopark service request"),
            title=offer.name_ru,
            date=request.created_at,
            status=str(REQUEST_STATUS_LABELS.get(request.status, request.status)),
            url=url_for("technoparks.request_detail", tenant=tenant.slug, request_id=request.id),
        )
        for request, offer, tenant in cross_tenant.enterprise_rows(statement)
    ]


def connect_signals() -> None:
    """Service requests in an enterprise's history (``signals.enterprise_history``)."""
    signals.enterprise_history.connect(request_history)
