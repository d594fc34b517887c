import re

import pytest
import sqlalchemy as sa

from clusterhub.audit.models import AuditEntry
from clusterhub.audit.services import AuditLogIsAppendOnly, record
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


def test_state_changes_are_recorded_with_actor_and_before_after(client, make_tenant, make_user, login):
    komi = make_tenant("komi")
    admin = make_user("center_admin", tenant=komi)
    login(admin)
    client.post("/komi/staff/members", data={"email": "staff@example.com", "role": "center_staff"})
    with tenant_scope(db.session, komi.id):
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "invitation.created")
        ).one()
    assert entry.tenant_id == komi.id and entry.actor_id == admin.id
    assert entry.after == {"email": "staff@example.com", "role": "center_staff"}


def test_entries_cannot_be_changed_or_deleted_through_the_orm(make_tenant):
    komi = make_tenant("komi")
    with tenant_scope(db.session, komi.id):
        entry = db.session.scalars(sa.select(AuditEntry)).first()
        entry.action = "forged"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(sa.select(AuditEntry)).first())
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()


def test_a_center_admin_browses_only_their_tenants_log(client, make_tenant, make_user, login):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    record("secret.thing", ("Thing", 1), tenant_id=tatarstan.id, after={"note": "tatarstan only"})
    record("visible.thing", ("Thing", 2), tenant_id=komi.id, after={"note": "komi note"})
    db.session.commit()
    login(make_user("center_admin", tenant=komi))
    page = client.get("/komi/staff/audit").get_data(as_text=True)
    assert "visible.thing" in page and "komi note" in page
    assert "secret.thing" not in page and "tatarstan only" not in page
    filtered = client.get("/komi/staff/audit?action=tenant").get_data(as_text=True)
    assert "tenant.created" in filtered and "visible.thing" not in filtered


def test_center_staff_cannot_browse_the_log(client, make_tenant, make_user, login):
    login(make_user("center_staff", tenant=make_tenant("komi")))
    assert client.get("/komi/staff/audit").status_code == 403


def test_the_log_page_speaks_words_not_codes_or_python(client, make_tenant, make_user, login):
    komi = make_tenant("komi")
    admin = make_user("center_admin", tenant=komi, locale="en", email="irina@example.com")
    with tenant_scope(db.session, komi.id):
        record(
            "event.status_changed",
            ("Event", 7),
            actor=admin,
            tenant_id=komi.id,
            before={"status": "draft"},
            after={"status": "published"},
        )
        record(
            "defense.scored",
            ("DefenseSlot", 1),
            tenant_id=komi.id,
            after={"member": 1, "scores": "{'1': '7', '2': '8'}", "confirmed": True},
        )
        db.session.commit()
    login(admin)
    page = client.get("/komi/staff/audit").get_data(as_text=True)
    # What a reader sees: the text of the page's main part, tags (and the codes in their titles) left out.
    text = " ".join(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1]).split())
    assert "Session status changed" in text and "Draft → Published" in text
    assert "Role granted" in text and "Center administrator" in text  # the admin's own membership
    assert "Scores : 1: 7; 2: 8" in text and "yes" in text
    for code in ("center_admin", "event.status_changed", "{&#39;", "{'", "True"):
        assert code not in text, code
