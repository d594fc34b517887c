"""The named cross-tenant reads (tenancy/cross_tenant.py): the only reads that cross centers outside the
federal reporting layer. Each returns every center's rows it is meant to, and nothing beyond its
restriction; no other module opens the federal read scope."""

import inspect
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from clusterhub.accounts.services import memberships
from clusterhub.audit.services import record
from clusterhub.enterprises.services.history import edit_history
from clusterhub.events.models import Registration
from clusterhub.events.services.registration import register
from clusterhub.extensions import db
from clusterhub.tenancy import cross_tenant
from clusterhub.tenancy.scoping import in_federal_read, tenant_scope
from tests.fixtures.events import region_id

PACKAGE = Path(__file__).resolve().parents[2] / "platform" / "clusterhub"
ALLOWED = ("tenancy", "reporting")  # the scope's own module, cross_tenant.py, and the federal layer


def test_no_module_opens_the_federal_scope_outside_tenancy_and_reporting():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        area = path.relative_to(PACKAGE).parts[0]
        if area in ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"federal_read_scope\(", r"cross_tenant\s*=\s*True", r"read_across_tenants\("):
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: {match.group(0)}")
    assert offenders == [], "cross-tenant reads belong in tenancy/cross_tenant.py:\n" + "\n".join(offenders)


def test_every_named_read_says_why_it_crosses_centers():
    functions = [
        function
        for name, function in inspect.getmembers(cross_tenant, inspect.isfunction)
        if function.__module__ == cross_tenant.__name__ and not name.startswith("_")
    ]
    assert len(functions) >= 15
    for function in functions:
        doc = inspect.getdoc(function) or ""
        assert "across centers" in doc or "federal scope" in doc or "see :func:" in doc, function.__name__


def _two_centers(make_tenant):
    return make_tenant("komi"), make_tenant("tatarstan")


def test_reads_leave_no_federal_scope_behind(make_tenant, make_event):
    komi, _tatarstan = _two_centers(make_tenant)
    make_event(tenant=komi)
    with tenant_scope(db.session, komi.id):
        cross_tenant.published_events()
        assert not in_federal_read(db.session)


def test_the_public_calendar_shows_published_events_of_every_center_and_no_draft(make_tenant, make_event):
    komi, tatarstan = _two_centers(make_tenant)
    shown_komi = make_event(tenant=komi, title_ru="Сессия Коми")
    shown_tatarstan = make_event(tenant=tatarstan, title_ru="Сессия Татарстана")
    draft = make_event(tenant=komi, publish=False, title_ru="Черновик")

    rows = cross_tenant.published_events()
    ids = {event.id for event, _tenant in rows}
    assert {shown_komi.id, shown_tatarstan.id} <= ids
    assert draft.id not in ids
    assert {tenant.slug for _event, tenant in rows} == {"komi", "tatarstan"}
    assert [e.id for e, _t in cross_tenant.published_events(region_id=region_id("16"))] == [
        shown_tatarstan.id
    ]


def test_a_users_own_roles_and_registrations_in_every_center(make_tenant, make_user, make_event, person):
    komi, tatarstan = _two_centers(make_tenant)
    user = make_user("center_staff", tenant=komi)
    memberships.add_membership(user, tatarstan, "expert")
    other = make_user("center_admin", tenant=tatarstan)
    event = make_event(tenant=tatarstan)
    with tenant_scope(db.session, tatarstan.id):
        register(event, person(email=user.email))
        register(event, person())
    db.session.commit()

    assert cross_tenant.member_tenant_ids(user.id) == {komi.id, tatarstan.id}
    assert cross_tenant.member_tenant_ids(other.id) == {tatarstan.id}
    assert sorted((role, tenant.slug) for role, tenant in cross_tenant.own_roles(user.id)) == [
        ("center_staff", "komi"),
        ("expert", "tatarstan"),
    ]
    counts = cross_tenant.own_registration_counts(user.id, user.email)
    assert [(tenant.slug, count) for tenant, count in counts] == [("tatarstan", 1)]


def test_an_enterprises_participation_references_and_merge_tenants(
    make_tenant, make_event, make_enterprise, person
):
    komi, tatarstan = _two_centers(make_tenant)
    enterprise = make_enterprise()
    other = make_enterprise()
    for tenant in (komi, tatarstan):
        event = make_event(tenant=tenant)
        with tenant_scope(db.session, tenant.id):
            register(event, person(inn=enterprise.inn))
            register(event, person(inn=other.inn))
        db.session.commit()

    rows = cross_tenant.enterprise_session_participation(enterprise.id)
    assert sorted(tenant.slug for _event, tenant, _count, _present in rows) == ["komi", "tatarstan"]
    assert all(count == 1 for _event, _tenant, count, _present in rows)

    registrations = Registration.__table__
    column = registrations.c.enterprise_id
    assert set(cross_tenant.tenants_referencing(registrations, column, enterprise.id)) == {
        komi.id,
        tatarstan.id,
    }
    counts = cross_tenant.enterprise_reference_counts([(registrations, column)], enterprise.id)
    assert counts == {f"{registrations.name}.enterprise_id": 2}

    statement = sa.select(Registration.tenant_id).where(Registration.enterprise_id == enterprise.id)
    assert sorted(tenant_id for (tenant_id,) in cross_tenant.enterprise_rows(statement)) == sorted(
        [komi.id, tatarstan.id]
    )


def test_the_profile_audit_reads_platform_entries_of_that_enterprise_only(make_tenant, make_enterprise):
    komi = make_tenant("komi")
    enterprise = make_enterprise()
    other = make_enterprise()
    with tenant_scope(db.session, komi.id):
        # Written from a tenant scope, with no federal scope: platform-level entries are accepted there.
        record("enterprise.updated", enterprise, after={"site": "https://example.test"})
        record("enterprise.updated", other)
        db.session.flush()
    db.session.commit()
    entries = cross_tenant.enterprise_profile_audit(enterprise.id)
    assert entries and {entry.target_id for entry in entries} == {str(enterprise.id)}
    assert edit_history(enterprise)[0].id == entries[0].id


def test_lookups_by_hash_find_nothing_for_an_unknown_hash():
    assert cross_tenant.protocol_by_hash("0" * 64) is None
    assert cross_tenant.center_token_by_hash("0" * 64) is None
    assert cross_tenant.erasure_parts(0) == []
    assert cross_tenant.pending_erasure_parts(0) == 0
    assert cross_tenant.service_requests_of_enterprises([]) == []


@pytest.mark.parametrize(
    "name", ["published_events", "enterprise_rows", "personal_rows", "public_catalogue_rows"]
)
def test_named_reads_are_used_by_their_modules(name):
    """A named read nobody calls is a read nobody reviews: each is called from its module."""
    callers = [
        path
        for path in PACKAGE.rglob("*.py")
        if path.name != "cross_tenant.py" and f"cross_tenant.{name}" in path.read_text(encoding="utf-8")
    ]
    assert callers, name
