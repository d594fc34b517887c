"""Erasure requests (152-ФЗ art. 14 part 1, art. 21 parts 3–5): a global request plus one part per center
that holds the person's data; each center's admin completes its part within ``PRIVACY_ERASURE_DAYS``.
Rows that must stay keep a pseudonym; memberships and invitations are deleted. When the last center has
completed, the account itself is anonymised (and at once when no center holds anything).
The withdrawal of consent for one registration anonymises it at once in its center.

Services add and flush; the request commits.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...accounts.models import ApiToken, FederalInvitation, Invitation, Membership, TenantRole, User
from ...accounts.services.memberships import keep_an_administrator
from ...audit.services import record
from ...core.refusal import Refusal
from ...defenses.models import Protocol
from ...enterprises.models import EnterpriseRepresentative
from ...events.models import Registration
from ...extensions import db
from ...outbox.models import OutboxMessage
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant, utcnow
from ...tenancy.scoping import tenant_scope
from ..models import CenterErasure, ErasureRequest, MailConsentWithdrawal
from .export import read_own_data_across_centers
from .pseudonyms import (
    anonymise_registration,
    anonymous_email,
    identity_digest,
    pseudonym_for,
    pseudonymise_protocol,
)


def withdraw_registration_consent(user: User, center_slug: str, registration_id: int) -> Registration:
    """The person withdraws consent to processing for one of their registrations: it is cancelled (unless
    the session is over) and anonymised at once in that center. Only the person's own registrations (as
    :func:`read_own_data_across_centers` finds them) can be named."""
    from ...events.services.registration import cancel_registration

    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == center_slug))
    own = {(r["tenant_id"], r["id"]) for r in read_own_data_across_centers(user).registrations}
    if tenant is None or (tenant.id, registration_id) not in own:
        raise Refusal(_("This is not one of your registrations."))
    with tenant_scope(db.session, tenant.id):
        registration = db.session.get(Registration, registration_id)
        if registration.is_active and not registration.event.has_ended:
            cancel_registration(registration, actor=user)
        anonymise_registration(registration, pseudonym_for("user", user.id))
        db.session.flush()
        record("privacy.registration_consent_withdrawn", registration, actor=user)
    return registration


def pending_erasure(user: User) -> ErasureRequest | None:
    return db.session.scalar(
        sa.select(ErasureRequest).where(
            ErasureRequest.user_id == user.id, ErasureRequest.completed_at.is_(None)
        )
    )


def erasure_requests_of(user: User) -> list[ErasureRequest]:
    return list(
        db.session.scalars(
            sa.select(ErasureRequest)
            .where(ErasureRequest.user_id == user.id)
            .order_by(ErasureRequest.id.desc())
        )
    )


def request_erasure(user: User, now: datetime | None = None) -> ErasureRequest:
    """Record the person's erasure request: a global row and one part for every center holding their data,
    each due in ``PRIVACY_ERASURE_DAYS``. With no center involved the account is anonymised at once."""
    if pending_erasure(user) is not None:
        raise Refusal(_("Your erasure request is already being processed."))
    now = now or utcnow()
    due_at = now + timedelta(days=current_app.config["PRIVACY_ERASURE_DAYS"])
    pseudonym = pseudonym_for("user", user.id)
    request = ErasureRequest(
        user_id=user.id,
        pseudonym=pseudonym,
        name_digest=identity_digest(user.full_name),
        email_digest=identity_digest(user.email),
        requested_at=now,
        due_at=due_at,
    )
    db.session.add(request)
    db.session.flush()
    record("privacy.erasure_requested", request, actor=user, after={"due_at": due_at.date().isoformat()})
    tenant_ids = sorted(read_own_data_across_centers(user).tenant_ids)
    for tenant_id in tenant_ids:
        with tenant_scope(db.session, tenant_id):
            part = CenterErasure(
                erasure_request_id=request.id, pseudonym=pseudonym, requested_at=now, due_at=due_at
            )
            db.session.add(part)
            db.session.flush()
            record("privacy.erasure_requested", part, actor=user, after={"due_at": due_at.date().isoformat()})
    if not tenant_ids:
        complete_account_erasure(request, now=now)
    return request


def erasure_progress(request: ErasureRequest) -> list[dict]:
    """Each center's part of the person's own request, for their «My data» page: a read across centers,
    restricted to the parts of this one request."""
    rows = cross_tenant.erasure_parts(request.id)
    return [{"center": tenant, "completed_at": completed_at} for tenant, completed_at in rows]


def center_erasures(pending_only: bool = False) -> list[CenterErasure]:
    """The current center's erasure requests, oldest deadline first."""
    statement = sa.select(CenterErasure).order_by(
        CenterErasure.completed_at.is_not(None), CenterErasure.due_at, CenterErasure.id
    )
    if pending_only:
        statement = statement.where(CenterErasure.completed_at.is_(None))
    return list(db.session.scalars(statement))


def center_erasure(erasure_id: int) -> CenterErasure | None:
    """One of the current center's parts (another center's id is simply not found)."""
    return db.session.scalar(sa.select(CenterErasure).where(CenterErasure.id == erasure_id))


def _pending_parts(request_id: int) -> int:
    """How many centers have not completed their part yet (a count across centers, read-only)."""
    return cross_tenant.pending_erasure_parts(request_id)


def complete_center_erasure(part: CenterErasure, *, actor, now: datetime | None = None) -> dict:
    """The center admin's one action: the person's registrations in this center are anonymised, signed
    protocols get the pseudonym, memberships and invitations are deleted. Returns what was done. When the
    last center completes, the account is anonymised too. The center's only active administrator is not
    erased until someone else administers the center."""
    # Every center's completion of one request takes this row lock first: two admins completing the last
    # two parts at once would otherwise each still count the other's as pending, and the account would
    # never be anonymised. The second waits, then sees the first one's part completed.
    request = db.session.scalar(
        sa.select(ErasureRequest)
        .where(ErasureRequest.id == part.erasure_request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.refresh(part)
    if part.completed_at is not None:
        raise Refusal(_("This erasure request has already been completed."))
    now = now or utcnow()
    user = db.session.get(User, request.user_id) if request.user_id else None
    done = {"registrations": 0, "memberships": 0, "invitations": 0, "protocols": 0}
    if user is not None:
        for membership in db.session.scalars(
            sa.select(Membership).where(
                Membership.user_id == user.id, Membership.role == TenantRole.CENTER_ADMIN
            )
        ):
            keep_an_administrator(membership.tenant_id, user)
        email = user.email.lower()
        for registration in db.session.scalars(
            sa.select(Registration).where(
                sa.or_(Registration.user_id == user.id, sa.func.lower(Registration.email) == email)
            )
        ):
            anonymise_registration(registration, part.pseudonym)
            done["registrations"] += 1
        for registration in db.session.scalars(
            sa.select(Registration).where(Registration.registered_by_id == user.id)
        ):
            registration.registered_by_id = None
        for membership in db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id)):
            db.session.delete(membership)
            done["memberships"] += 1
        for invitation in db.session.scalars(
            sa.select(Invitation).where(sa.func.lower(Invitation.email) == email)
        ):
            db.session.delete(invitation)
            done["invitations"] += 1
        for protocol in db.session.scalars(sa.select(Protocol)):
            if pseudonymise_protocol(protocol, user.full_name, part.pseudonym, now):
                done["protocols"] += 1
    part.completed_at = now
    part.completed_by_id = getattr(actor, "id", None)
    part.outcome = done
    db.session.flush()
    record("privacy.erasure_completed", part, actor=actor, after=done)
    if _pending_parts(request.id) == 0:
        complete_account_erasure(request, now=now)
    return done


def complete_account_erasure(request: ErasureRequest, now: datetime | None = None) -> None:
    """The global part: the account becomes the pseudonym (it stays, as signed records point at it), can no
    longer log in, and loses its tokens, enterprise links, consent records and mail."""
    now = now or utcnow()
    user = db.session.get(User, request.user_id) if request.user_id else None
    if user is not None:
        email = user.email.lower()
        for model, condition in (
            (ApiToken, ApiToken.user_id == user.id),
            (EnterpriseRepresentative, EnterpriseRepresentative.user_id == user.id),
            (FederalInvitation, sa.func.lower(FederalInvitation.email) == email),
            (MailConsentWithdrawal, MailConsentWithdrawal.email == email),
            (OutboxMessage, sa.func.lower(OutboxMessage.recipient) == email),
        ):
            for row in db.session.scalars(sa.select(model).where(condition)):
                db.session.delete(row)
        user.full_name = request.pseudonym
        user.email = anonymous_email(request.pseudonym)
        user.password_hash = None
        user.active = False
        user.global_role = None
        user.locale = None
        user.last_login_at = None
        user.session_token = secrets.token_urlsafe(16)  # every session of the account ends
    request.completed_at = now
    db.session.flush()
    record("privacy.account_anonymised", request, tenant_id=None)
