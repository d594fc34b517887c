"""Cluster membership: enterprises joining, changing role, leaving; and the memberships as an enterprise's
profile sees them (its history in every center) and as a merge of two profiles must resolve them."""

from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.access import can
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...enterprises.services.history import HistoryItem
from ...enterprises.services.profiles import find_by_inn, get_or_create_by_inn
from ...extensions import db
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant
from ...tenancy.scoping import tenant_scope
from ..models import Cluster, ClusterMember, MemberRole, SupplyLink


def _clean_role(role) -> str:
    if role not in set(MemberRole):
        raise Refusal(_("Choose a member role from the list."), "role")
    return role


def _clean_dates(joined_on, left_on):
    if joined_on and left_on and left_on < joined_on:
        raise Refusal(_("A member cannot leave before joining."), "left_on")
    return joined_on, left_on


def add_member(
    cluster: Cluster, enterprise: Enterprise, role: str, joined_on: date | None, actor
) -> ClusterMember:
    """Add an enterprise to a cluster (once: a second membership of the same enterprise is refused)."""
    role = _clean_role(role)
    exists = db.session.scalar(
        sa.select(ClusterMember.id).where(
            ClusterMember.cluster_id == cluster.id, ClusterMember.enterprise_id == enterprise.id
        )
    )
    if exists:
        raise Refusal(_("%(name)s is already a member of this cluster.", name=enterprise.name), "inn")
    member = ClusterMember(cluster_id=cluster.id, enterprise_id=enterprise.id, role=role, joined_on=joined_on)
    db.session.add(member)
    db.session.flush()
    record(
        "cluster.member_added",
        cluster,
        actor=actor,
        after={"enterprise": enterprise.inn, "role": role, "joined_on": joined_on},
    )
    return member


def add_member_by_inn(cluster: Cluster, inn: str, full_name: str | None, role: str, joined_on, actor):
    """Add a member by ИНН, creating the enterprise profile when there is none (``full_name`` needed)."""
    try:
        enterprise = find_by_inn(inn)
        if enterprise is None:
            if not (full_name or "").strip():
                raise Refusal(
                    _("No enterprise with this ИНН is registered yet: give its full name."), "full_name"
                )
            enterprise, _created = get_or_create_by_inn(inn, full_name, actor=actor)
    except Refusal as error:
        raise Refusal(str(error), error.field or "inn") from error
    return add_member(cluster, enterprise, role, joined_on, actor)


def update_member(member: ClusterMember, role: str, joined_on, left_on, actor) -> None:
    role = _clean_role(role)
    joined_on, left_on = _clean_dates(joined_on, left_on)
    before = {"role": member.role, "joined_on": member.joined_on, "left_on": member.left_on}
    member.role, member.joined_on, member.left_on = role, joined_on, left_on
    db.session.flush()
    record(
        "cluster.member_updated",
        ("Cluster", member.cluster_id),
        actor=actor,
        tenant_id=member.tenant_id,
        before={"enterprise": member.enterprise.inn, **before},
        after={"enterprise": member.enterprise.inn, "role": role, "joined_on": joined_on, "left_on": left_on},
    )


def remove_member(member: ClusterMember, actor) -> None:
    """Delete a membership entered by mistake (with its supply links). A member that left is kept with
    its leaving date instead: see :func:`update_member`."""
    record(
        "cluster.member_removed",
        ("Cluster", member.cluster_id),
        actor=actor,
        tenant_id=member.tenant_id,
        before={"enterprise": member.enterprise.inn, "role": member.role},
    )
    db.session.execute(
        sa.delete(SupplyLink).where(
            sa.or_(SupplyLink.supplier_id == member.id, SupplyLink.customer_id == member.id)
        )
    )
    db.session.delete(member)
    db.session.flush()


def active_on(today: date | None = None):
    """SQL condition: the membership is current (no leaving date, or one still ahead)."""
    today = today or date.today()
    return sa.or_(ClusterMember.left_on.is_(None), ClusterMember.left_on > today)


# --- the enterprise profile's history, and merges ---------------------------------------------------


def membership_history(enterprise: Enterprise, viewer):
    """Cluster memberships of ``enterprise`` in every center (the enterprise's own rows only)."""
    statement = (
        sa.select(ClusterMember, Cluster, Tenant)
        .join(
            Cluster,
            sa.and_(Cluster.id == ClusterMember.cluster_id, Cluster.tenant_id == ClusterMember.tenant_id),
        )
        .join(Tenant, Tenant.id == ClusterMember.tenant_id)
        .where(ClusterMember.enterprise_id == enterprise.id)
    )
    items = []
    for member, cluster, tenant in cross_tenant.enterprise_rows(statement):
        status = member.role_label
        if member.left_on:
            status = _("%(role)s, left on %(date)s", role=member.role_label, date=member.left_on.isoformat())
        items.append(
            HistoryItem(
                tenant=tenant,
                kind=_("Cluster membership"),
                title=cluster.name,
                date=member.joined_on,
                status=status,
                # The cluster's page is for the center's people: no link the viewer could not follow.
                url=url_for("clusters.detail", tenant=tenant.slug, cluster_id=cluster.id)
                if can("clusters.view", tenant, viewer)
                else None,
            )
        )
    return items


def merge_duplicate_memberships(source: Enterprise, target: Enterprise) -> None:
    """Before a merge: where both profiles are members of one cluster, move the duplicate's supply links
    to the kept membership and drop the duplicate's (the generic merge then moves the rest)."""
    statement = sa.select(ClusterMember).where(ClusterMember.enterprise_id.in_([source.id, target.id]))
    rows = [member for (member,) in cross_tenant.enterprise_rows(statement)]
    by_key = {}
    for m in rows:
        by_key.setdefault((m.tenant_id, m.cluster_id), {})[m.enterprise_id] = (m.id, m.tenant_id)
    for pair in by_key.values():
        if source.id not in pair or target.id not in pair:
            continue
        source_member, tenant_id = pair[source.id]
        target_member, _tenant = pair[target.id]
        with tenant_scope(db.session, tenant_id):
            db.session.execute(
                sa.update(SupplyLink)
                .where(SupplyLink.supplier_id == source_member)
                .values(supplier_id=target_member)
            )
            db.session.execute(
                sa.update(SupplyLink)
                .where(SupplyLink.customer_id == source_member)
                .values(customer_id=target_member)
            )
            db.session.execute(sa.delete(SupplyLink).where(SupplyLink.supplier_id == SupplyLink.customer_id))
            db.session.execute(sa.delete(ClusterMember).where(ClusterMember.id == source_member))
    db.session.expire_all()


def connect_signals() -> None:
    """Cluster memberships in an enterprise's history, and their duplicates resolved before a merge."""
    signals.enterprise_history.connect(membership_history)
    signals.enterprise_merging.connect(merge_duplicate_memberships)
