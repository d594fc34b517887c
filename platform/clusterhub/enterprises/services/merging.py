"""Merging a duplicate enterprise profile into the one kept: every reference moves, across centers."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...extensions import db
from ...tenancy import cross_tenant
from ...tenancy.models import utcnow
from ...tenancy.scoping import mapped_attribute, tenant_scope
from ..models import (
    PUBLIC_FIELDS,
    Enterprise,
    EnterpriseFigure,
    EnterpriseRepresentative,
    RepresentativeRole,
    RepresentativeStatus,
)
from .profiles import _search_text


def enterprise_references() -> list[tuple[sa.Table, sa.Column]]:
    """Every (table, column) with a foreign key to ``enterprises.id``, discovered from the metadata, so
    references added by any module later are moved by a merge without registering anything."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name == Enterprise.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == Enterprise.__tablename__ and fk.column.name == "id":
                found.append((table, fk.parent))
    return found


def _merge_representatives(source: Enterprise, target: Enterprise) -> None:
    rank = {
        (RepresentativeStatus.CONFIRMED, RepresentativeRole.OWNER): 3,
        (RepresentativeStatus.CONFIRMED, RepresentativeRole.EDITOR): 2,
    }
    target_links = {
        link.user_id: link
        for link in db.session.scalars(
            sa.select(EnterpriseRepresentative).where(EnterpriseRepresentative.enterprise_id == target.id)
        )
    }
    for link in db.session.scalars(
        sa.select(EnterpriseRepresentative).where(EnterpriseRepresentative.enterprise_id == source.id)
    ).all():
        kept = target_links.get(link.user_id)
        if kept is None:
            continue
        if rank.get((link.status, link.role), 1) > rank.get((kept.status, kept.role), 1):
            kept.status, kept.role, kept.confirmed_at = link.status, link.role, link.confirmed_at
        db.session.delete(link)
    db.session.flush()


def _merge_figures(source: Enterprise, target: Enterprise) -> None:
    target_years = set(
        db.session.scalars(
            sa.select(EnterpriseFigure.year).where(EnterpriseFigure.enterprise_id == target.id)
        )
    )
    db.session.execute(
        sa.delete(EnterpriseFigure).where(
            EnterpriseFigure.enterprise_id == source.id, EnterpriseFigure.year.in_(target_years)
        )
    )


def reference_counts(enterprise: Enterprise) -> dict[str, int]:
    """How many rows of each referencing table point at ``enterprise`` (every tenant; read-only), for the
    merge preview."""
    return cross_tenant.enterprise_reference_counts(enterprise_references(), enterprise.id)


def _move_references(table: sa.Table, column: sa.Column, source_id: int, target_id: int) -> int:
    move = sa.update(table).where(column == source_id).values({column.name: target_id})
    if "tenant_id" not in table.c:
        return db.session.execute(move).rowcount
    # A tenant-owned table: RLS lets the application change rows only inside their tenant's scope, so
    # find the tenants that hold references (a read-only cross-tenant read) and move each tenant's rows.
    tenant_ids = cross_tenant.tenants_referencing(table, column, source_id)
    # Through the model: the tenant guard refuses a plain tenant-owned table inside a tenant scope.
    reference = mapped_attribute(table, column.name)
    move = (
        sa.update(reference.class_)
        .where(reference == source_id)
        .values({reference.key: target_id})
        .execution_options(synchronize_session=False)
    )
    moved = 0
    for tenant_id in tenant_ids:
        with tenant_scope(db.session, tenant_id):
            moved += db.session.execute(move).rowcount
    return moved


def merge_enterprises(source: Enterprise, target: Enterprise, actor) -> dict:
    """Merge the duplicate ``source`` into ``target``: every reference moves, empty fields of the target
    are filled from the source, the source is deleted and the audit log records what happened.

    Returns the number of moved rows per ``table.column``.
    """
    if source.id == target.id:
        raise Refusal(_("Choose two different profiles."))
    db.session.flush()
    source_id = source.id
    snapshot = {key: getattr(source, key) for key in PUBLIC_FIELDS}
    # This module's own conflicts first, then every other module's (signals.enterprise_merging).
    _merge_representatives(source, target)
    _merge_figures(source, target)
    signals.enterprise_merging.send(source, target=target)
    db.session.flush()
    moved = {}
    for table, column in enterprise_references():
        count = _move_references(table, column, source.id, target.id)
        if count:
            moved[f"{table.name}.{column.name}"] = count
    filled = {}
    for key in PUBLIC_FIELDS:
        if key != "inn" and getattr(target, key) in (None, "") and getattr(source, key) not in (None, ""):
            filled[key] = getattr(source, key)
            setattr(target, key, filled[key])
    if "region_id" in filled:
        target.region_derived = source.region_derived
    elif target.region_derived and source.region_id and not source.region_derived:
        # A region someone gave beats one read from the ИНН.
        filled["region_id"] = target.region_id = source.region_id
        target.region_derived = False
    target.search_text = _search_text(target)
    target.updated_at = utcnow()
    db.session.flush()
    db.session.expunge(source)
    db.session.expire_all()  # relationships loaded before the move are stale
    db.session.execute(sa.delete(Enterprise).where(Enterprise.id == source_id))
    db.session.flush()
    record(
        "enterprise.merged",
        target,
        actor=actor,
        before={"merged_id": source_id, **{k: v for k, v in snapshot.items() if v is not None}},
        after={"moved": ", ".join(f"{k}={v}" for k, v in sorted(moved.items())), **filled},
    )
    return moved
