"""Federal staff: who holds a federal role, invitations to it and its withdrawal.

Services add and flush; the caller commits.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired

from ...audit.services import record
from ...core.refusal import Refusal
from ...core.urls import external_url
from ...extensions import db
from ...outbox.services import enqueue_template
from ...tenancy.models import utcnow
from ..models import (
    FEDERAL_ROLES,
    FederalInvitation,
    User,
)
from .memberships import _user_for_invitation
from .users import _serializer, end_sessions, find_user_by_email, normalize_email


def federal_staff() -> list[User]:
    return db.session.scalars(
        sa.select(User).where(User.global_role.in_(FEDERAL_ROLES)).order_by(User.full_name)
    ).all()


def pending_federal_invitations() -> list[FederalInvitation]:
    return db.session.scalars(
        sa.select(FederalInvitation)
        .where(FederalInvitation.accepted_at.is_(None), FederalInvitation.revoked_at.is_(None))
        .order_by(FederalInvitation.created_at.desc())
    ).all()


def invite_federal(email: str, role: str, actor: User) -> tuple[FederalInvitation, str]:
    """A platform admin invites a federal analyst or reviewer; queues the e-mail and returns the link."""
    if role not in FEDERAL_ROLES:
        raise Refusal(_("Choose a federal role."))
    email = normalize_email(email)
    existing = find_user_by_email(email)
    if existing is not None and existing.global_role:
        raise Refusal(_("This person already has a platform-wide role."))
    if any(pending.email == email for pending in pending_federal_invitations()):
        raise Refusal(_("An invitation to this address is waiting for an answer already."))
    invitation = FederalInvitation(email=email, role=role, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    token = _serializer("federal-invite").dumps({"i": invitation.id})
    link = external_url("accounts.accept_federal_invitation", token=token)
    enqueue_template(email, "federal_invitation", "ru", role=role, link=link, inviter=actor.full_name)
    record("federal_invitation.created", invitation, actor=actor, after={"email": email, "role": role})
    return invitation, link


def federal_invitation_from_token(token: str) -> FederalInvitation:
    """The pending federal invitation behind ``token``; expired, tampered or used tokens raise."""
    try:
        data = _serializer("federal-invite").loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired as exc:
        raise Refusal(_("This invitation link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise Refusal(_("This invitation link is not valid.")) from exc
    invitation = db.session.get(FederalInvitation, data.get("i"))
    if invitation is None or invitation.revoked_at is not None:
        raise Refusal(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise Refusal(_("This invitation has already been used. Log in instead."))
    return invitation


def accept_federal_invitation(invitation: FederalInvitation, full_name: str, password: str | None) -> User:
    """Create the account if needed and grant the federal role."""
    user = _user_for_invitation(invitation.email, full_name, password)
    if user.global_role and user.global_role != invitation.role:
        raise Refusal(_("This person already has a platform-wide role."))
    user.global_role = invitation.role
    invitation.accepted_at = utcnow()
    record("federal_invitation.accepted", invitation, actor=user, after={"role": invitation.role})
    db.session.flush()
    return user


def revoke_federal_invitation(invitation: FederalInvitation, actor: User) -> None:
    if not invitation.is_pending:
        raise Refusal(_("This invitation is no longer pending."))
    invitation.revoked_at = utcnow()
    record("federal_invitation.revoked", invitation, actor=actor)


def withdraw_federal_role(user: User, actor: User) -> None:
    """Take the federal role away; the person's open sessions end with it."""
    if user.global_role not in FEDERAL_ROLES:
        raise Refusal(_("This person has no federal role."))
    before = {"role": user.global_role}
    user.global_role = None
    end_sessions(user)
    record("user.federal_role_withdrawn", user, actor=actor, before=before)
