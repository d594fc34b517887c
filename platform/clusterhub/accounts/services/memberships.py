"""Memberships of a center and invitations to join it.

Services add and flush; the caller commits.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...core.urls import external_url
from ...extensions import db
from ...outbox.services import enqueue_template
from ...tenancy.models import Tenant, utcnow
from ...tenancy.scoping import tenant_scope
from ..models import (
    Invitation,
    Membership,
    TenantRole,
    User,
)
from .users import _serializer, create_user, find_user_by_email, normalize_email, set_password


def keep_an_administrator(tenant_id: int, user: User) -> None:
    """Refuse to take ``user``'s administration of the center away (removal, another role, erasure) when
    they are its only active administrator and the center is active: no one could then manage its members.
    An inactive administrator, or one of a suspended center, may go."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or not tenant.is_active or not user.active:
        return
    with tenant_scope(db.session, tenant_id):
        admins = (
            sa.select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.role == TenantRole.CENTER_ADMIN, User.active.is_(True))
            # Two admins removing each other at once: the second waits for the first and then counts
            # without it, instead of both seeing the other still there.
            .with_for_update(of=Membership)
        )
        ids = set(db.session.scalars(admins))
    if ids == {user.id}:
        raise Refusal(
            _(
                "%(name)s is the center's only active administrator: make someone else an administrator "
                "first, so that the center is not left without one.",
                name=user.full_name,
            )
        )


def add_membership(user: User, tenant: Tenant, role: str, actor=None) -> Membership:
    """Give ``user`` ``role`` in the center, or change the role they have; the center's last active
    administrator keeps that role."""
    with tenant_scope(db.session, tenant.id):
        membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
        if membership is None:
            membership = Membership(user_id=user.id, role=role, tenant_id=tenant.id)
            db.session.add(membership)
        else:
            if membership.role == TenantRole.CENTER_ADMIN and role != TenantRole.CENTER_ADMIN:
                keep_an_administrator(tenant.id, user)
            membership.role = role
        db.session.flush()
        record("membership.granted", membership, actor=actor, after={"user": user.email, "role": role})
        db.session.flush()
    return membership


def remove_membership(membership: Membership, actor) -> None:
    """Remove a user's role in the tenant. The last active administrator of an active center stays."""
    if membership.role == TenantRole.CENTER_ADMIN:
        keep_an_administrator(membership.tenant_id, membership.user)
    record(
        "membership.removed",
        membership,
        actor=actor,
        before={"user": membership.user.email, "role": membership.role},
    )
    db.session.delete(membership)
    db.session.flush()


def invite(tenant: Tenant, email: str, role: str, actor: User) -> tuple[Invitation, str]:
    """Invite ``email`` to the tenant with ``role`` and queue the e-mail with the link. Returns the link."""
    if role not in set(TenantRole):
        raise Refusal(_("Unknown role."))
    if role != TenantRole.EXPERT:  # experts take no seat of the plan
        # a LimitReached (402: the plan, not the input, is in the way) goes to the caller as it is
        signals.staff_inviting.send(tenant)
    email = normalize_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        with tenant_scope(db.session, tenant.id):
            if db.session.scalar(sa.select(Membership.id).where(Membership.user_id == existing.id)):
                raise Refusal(_("This person is already a member of the center."))
    with tenant_scope(db.session, tenant.id):
        invitation = Invitation(email=email, role=role, invited_by_id=actor.id, tenant_id=tenant.id)
        db.session.add(invitation)
        db.session.flush()
    token = _serializer("invite").dumps({"i": invitation.id, "t": tenant.id})
    link = external_url("accounts.accept_invitation", token=token)
    enqueue_template(
        email,
        "invitation",
        tenant.default_locale,
        tenant_slug=tenant.slug,
        tenant_name=tenant.name_ru if tenant.default_locale == "ru" else tenant.name_en,
        role=role,
        link=link,
        inviter=actor.full_name,
    )
    record("invitation.created", invitation, actor=actor, after={"email": email, "role": role})
    return invitation, link


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation behind ``token``; expired, tampered or used tokens raise Refusal."""
    try:
        data = _serializer("invite").loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired as exc:
        raise Refusal(_("This invitation link has expired. Ask the center for a new one.")) from exc
    except BadSignature as exc:
        raise Refusal(_("This invitation link is not valid.")) from exc
    # The signed token names the tenant too, so the invitation is read inside that tenant's scope.
    with tenant_scope(db.session, data.get("t")):
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.id == data.get("i")))
    if invitation is None or invitation.revoked_at is not None:
        raise Refusal(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise Refusal(_("This invitation has already been used. Log in instead."))
    return invitation


def accept_invitation(invitation: Invitation, full_name: str, password: str | None) -> User:
    """Create the account if needed (with the password chosen here) and grant the invited role."""
    user = _user_for_invitation(invitation.email, full_name, password)
    with tenant_scope(db.session, invitation.tenant_id):
        invitation.accepted_at = utcnow()
        add_membership(user, invitation.tenant, invitation.role, actor=user)
        record("invitation.accepted", invitation, actor=user)
        db.session.flush()
    return user


def _user_for_invitation(email: str, full_name: str, password: str | None) -> User:
    """The invited person's account, created if needed; following the link proves the address."""
    user = find_user_by_email(email)
    if user is None:
        return create_user(email, full_name, password, locale=None)
    if user.email_confirmed_at is None:
        user.full_name = full_name.strip()  # a stranger's unconfirmed sign-up must not name this person
        user.email_confirmed_at = utcnow()
    if password:
        set_password(user, password)
    return user


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    if not invitation.is_pending:
        raise Refusal(_("This invitation is no longer pending."))
    invitation.revoked_at = utcnow()
    record("invitation.revoked", invitation, actor=actor)
