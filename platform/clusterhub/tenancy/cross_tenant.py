"""Every read that crosses centers, in one place (the federal reporting layer excepted).

A center's rows are invisible outside its scope (the ORM guard everywhere, Row-Level Security on
PostgreSQL). A few public or personal pages must still read across centers; each such read is a named
function here, read-only, inside :func:`~clusterhub.tenancy.scoping.federal_read_scope` with
``cross_tenant=True``, and restricted in its query to exactly what its page may show. No service opens the
federal scope itself (``tests/security/test_cross_tenant.py`` fails if one does). Each function says why it may
cross centers and what it restricts to.

Two kinds of function:

- **named queries** build their whole statement here (the public calendar, protocol verification by hash,
  a token looked up by its hash, a person's own rows...);
- **named runners** take a statement that a module builds with its own joins, because it is bound to that
  module's statement builder (the public catalogue search, the enterprise-history providers). The runner's
  docstring states the restriction the statement must carry; callers are listed there.

This module imports models only (models import nothing but ``tenancy.scoping``), never services.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership
from ..audit.models import AuditEntry
from ..defenses.models import Protocol
from ..events.models import SEAT_HOLDING, Event, EventStatus, Registration
from ..extensions import db
from ..privacy.models import CenterErasure
from ..technoparks.models import ServiceOffer, ServiceRequest, Technopark
from ..tokens.models import CenterApiToken
from .models import Tenant, TenantStatus
from .scoping import federal_read_scope

#: The statuses of an event that its center has made public (the calendar, an enterprise's history).
CALENDAR_STATUSES = (EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED, EventStatus.FINISHED)


def _all(statement: Any) -> list[Any]:
    """Every row of ``statement``, fetched inside the read-only federal scope."""
    with federal_read_scope(db.session):
        return list(db.session.execute(statement.execution_options(cross_tenant=True)).all())


def _scalars(statement: Any) -> list[Any]:
    with federal_read_scope(db.session):
        return list(db.session.scalars(statement.execution_options(cross_tenant=True)))


def _scalar(statement: Any) -> Any:
    with federal_read_scope(db.session):
        return db.session.scalar(statement.execution_options(cross_tenant=True))


# --- public listings ------------------------------------------------------------------------------------


def published_events(
    region_id: int | None = None, kind: str | None = None, since: date | None = None
) -> list[Any]:
    """Published events of every active center, as ``(Event, Tenant)`` rows, for the platform calendar.

    Why across centers: the calendar is public and shows what each center has published. Restricted to
    events in :data:`CALENDAR_STATUSES` of active centers (drafts never leave their center).
    """
    statement = (
        sa.select(Event, Tenant)
        .join(Tenant, Tenant.id == Event.tenant_id)
        .where(Event.status.in_(CALENDAR_STATUSES), Tenant.status == "active")
        .order_by(Event.start_date, Event.id)
        .options(selectinload(Event.region))
    )
    if region_id:
        statement = statement.where(Event.region_id == region_id)
    if kind:
        statement = statement.where(Event.kind == kind)
    if since:
        statement = statement.where(Event.end_date >= since)
    return _all(statement)


def public_catalogue_rows(statement: Any) -> list[Any]:
    """Run a statement of the public technopark catalogue (``technoparks/services/search.py``) across centers.

    Why across centers: the catalogue of services and equipment is public and federal. The statement must
    come from the catalogue's builder, which restricts it to published services / bookable equipment of
    active centers; this runner adds nothing and writes nothing.
    """
    return _all(statement)


def public_catalogue_count(statement: Any) -> int:
    """The number of rows of a public catalogue statement (see :func:`public_catalogue_rows`)."""
    count = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    return _scalar(count) or 0


def protocol_by_hash(digest: str) -> Protocol | None:
    """The signed defense protocol with this content hash, in whichever center signed it.

    Why across centers: the verification page is public and the hash alone does not say which center
    signed. Restricted to the one row with this exact hash.
    """
    return _scalar(sa.select(Protocol).where(Protocol.content_hash == digest))


def center_token_by_hash(token_hash: str) -> CenterApiToken | None:
    """The center API token with this secret's hash, in whichever center issued it.

    Why across centers: a request may name another center than the token's, and must then answer 404, not
    401, so the token is found before the center is checked. Restricted to the one row with this hash.
    """
    return _scalar(sa.select(CenterApiToken).where(CenterApiToken.token_hash == token_hash))


# --- an enterprise's history and merges -----------------------------------------------------------------


def enterprise_rows(statement: Any) -> list[Any]:
    """Every row of a statement about one enterprise's rows in every center.

    Why across centers: an enterprise profile is global, and its history (cluster memberships, projects,
    service requests, sessions) and the merge of two duplicate profiles concern every center. The
    statement must be restricted to the enterprise(s) of that profile (``enterprise_id == ...`` or the two
    profiles being merged). Callers: the history providers of clusters, projects and technoparks,
    ``clusters.services.members.merge_duplicate_memberships``, and the cooperation exchange's count of sessions and
    clusters two enterprises share on a match (restricted to the enterprises on the page; only counts leave
    it).
    """
    return _all(statement)


def enterprise_session_participation(enterprise_id: int) -> list[Any]:
    """The public events of every center in which people of the enterprise took part or are registered,
    as ``(Event, Tenant, registrations, present)`` rows, newest first.

    Why across centers: an enterprise's history on its global profile. Restricted to registrations of this
    enterprise that hold a seat, in events their center has published; only counts, never names.
    """
    statement = (
        sa.select(Event, Tenant, sa.func.count(Registration.id), sa.func.count(Registration.checked_in_at))
        .join(Registration, Registration.event_id == Event.id)
        .join(Tenant, Tenant.id == Event.tenant_id)
        .where(
            Registration.enterprise_id == enterprise_id,
            Registration.tenant_id == Event.tenant_id,
            Registration.status.in_(SEAT_HOLDING),
            Event.status.in_(CALENDAR_STATUSES),
        )
        .group_by(Event.id, Tenant.id)
        .order_by(Event.start_date.desc())
    )
    return _all(statement)


def enterprise_reference_counts(
    references: Iterable[tuple[sa.Table, sa.Column[Any]]], enterprise_id: int
) -> dict[str, int]:
    """How many rows of each referencing ``(table, column)`` point at the enterprise, in every center,
    as ``{"table.column": count}`` (zero counts left out), for the merge preview.

    Why across centers: a platform admin merging two global profiles must see every reference. Restricted
    to counts of rows referencing this one enterprise.
    """
    counts = {}
    with federal_read_scope(db.session):
        for table, column in references:
            count = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(table)
                .where(column == enterprise_id)
                .execution_options(cross_tenant=True)
            )
            if count:
                counts[f"{table.name}.{column.name}"] = count
    return counts


def tenants_referencing(table: sa.Table, column: sa.Column[Any], enterprise_id: int) -> list[int]:
    """The ids of the centers holding rows of ``table`` whose ``column`` points at the enterprise.

    Why across centers: a merge moves each center's references inside that center's scope, so it must
    first know which centers hold any. Restricted to the distinct tenant ids of this enterprise's rows.
    """
    statement = sa.select(table.c.tenant_id).where(column == enterprise_id).distinct()
    return _scalars(statement)


def enterprise_profile_audit(enterprise_id: int, limit: int = 100) -> list[AuditEntry]:
    """The platform-level audit entries about one enterprise profile, newest first.

    Why the federal scope: platform-level entries (no tenant) are readable on PostgreSQL only there.
    Restricted to entries without a tenant whose target is this enterprise.
    """
    statement = (
        sa.select(AuditEntry)
        .where(
            AuditEntry.target_type == "Enterprise",
            AuditEntry.target_id == str(enterprise_id),
            AuditEntry.tenant_id.is_(None),
        )
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return _scalars(statement)


def service_requests_of_enterprises(enterprise_ids: Iterable[int], limit: int = 200) -> list[Any]:
    """The service requests of these enterprises in every center, newest first, as rows of (request id,
    status, created_at, quote, enterprise_id, service and technopark names ru/en, tenant slug).

    Why across centers: a representative sees their enterprise's own requests wherever they sent them.
    Restricted to the given enterprises, which the caller has checked the user represents.
    """
    if not enterprise_ids:
        return []
    statement = (
        sa.select(
            ServiceRequest.id,
            ServiceRequest.status,
            ServiceRequest.created_at,
            ServiceRequest.quote,
            ServiceRequest.enterprise_id,
            ServiceOffer.name_ru.label("service_name_ru"),
            ServiceOffer.name_en.label("service_name_en"),
            Technopark.name_ru.label("technopark_name_ru"),
            Technopark.name_en.label("technopark_name_en"),
            Tenant.slug.label("tenant_slug"),
        )
        .join(
            ServiceOffer,
            sa.and_(
                ServiceOffer.id == ServiceRequest.service_id,
                ServiceOffer.tenant_id == ServiceRequest.tenant_id,
            ),
        )
        .join(
            Technopark,
            sa.and_(
                Technopark.id == ServiceOffer.technopark_id, Technopark.tenant_id == ServiceOffer.tenant_id
            ),
        )
        .join(Tenant, Tenant.id == ServiceRequest.tenant_id)
        .where(ServiceRequest.enterprise_id.in_(list(enterprise_ids)))
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .limit(limit)
    )
    return _all(statement)


# --- a person's own rows --------------------------------------------------------------------------------


def member_tenant_ids(user_id: int) -> set[int]:
    """The ids of the centers where the user has a membership (any role).

    Why across centers: who may see which items of an enterprise's history depends on the viewer's own
    centers. Restricted to this user's memberships.
    """
    return set(_scalars(sa.select(Membership.tenant_id).where(Membership.user_id == user_id)))


def own_roles(user_id: int) -> list[Any]:
    """The user's roles in active centers, as ``(role, Tenant)`` rows ordered by the center's name.

    Why across centers: the start page shows the user their own work in every center. Restricted to this
    user's memberships.
    """
    statement = (
        sa.select(Membership.role, Tenant)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == user_id, Tenant.status == TenantStatus.ACTIVE)
        .order_by(Tenant.name_ru)
    )
    return _all(statement)


def own_registration_counts(user_id: int, email: str) -> list[Any]:
    """The number of registrations made with the user's address or by the user, per active center, as
    ``(Tenant, count)`` rows.

    Why across centers: the start page shows the user their own registrations in every center.
    Restricted to registrations with this user's address or made by this user; only counts.
    """
    statement = (
        sa.select(Tenant, sa.func.count(Registration.id))
        .join(Tenant, Tenant.id == Registration.tenant_id)
        .where(
            sa.or_(Registration.email == email, Registration.registered_by_id == user_id),
            Tenant.status == TenantStatus.ACTIVE,
        )
        .group_by(Tenant.id)
        .order_by(Tenant.name_ru)
    )
    return _all(statement)


def personal_rows(statement: Any) -> list[Any]:
    """Run one statement of a person's own data export or erasure request across centers.

    Why across centers: the person's own data is theirs to read in every center (152-ФЗ, art. 14). The
    statement must be restricted to rows of this one person (their account id, or registrations made with
    their address). Caller: ``privacy.services.export.read_own_data_across_centers``.
    """
    return _all(statement)


def erasure_parts(erasure_request_id: int) -> list[Any]:
    """Each center's part of one erasure request, as ``(Tenant, completed_at)`` rows.

    Why across centers: the person follows their own request on their «My data» page. Restricted to the
    parts of this one request.
    """
    statement = (
        sa.select(Tenant, CenterErasure.completed_at)
        .join(CenterErasure, CenterErasure.tenant_id == Tenant.id)
        .where(CenterErasure.erasure_request_id == erasure_request_id)
        .order_by(Tenant.id)
    )
    return _all(statement)


def pending_erasure_parts(erasure_request_id: int) -> int:
    """How many centers have not completed their part of the erasure request yet.

    Why across centers: the account is anonymised when the last center completes. Restricted to a count
    of the parts of this one request.
    """
    statement = sa.select(sa.func.count(CenterErasure.id)).where(
        CenterErasure.erasure_request_id == erasure_request_id, CenterErasure.completed_at.is_(None)
    )
    return _scalar(statement) or 0
