"""Billing operations: plans, subscription state, limits and the lapse policy.

Services validate and flush; the request commits. Nothing here ever hides or deletes a center's data: a
reached limit refuses only the creation of one more thing, and a lapsed subscription makes the staff area
read-only until payment arrives.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Invitation, Membership, TenantRole
from ..audit.services import record, snapshot
from ..core import signals
from ..core.refusal import Refusal
from ..extensions import db
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import tenant_scope
from . import providers
from .models import LIMIT_NAMES, BillingInterval, Plan, Subscription, SubscriptionStatus

DEFAULT_GRACE_DAYS = 14

LIMIT_LABELS = {
    "staff_seats": _l("staff seats"),
    "sessions_per_year": _l("published sessions per year"),
    "technoparks": _l("technoparks"),
    "storage_mb": _l("MB of storage"),
}
STATUS_LABELS = {
    SubscriptionStatus.TRIALING: _l("Trial"),
    SubscriptionStatus.ACTIVE: _l("Active"),
    SubscriptionStatus.PAST_DUE: _l("Payment overdue"),
    SubscriptionStatus.CANCELLED: _l("Cancelled"),
}
INTERVAL_LABELS = {BillingInterval.MONTH: _l("per month"), BillingInterval.YEAR: _l("per year")}
PLAN_FIELDS = (
    "code",
    "name_ru",
    "name_en",
    "currency",
    "price_month",
    "price_year",
    *LIMIT_NAMES,
    "api_access",
    "stripe_price_month",
    "stripe_price_year",
    "active",
)


class LimitReached(Refusal):
    """Creating one more thing would exceed the center's plan. ``upgrade_url`` is the billing page (a 402:
    the plan, not the input, is in the way)."""

    status = 402

    def __init__(self, message: str, *, limit: str, plan: Plan, upgrade_url: str | None):
        super().__init__(message)
        self.limit = limit
        self.plan = plan
        self.upgrade_url = upgrade_url


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# --- plans ---------------------------------------------------------------------------------------


def list_plans(active_only: bool = False) -> list[Plan]:
    statement = sa.select(Plan).order_by(Plan.price_month, Plan.id)
    if active_only:
        statement = statement.where(Plan.active.is_(True))
    return list(db.session.scalars(statement))


def _validate_plan(values: dict, plan: Plan | None) -> dict:
    code = (values.get("code") or "").strip().lower()
    if not code:
        raise Refusal(_("Give the plan a code."))
    clash = db.session.scalar(sa.select(Plan.id).where(Plan.code == code))
    if clash is not None and (plan is None or clash != plan.id):
        raise Refusal(_("A plan with the code %(code)s already exists.", code=code))
    if not (values.get("name_ru") or "").strip() or not (values.get("name_en") or "").strip():
        raise Refusal(_("Give the plan a name in Russian and in English."))
    currency = (values.get("currency") or "RUB").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise Refusal(_("The currency must be a three-letter code such as RUB."))
    cleaned = {**values, "code": code, "currency": currency}
    for name in ("price_month", "price_year", *LIMIT_NAMES):
        value = cleaned.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise Refusal(_("Prices and limits cannot be negative."))
    cleaned["price_month"] = cleaned.get("price_month") or 0
    cleaned["price_year"] = cleaned.get("price_year") or 0
    for name in ("stripe_price_month", "stripe_price_year"):
        cleaned[name] = (cleaned.get(name) or "").strip() or None
    return cleaned


def save_plan(values: dict, *, actor, plan: Plan | None = None) -> Plan:
    """Create a plan, or change one; subscriptions on it get the new limits at once."""
    cleaned = _validate_plan(values, plan)
    before = snapshot(plan, PLAN_FIELDS) if plan is not None else None
    if plan is None:
        plan = Plan()
        db.session.add(plan)
    for name in PLAN_FIELDS:
        if name in cleaned:
            setattr(plan, name, cleaned[name])
    db.session.flush()
    record("billing.plan_saved", plan, actor=actor, before=before, after=snapshot(plan, PLAN_FIELDS))
    return plan


# --- subscriptions -------------------------------------------------------------------------------


def get_subscription(tenant_id: int) -> Subscription | None:
    """The center's subscription (read in the center's own scope, so callable from anywhere)."""
    with tenant_scope(db.session, tenant_id):
        return db.session.scalar(sa.select(Subscription))


def _audit_fields(sub: Subscription) -> dict:
    return {
        "plan": sub.plan.code if sub.plan else sub.plan_id,
        "provider": sub.provider,
        "status": sub.status,
        "interval": sub.interval,
        "current_period_end": sub.current_period_end,
        "past_due_since": sub.past_due_since,
    }


def _set_status(sub: Subscription, status: str, now: datetime) -> None:
    if status == SubscriptionStatus.PAST_DUE:
        if sub.past_due_since is None:
            sub.past_due_since = now  # the grace period starts at the first overdue notice only
    else:
        sub.past_due_since = None
    sub.status = status


def apply_provider_state(
    tenant_id: int,
    *,
    provider: str,
    status: str,
    plan: Plan | None,
    interval: str | None,
    period_start: datetime | None,
    period_end: datetime | None,
    actor=None,
    now: datetime | None = None,
) -> Subscription:
    """Make the center's subscription match the provider's current state (idempotent)."""
    now = now or utcnow()
    with tenant_scope(db.session, tenant_id):
        sub = get_subscription(tenant_id)
        before = _audit_fields(sub) if sub is not None else None
        if sub is None:
            if plan is None:
                raise Refusal(_("The subscription's plan is not known to ClusterHub."))
            sub = Subscription(tenant_id=tenant_id, plan=plan, provider=provider)
            db.session.add(sub)
        if plan is not None:
            sub.plan = plan
        sub.provider = provider
        if interval:
            sub.interval = interval
        sub.current_period_start = period_start or sub.current_period_start
        sub.current_period_end = period_end or sub.current_period_end
        sub.next_payment_at = sub.current_period_end if status != SubscriptionStatus.CANCELLED else None
        was_lapsing = before is not None and before["status"] in (
            SubscriptionStatus.PAST_DUE,
            SubscriptionStatus.CANCELLED,
        )
        _set_status(sub, status, now)
        db.session.flush()
        if status == SubscriptionStatus.PAST_DUE and (before is None or before["status"] != status):
            _notify_center_admins(sub, "billing_past_due")
        elif status == SubscriptionStatus.ACTIVE and was_lapsing:
            _notify_center_admins(sub, "billing_restored")
        after = _audit_fields(sub)
        if before != after:
            record("billing.subscription_updated", sub, actor=actor, before=before, after=after)
            db.session.flush()  # inside the scope: RLS accepts the entry only in its tenant's scope
        return sub


def _notify_center_admins(sub: Subscription, template: str) -> None:
    """Mail the center's administrators (through the outbox, in the same transaction as the change)."""
    from ..outbox.services import enqueue_template

    tenant = db.session.get(Tenant, sub.tenant_id)
    admins = db.session.scalars(sa.select(Membership).where(Membership.role == TenantRole.CENTER_ADMIN)).all()
    since = read_only_since(sub)
    for membership in admins:
        user = membership.user
        locale = user.locale or tenant.default_locale
        enqueue_template(
            user.email,
            template,
            locale,
            tenant_slug=tenant.slug,
            tenant_name=tenant.name_ru if locale == "ru" else tenant.name_en,
            plan_name=sub.plan.name_ru if locale == "ru" else sub.plan.name_en,
            read_only_on=since.strftime("%d.%m.%Y") if since else "",
            link=f"{current_app.config['BASE_URL'].rstrip('/')}/{tenant.slug}/staff/billing/",
        )


def set_subscription(
    tenant: Tenant, *, plan: Plan, status: str, interval: str, period_end, actor
) -> Subscription:
    """The platform admin's manual change (e.g. a trial, or a plan agreed outside any provider)."""
    if status not in set(SubscriptionStatus):
        raise Refusal(_("Unknown subscription status."))
    if interval not in set(BillingInterval):
        raise Refusal(_("Unknown billing interval."))
    sub = get_subscription(tenant.id)
    return apply_provider_state(
        tenant.id,
        provider=sub.provider if sub is not None else "manual",
        status=status,
        plan=plan,
        interval=interval,
        period_start=(sub.current_period_start if sub else None) or utcnow(),
        period_end=period_end,
        actor=actor,
    )


def extend_paid_period(tenant_id: int, *, plan: Plan, interval: str, provider: str, paid_on: datetime, actor):
    """A payment arrived: activate the subscription and add one period after the current paid end.

    Returns ``(subscription, period_start, period_end)``: the period this payment covers.
    """
    sub = get_subscription(tenant_id)
    start = paid_on
    if sub is not None and sub.current_period_end and sub.current_period_end > paid_on:
        start = sub.current_period_end  # paid ahead: the new period follows the running one
    end = add_interval(start, interval)
    sub = apply_provider_state(
        tenant_id,
        provider=provider,
        status=SubscriptionStatus.ACTIVE,
        plan=plan,
        interval=interval,
        period_start=start,
        period_end=end,
        actor=actor,
    )
    return sub, start, end


def add_interval(start: datetime, interval: str) -> datetime:
    if interval == BillingInterval.YEAR:
        try:
            return start.replace(year=start.year + 1)
        except ValueError:  # 29 February
            return start.replace(year=start.year + 1, day=28)
    month = start.month % 12 + 1
    year = start.year + (1 if start.month == 12 else 0)
    day = start.day
    while True:
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def mark_past_due_periods(now: datetime | None = None) -> int:
    """Subscriptions paid by invoice or set by the platform admin (trials included) whose period ended
    become past due (run daily; Stripe reports its own). Returns how many."""
    now = now or utcnow()
    count = 0
    for tenant_id in db.session.scalars(sa.select(Tenant.id)).all():
        with tenant_scope(db.session, tenant_id):
            sub = db.session.scalar(
                sa.select(Subscription).where(
                    Subscription.status.in_((SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)),
                    Subscription.provider.in_(("invoice", "manual")),
                    Subscription.current_period_end < now,
                )
            )
            if sub is not None:
                before = _audit_fields(sub)
                _set_status(sub, SubscriptionStatus.PAST_DUE, now)
                record("billing.subscription_updated", sub, before=before, after=_audit_fields(sub))
                db.session.flush()
                count += 1
    return count


# --- enforcement ---------------------------------------------------------------------------------


def billing_enabled() -> bool:
    """With no provider configured (the local default) billing enforces nothing."""
    return bool(providers.configured_providers())


def grace_days() -> int:
    return int(current_app.config.get("BILLING_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def read_only_since(sub: Subscription | None) -> datetime | None:
    """When the staff area of this subscription's center became (or becomes) read-only, if it does."""
    if sub is None:
        return None
    if sub.status == SubscriptionStatus.PAST_DUE and sub.past_due_since is not None:
        return sub.past_due_since + timedelta(days=grace_days())
    if sub.status == SubscriptionStatus.CANCELLED:
        return sub.current_period_end or sub.updated_at
    return None


def is_read_only(tenant_id: int, now: datetime | None = None, *, sub: Subscription | None = None) -> bool:
    """Is the center's staff area read-only because of a lapsed payment? Never with billing switched off.

    ``sub`` saves the query when the caller has the center's subscription already."""
    if not billing_enabled():
        return False
    since = read_only_since(sub if sub is not None else get_subscription(tenant_id))
    return since is not None and (now or utcnow()) >= since


def _billing_url(tenant: Tenant) -> str | None:
    try:
        return url_for("billing.overview", tenant=tenant.slug)
    except RuntimeError:  # no request or app context able to build URLs
        return None


def check_limit(tenant: Tenant, limit: str, current_count: int) -> None:
    """Refuse creating one more thing when ``current_count`` already reaches the plan's ``limit``.

    Call it before creating (e.g. ``check_limit(tenant, "staff_seats", seats_in_use)``). A center with
    no subscription, an unlimited plan, or billing switched off is never limited. Raises
    :class:`LimitReached` with a translated message naming the plan and the way to upgrade.
    """
    if limit not in LIMIT_NAMES:
        raise KeyError(limit)
    if not billing_enabled():
        return
    sub = get_subscription(tenant.id)
    if sub is None:
        return
    allowed = sub.plan.limit(limit)
    if allowed is None or current_count < allowed:
        return
    url = _billing_url(tenant)
    raise LimitReached(
        _(
            "The limit of the %(plan)s plan is reached (%(what)s: %(allowed)d). Nothing has been "
            "removed; to add more, choose a bigger plan on the billing page: %(url)s",
            plan=localized_name(sub.plan),
            allowed=allowed,
            what=LIMIT_LABELS[limit],
            url=url or "",
        ),
        limit=limit,
        plan=sub.plan,
        upgrade_url=url,
    )


def has_api_access(tenant: Tenant) -> bool:
    if not billing_enabled():
        return True
    sub = get_subscription(tenant.id)
    return sub is None or sub.plan.api_access


def staff_seats_in_use(tenant: Tenant) -> int:
    """Center admins and staff, plus pending invitations to those roles (experts take no seat)."""
    from ..tenancy.scoping import tenant_scope

    staff_roles = (TenantRole.CENTER_ADMIN, TenantRole.CENTER_STAFF)
    with tenant_scope(db.session, tenant.id):
        members = db.session.scalar(
            sa.select(sa.func.count()).select_from(Membership).where(Membership.role.in_(staff_roles))
        )
        pending = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Invitation)
            .where(
                Invitation.role.in_(staff_roles),
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
        )
    return members + pending


def storage_in_use(tenant: Tenant) -> int:
    """Bytes of every file the center keeps: each tenant-owned table with ``storage_key`` and ``size``
    columns counts (found from the metadata, so a module's new kind of upload is counted without a change
    here). One statement."""
    from ..tenancy.scoping import mapped_attribute, tenant_owned_tables, tenant_scope

    tables = [t for t in tenant_owned_tables() if {"storage_key", "size"} <= set(t.c.keys())]
    if not tables:
        return 0
    sizes = sa.union_all(
        *(
            sa.select(mapped_attribute(t, "size").label("size")).where(
                mapped_attribute(t, "tenant_id") == tenant.id
            )
            for t in tables
        )
    )
    sizes = sizes.subquery()
    with tenant_scope(db.session, tenant.id):
        return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(sizes.c.size), 0))))


def check_storage(tenant: Tenant, new_bytes: int) -> None:
    """For uploads: raises :class:`LimitReached` when ``new_bytes`` more would pass the plan's storage."""
    megabytes_after = (storage_in_use(tenant) + new_bytes - 1) // (1024 * 1024)
    check_limit(tenant, "storage_mb", megabytes_after)


def check_staff_seat(tenant: Tenant, **_kwargs) -> None:
    """For invitations to a staff role (``signals.staff_inviting``): raises :class:`LimitReached` when
    every seat is taken."""
    check_limit(tenant, "staff_seats", staff_seats_in_use(tenant))


def localized_name(plan: Plan) -> str:
    from ..core.i18n import localized

    return localized(plan, "name")


def _refuse_files_over_storage(tenant: Tenant, size: int) -> None:
    check_storage(tenant, size)


def connect_signals() -> None:
    """Every stored file counts against the center's plan (see ``core/files.store``), every staff member
    takes a seat (``accounts.services.memberships.invite``)."""
    signals.file_storing.connect(_refuse_files_over_storage)
    signals.staff_inviting.connect(check_staff_seat)
