"""The panel of a defense round: who sits on it (chair, experts, secretary), whether they can do their
part, and who attended."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...accounts.models import Membership, TenantRole, role_label
from ...accounts.services.memberships import add_membership
from ...audit.services import record
from ...core.access import READ_ONLY_ROLES
from ...core.refusal import Refusal
from ...extensions import db
from ...outbox.services import enqueue_template
from ...tenancy.models import Tenant
from ..models import (
    PANEL_ROLE_LABELS,
    Assignment,
    Conflict,
    DefenseRound,
    PanelMember,
    PanelRole,
    RoundStatus,
    Score,
)
from .conflicts import detect_conflicts
from .locks import refuse_if_signed


def panel_member_problems(user) -> list[str]:
    """Why ``user`` could not do a panel member's work (log in, score, sign), in words; empty if nothing.

    Every panel role writes (scores, decisions, the signature), so a read-only global role is a problem
    for each of them, not only for experts.
    """

    problems = []
    if user.global_role in READ_ONLY_ROLES:
        problems.append(
            _(
                "the %(role)s role may read everything but change nothing, so they could not score or sign",
                role=role_label(user.global_role).lower(),
            )
        )
    if not user.active:
        problems.append(_("the account is deactivated, so they cannot log in"))
    elif not user.password_hash:
        problems.append(_("no password has been set for the account yet, so they cannot log in"))
    return problems


def panel_readiness(defense_round: DefenseRound) -> list[tuple[PanelMember, list[str]]]:
    """The panel members who could not log in and do their part, each with the reasons; empty when the
    whole panel is ready."""
    return [
        (member, problems)
        for member in defense_round.panel
        if (problems := panel_member_problems(member.user))
    ]


def add_panel_member(
    defense_round: DefenseRound, user, role: str = PanelRole.EXPERT, *, affiliation=None, actor=None
) -> PanelMember:
    """Put ``user`` on the panel. A user with no role in this center (an expert of another center) is
    given the expert role here, so they can reach the round's pages. A user whose global role is
    read-only (federal analyst or reviewer) or whose account is deactivated is refused: they could
    not score."""
    refuse_if_signed(defense_round, actor, "add_panel_member")
    if role not in set(PanelRole):
        raise Refusal(_("Choose the panel role."))
    if user.global_role in READ_ONLY_ROLES or not user.active:
        raise Refusal(
            _(
                "%(name)s cannot be on the panel: %(reason)s. Put someone with an ordinary account on the panel instead.",
                name=user.full_name,
                reason=panel_member_problems(user)[0],
            )
        )
    if any(m.user_id == user.id for m in defense_round.panel):
        raise Refusal(_("%(name)s is already on the panel.", name=user.full_name))
    if role in (PanelRole.CHAIR, PanelRole.SECRETARY) and any(m.role == role for m in defense_round.panel):
        raise Refusal(_("The panel already has a chair or secretary in this role."))
    has_role = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id))
    if not has_role:
        add_membership(user, db.session.get(Tenant, defense_round.tenant_id), TenantRole.EXPERT, actor=actor)
    member = PanelMember(user_id=user.id, role=role, affiliation=affiliation)
    defense_round.panel.append(member)
    db.session.flush()
    record("defense.panel_added", defense_round, actor=actor, after={"user": user.email, "role": role})
    _tell_panel_member(defense_round, user, role)
    detect_conflicts(defense_round)
    return member


def _tell_panel_member(defense_round: DefenseRound, user, role: str) -> None:
    """Queue an e-mail (sent by the outbox worker after the commit) with the link to the round."""
    tenant = db.session.get(Tenant, defense_round.tenant_id)
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    enqueue_template(
        user.email,
        "defense_panel_added",
        user.locale or tenant.default_locale,
        tenant_slug=tenant.slug,
        name=user.full_name,
        tenant=tenant,
        round_title=defense_round.title,
        role=PANEL_ROLE_LABELS[role],
        held_on=defense_round.held_on.strftime("%d.%m.%Y") if defense_round.held_on else None,
        link=f"{base}/{tenant.slug}/defenses/{defense_round.id}",
    )


def remove_panel_member(member: PanelMember, *, actor=None) -> None:
    """Take someone off the panel while scoring is open; their assignments, conflicts and scores go too."""
    defense_round = db.session.get(DefenseRound, member.defense_round_id)
    refuse_if_signed(defense_round, actor, "remove_panel_member")
    if defense_round.status != RoundStatus.OPEN:
        raise Refusal(_("The panel can change only while scoring is open."))
    record(
        "defense.panel_removed",
        defense_round,
        actor=actor,
        before={"user_id": member.user_id, "role": member.role},
    )
    for model in (Score, Conflict, Assignment):
        db.session.execute(sa.delete(model).where(model.panel_member_id == member.id))
    defense_round.panel.remove(member)
    db.session.flush()


def set_attendance(member: PanelMember, attended: bool, *, actor=None) -> None:
    defense_round = db.session.get(DefenseRound, member.defense_round_id)
    refuse_if_signed(defense_round, actor, "set_attendance")
    member.attended = bool(attended)
    db.session.flush()
    record("defense.attendance", member, actor=actor, after={"attended": member.attended})


def member_of(defense_round: DefenseRound, user) -> PanelMember | None:
    return next((m for m in defense_round.panel if m.user_id == getattr(user, "id", None)), None)


def is_chair(defense_round: DefenseRound, user) -> bool:
    member = member_of(defense_round, user)
    return member is not None and member.role == PanelRole.CHAIR
