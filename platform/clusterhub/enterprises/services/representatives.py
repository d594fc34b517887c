"""Representatives of an enterprise: claims, their confirmation, roles, leaving.

Who confirms a first claim: a staff member of the center (tenant) whose region is the enterprise's
region; when no active center serves that region (or the profile has no region yet), any center's staff
may confirm it, so that no claim is stranded. Later claims are approved by one of the enterprise's owners.
"""

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...extensions import db
from ...outbox.services import enqueue_template
from ...tenancy.models import Tenant, TenantStatus, utcnow
from ..models import Enterprise, EnterpriseRepresentative, RepresentativeRole, RepresentativeStatus
from .profiles import find_by_inn, get_or_create_by_inn


def _profile_link(enterprise) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(
        "enterprises.profile", enterprise_id=enterprise.id
    )


def _notify_decision(link: EnterpriseRepresentative, confirmed: bool) -> None:
    enqueue_template(
        link.user.email,
        "enterprise_claim_decided",
        link.user.locale,
        enterprise_name=link.enterprise.name,
        confirmed=confirmed,
        link=_profile_link(link.enterprise),
    )


def represented_enterprises(user) -> list[Enterprise]:
    """Enterprises for which ``user`` is a confirmed representative."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            sa.select(Enterprise)
            .join(EnterpriseRepresentative, EnterpriseRepresentative.enterprise_id == Enterprise.id)
            .where(
                EnterpriseRepresentative.user_id == user.id,
                EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
            )
            .order_by(Enterprise.full_name)
        )
    )


def _answer_represented(sender, **_kwargs) -> list[Enterprise]:
    return represented_enterprises(sender)


def connect_signals() -> None:
    """Answer the start page's ``signals.represented_enterprises`` (called from ``create_app``)."""
    signals.represented_enterprises.connect(_answer_represented)


def is_representative(user, enterprise, role: str | None = None) -> bool:
    """Is ``user`` a confirmed representative of ``enterprise`` (with ``role``, if given)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    statement = sa.select(EnterpriseRepresentative.id).where(
        EnterpriseRepresentative.user_id == user.id,
        EnterpriseRepresentative.enterprise_id == enterprise.id,
        EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
    )
    if role is not None:
        statement = statement.where(EnterpriseRepresentative.role == role)
    return db.session.scalar(statement) is not None


def can_edit(user, enterprise) -> bool:
    """Confirmed representatives (owners and editors) and platform admins edit a profile."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_platform_admin or is_representative(user, enterprise)
    )


def add_representative(
    enterprise: Enterprise, user, role: str = RepresentativeRole.OWNER, *, confirmed=False, actor=None
) -> EnterpriseRepresentative:
    """Link a user to an enterprise (confirmed directly when ``confirmed``, e.g. in demo data and tests)."""
    link = EnterpriseRepresentative(
        enterprise_id=enterprise.id,
        user_id=user.id,
        role=role,
        status=RepresentativeStatus.CONFIRMED if confirmed else RepresentativeStatus.PENDING,
        confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(link)
    db.session.flush()
    record(
        "enterprise.representative_added",
        enterprise,
        actor=actor,
        after={"user": user.email, "role": role, "status": link.status},
    )
    return link


def representatives(enterprise: Enterprise) -> list[EnterpriseRepresentative]:
    return list(
        db.session.scalars(
            sa.select(EnterpriseRepresentative)
            .where(EnterpriseRepresentative.enterprise_id == enterprise.id)
            .options(sa.orm.joinedload(EnterpriseRepresentative.user))
            .order_by(EnterpriseRepresentative.status, EnterpriseRepresentative.created_at)
        )
    )


def _confirmed_count(enterprise, role=None) -> int:
    statement = (
        sa.select(sa.func.count())
        .select_from(EnterpriseRepresentative)
        .where(
            EnterpriseRepresentative.enterprise_id == enterprise.id,
            EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
        )
    )
    if role:
        statement = statement.where(EnterpriseRepresentative.role == role)
    return db.session.scalar(statement)


def claim(user, inn: str, full_name: str | None = None) -> EnterpriseRepresentative:
    """``user`` asks to represent the enterprise with ``inn`` (creating the profile if there is none).

    A duplicate claim finds the existing profile: one profile per ИНН. The claim stays pending until a
    center's staff member (first claim) or an owner (later claims) decides on it.
    """
    enterprise = find_by_inn(inn)
    if enterprise is None:
        if not (full_name or "").strip():
            raise Refusal(
                _("No enterprise with this ИНН is registered yet: give its full name to create the profile."),
                "full_name",
            )
        enterprise, _created = get_or_create_by_inn(inn, full_name, actor=user)
    existing = db.session.scalar(
        sa.select(EnterpriseRepresentative).where(
            EnterpriseRepresentative.enterprise_id == enterprise.id,
            EnterpriseRepresentative.user_id == user.id,
        )
    )
    if existing is not None:
        if existing.status == RepresentativeStatus.CONFIRMED:
            raise Refusal(_("You already represent %(name)s.", name=enterprise.name), "inn")
        raise Refusal(
            _("Your claim for %(name)s is already awaiting a decision.", name=enterprise.name), "inn"
        )
    first = _confirmed_count(enterprise) == 0
    link = EnterpriseRepresentative(
        enterprise_id=enterprise.id,
        user_id=user.id,
        role=RepresentativeRole.OWNER if first else RepresentativeRole.EDITOR,
        status=RepresentativeStatus.PENDING,
    )
    db.session.add(link)
    db.session.flush()
    record("enterprise.claimed", enterprise, actor=user, after={"user": user.email, "first": first})
    if not first:
        owners = db.session.scalars(
            sa.select(EnterpriseRepresentative)
            .where(
                EnterpriseRepresentative.enterprise_id == enterprise.id,
                EnterpriseRepresentative.status == RepresentativeStatus.CONFIRMED,
                EnterpriseRepresentative.role == RepresentativeRole.OWNER,
            )
            .options(sa.orm.joinedload(EnterpriseRepresentative.user))
        ).all()
        for owner in owners:
            enqueue_template(
                owner.user.email,
                "enterprise_claim_received",
                owner.user.locale,
                enterprise_name=enterprise.name,
                claimant=user.full_name,
                claimant_email=user.email,
                link=_profile_link(enterprise) + "#representatives",
            )
    return link


def _serving_region_ids() -> sa.Select:
    return sa.select(Tenant.region_id).where(Tenant.status == TenantStatus.ACTIVE)


def first_claims_for_center(tenant: Tenant) -> sa.Select:
    """Pending claims on enterprises with no confirmed representative that ``tenant``'s staff decide:
    enterprises of the center's region, and those of regions no active center serves (or of no region)."""
    other = sa.orm.aliased(EnterpriseRepresentative)
    confirmed = (
        sa.select(other.id)
        .where(other.enterprise_id == Enterprise.id, other.status == RepresentativeStatus.CONFIRMED)
        .exists()
    )
    return (
        sa.select(EnterpriseRepresentative)
        .join(EnterpriseRepresentative.enterprise)
        .where(
            EnterpriseRepresentative.status == RepresentativeStatus.PENDING,
            ~confirmed,
            sa.or_(
                Enterprise.region_id == tenant.region_id,
                Enterprise.region_id.is_(None),
                Enterprise.region_id.not_in(_serving_region_ids()),
            ),
        )
        .options(
            sa.orm.contains_eager(EnterpriseRepresentative.enterprise),
            sa.orm.joinedload(EnterpriseRepresentative.user),
        )
        .order_by(EnterpriseRepresentative.created_at)
    )


def center_may_decide(tenant: Tenant, link: EnterpriseRepresentative) -> bool:
    statement = first_claims_for_center(tenant).where(EnterpriseRepresentative.id == link.id)
    return db.session.scalar(statement.with_only_columns(EnterpriseRepresentative.id)) is not None


def confirm_first_claim(link: EnterpriseRepresentative, tenant: Tenant, actor) -> None:
    """A center's staff member confirms the first claim: the claimant becomes the owner."""
    if link.status != RepresentativeStatus.PENDING or not center_may_decide(tenant, link):
        raise Refusal(_("This claim is not yours to decide, or it has been decided already."))
    link.status, link.role, link.confirmed_at = (
        RepresentativeStatus.CONFIRMED,
        RepresentativeRole.OWNER,
        utcnow(),
    )
    db.session.flush()
    record(
        "enterprise.claim_confirmed",
        link.enterprise,
        actor=actor,
        after={"user": link.user.email, "role": link.role, "by_center": tenant.slug},
    )
    _notify_decision(link, confirmed=True)


def approve_claim(link: EnterpriseRepresentative, actor, role: str = RepresentativeRole.EDITOR) -> None:
    """An owner approves a later claim, choosing the role."""
    if not is_representative(actor, link.enterprise, RepresentativeRole.OWNER):
        raise Refusal(_("Only an owner of the enterprise can approve claims."))
    if link.status != RepresentativeStatus.PENDING:
        raise Refusal(_("This claim has been decided already."))
    if role not in set(RepresentativeRole):
        raise Refusal(_("Choose a role from the list."))
    link.status, link.role, link.confirmed_at = RepresentativeStatus.CONFIRMED, role, utcnow()
    db.session.flush()
    record(
        "enterprise.claim_approved",
        link.enterprise,
        actor=actor,
        after={"user": link.user.email, "role": role},
    )
    _notify_decision(link, confirmed=True)


def reject_claim(link: EnterpriseRepresentative, actor, tenant: Tenant | None = None) -> None:
    """An owner (or, for a first claim, the deciding center's staff) rejects a pending claim."""
    allowed = is_representative(actor, link.enterprise, RepresentativeRole.OWNER) or (
        tenant is not None and center_may_decide(tenant, link)
    )
    if not allowed or link.status != RepresentativeStatus.PENDING:
        raise Refusal(_("This claim is not yours to decide, or it has been decided already."))
    record("enterprise.claim_rejected", link.enterprise, actor=actor, before={"user": link.user.email})
    _notify_decision(link, confirmed=False)
    db.session.delete(link)
    db.session.flush()


def set_representative_role(link: EnterpriseRepresentative, role: str, actor) -> None:
    """An owner changes a representative's role; the last owner cannot step down this way."""
    if not is_representative(actor, link.enterprise, RepresentativeRole.OWNER):
        raise Refusal(_("Only an owner of the enterprise can manage representatives."))
    if role not in set(RepresentativeRole) or link.status != RepresentativeStatus.CONFIRMED:
        raise Refusal(_("Choose a role from the list."))
    if (
        link.role == RepresentativeRole.OWNER
        and role != RepresentativeRole.OWNER
        and _confirmed_count(link.enterprise, RepresentativeRole.OWNER) <= 1
    ):
        raise Refusal(_("The enterprise needs at least one owner: make someone else an owner first."))
    before = link.role
    link.role = role
    db.session.flush()
    record(
        "enterprise.representative_role_changed",
        link.enterprise,
        actor=actor,
        before={"user": link.user.email, "role": before},
        after={"user": link.user.email, "role": role},
    )


def remove_representative(link: EnterpriseRepresentative, actor) -> None:
    """An owner removes a representative, or a representative leaves (removes their own link).

    The last owner may leave only when nobody else represents the enterprise (the profile then waits for
    a new first claim); otherwise they must make someone else an owner first.
    """
    own = link.user_id == actor.id
    if not own and not is_representative(actor, link.enterprise, RepresentativeRole.OWNER):
        raise Refusal(_("Only an owner of the enterprise can manage representatives."))
    if link.status == RepresentativeStatus.CONFIRMED and link.role == RepresentativeRole.OWNER:
        owners = _confirmed_count(link.enterprise, RepresentativeRole.OWNER)
        others = _confirmed_count(link.enterprise) - 1
        if owners <= 1 and others > 0:
            raise Refusal(_("The enterprise needs at least one owner: make someone else an owner first."))
    record(
        "enterprise.representative_left" if own else "enterprise.representative_removed",
        link.enterprise,
        actor=actor,
        before={"user": link.user.email, "role": link.role, "status": link.status},
    )
    db.session.delete(link)
    db.session.flush()
