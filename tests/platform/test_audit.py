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


def _recorded_actions() -> set[str]:
    """Every action string a ``record(...)`` call in the application can write, read from the code.

    A literal or a choice between literals is read directly; the two actions built at run time are expanded
    from what they are built of. Any other computed action fails the test: give it a label and add it here.
    """
    import ast
    from pathlib import Path

    from clusterhub.technoparks.models import RequestAttachment, TechnoparkPhoto
    from clusterhub.technoparks.services.requests import TRANSITIONS

    built = {
        "f'technopark.request_{action}'": {f"technopark.request_{a}" for a in TRANSITIONS},
        "f'{model.__tablename__}.added'": {
            f"{m.__tablename__}.added" for m in (TechnoparkPhoto, RequestAttachment)
        },
    }

    def strings(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return strings(node.body) | strings(node.orelse)
        code = ast.unparse(node)
        assert code in built, f"an action computed at run time needs a label and a place in this test: {code}"
        return built[code]

    package = Path(__file__).resolve().parents[2] / "platform" / "clusterhub"
    actions = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "record":
                    actions |= strings(node.args[0])
    return actions


def test_every_recorded_action_reads_as_words_in_both_languages():
    from flask_babel import force_locale

    from clusterhub.audit.presentation import ACTION_LABELS
    from clusterhub.enterprises.models import ACTION_LABELS as ENTERPRISE_ACTIONS

    actions = _recorded_actions()
    assert len(actions) > 100  # the reader found the calls
    labels = {**ACTION_LABELS, **ENTERPRISE_ACTIONS}
    assert not sorted(actions - labels.keys()), "actions recorded without a label"
    for action in sorted(actions):
        with force_locale("en"):
            english = str(labels[action])
        with force_locale("ru"):
            russian = str(labels[action])
        assert re.search(r"[A-Za-z]", english) and not re.search(r"[а-яё]", english, re.I), (action, english)
        assert re.search(r"[а-яё]", russian, re.I) and russian != english, (action, russian)


def test_the_log_is_filtered_by_what_it_speaks_about_and_dates_read_as_dates(
    client, make_tenant, make_user, login
):
    komi = make_tenant("komi")
    admin = make_user("center_admin", tenant=komi)
    with tenant_scope(db.session, komi.id):
        record(
            "event.updated",
            ("Event", 7),
            actor=admin,
            tenant_id=komi.id,
            before={"start_date": "2027-03-10"},
            after={"start_date": "2027-03-12", "starts_at": "2027-03-12 07:00:00"},
        )
        db.session.commit()
    login(admin)
    page = client.get("/komi/staff/audit?action=event.").get_data(as_text=True)
    assert '<option value="event." selected>Сессия</option>' in page
    assert (
        "Сессия изменена" in page and "Роль назначена" not in page
    )  # the admin's membership is not an event
    assert "10.03.2027 → 12.03.2027" in page and "12.03.2027, 10:00" in page  # Moscow time, Russian format
