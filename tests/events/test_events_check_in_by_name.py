"""Check-in without a ticket (issue 14): find a participant by name or organisation at the door and check
them in with one click, or from the participant list; idempotent, audited. Staff pages open at the top."""

import re
from urllib.parse import unquote

import sqlalchemy as sa

from clusterhub.audit.models import AuditEntry
from clusterhub.events.models import Event, Registration
from clusterhub.events.services.registration import register
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


def _people(event, person):
    with tenant_scope(db.session, event.tenant_id):
        target = db.session.get(Event, event.id)
        anna = register(target, person(full_name="Анна Смирнова", organisation="ООО «Лузалес»"))
        boris = register(target, person(full_name="Борис Петров", organisation="АО «Монди СЛПК»"))
        guest = register(target, person(full_name="Анна Гостева", organisation="ИП Гостева"), guest=True)
        db.session.commit()
        return anna.id, boris.id, guest.id


def test_find_by_name_or_organisation_and_check_in_with_one_click(
    client, make_event, make_user, login, person
):
    event = make_event()
    event_id, tenant_id = event.id, event.tenant_id
    anna, boris, guest = _people(event, person)
    staff = make_user("center_staff", email="staff@example.com")
    login(staff)
    page = client.get(f"/komi/staff/events/{event_id}/check-in?q=анна").get_data(as_text=True)
    assert "Анна Смирнова" in page and "Анна Гостева" in page and "Борис Петров" not in page
    assert (
        f"/check-in/{anna}" in page and f"/check-in/{guest}" not in page
    )  # an unconfirmed guest has no button
    by_organisation = client.get(f"/komi/staff/events/{event_id}/check-in?q=Монди").get_data(as_text=True)
    assert "Борис Петров" in by_organisation and "Анна Смирнова" not in by_organisation

    back = f"/komi/staff/events/{event_id}/check-in?item=0&q=анна"
    first = client.post(
        f"/komi/staff/events/{event_id}/check-in/{anna}",
        data={"item_id": 0, "next": back},
        headers={"Accept-Language": "en"},
    )
    assert first.status_code == 302 and unquote(first.location).endswith(back)
    shown = client.get(back, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Checked in: Анна Смирнова." in shown
    second = client.post(
        f"/komi/staff/events/{event_id}/check-in/{anna}",
        data={"item_id": 0, "next": back},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert "Анна Смирнова was already checked in; nothing changed." in second.get_data(as_text=True)
    with tenant_scope(db.session, tenant_id):
        assert db.session.get(Registration, anna).checked_in_by_id == staff.id
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "event.checked_in")
        ).all()
        assert [(e.target_id, e.actor_id) for e in entries] == [(str(anna), staff.id)]  # once, by the staff


def test_one_click_check_in_from_the_participant_list(client, make_event, make_user, login, person):
    event = make_event()
    event_id, tenant_id = event.id, event.tenant_id
    anna, boris, guest = _people(event, person)
    login(make_user("center_staff", email="staff@example.com"))
    listing = client.get(f"/komi/staff/events/{event_id}/participants?q=Анна").get_data(as_text=True)
    assert f'action="/komi/staff/events/{event_id}/check-in/{anna}"' in listing
    assert f'action="/komi/staff/events/{event_id}/check-in/{guest}"' not in listing
    next_value = re.search(rf'check-in/{anna}".*?name="next" value="([^"]+)"', listing, re.S).group(1)
    assert next_value == f"/komi/staff/events/{event_id}/participants?q=Анна"  # back to the same list
    done = client.post(
        f"/komi/staff/events/{event_id}/check-in/{anna}",
        data={"next": next_value},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert "Checked in: Анна Смирнова." in page and "present" in page
    assert f'action="/komi/staff/events/{event_id}/check-in/{anna}"' not in page  # no button once present
    with tenant_scope(db.session, tenant_id):
        assert db.session.get(Registration, anna).checked_in_at is not None


def test_one_click_check_in_refuses_an_unconfirmed_guest_and_a_foreign_next(
    client, make_event, make_user, login, person
):
    event = make_event()
    event_id, tenant_id = event.id, event.tenant_id
    _anna, _boris, guest = _people(event, person)
    login(make_user("center_staff", email="staff@example.com"))
    response = client.post(
        f"/komi/staff/events/{event_id}/check-in/{guest}",
        data={"next": "https://evil.example/"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302 and response.location.startswith(
        f"/komi/staff/events/{event_id}/check-in"
    )
    page = client.get(response.location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Анна Гостева cannot be checked in" in page
    with tenant_scope(db.session, tenant_id):
        assert db.session.get(Registration, guest).checked_in_at is None


def test_check_in_needs_the_check_in_permission(client, make_event, make_user, login, person):
    event = make_event()
    event_id = event.id
    anna, _boris, _guest = _people(event, person)
    login(make_user("expert", email="expert@example.com"))
    assert client.post(f"/komi/staff/events/{event_id}/check-in/{anna}").status_code == 403


def test_staff_session_pages_do_not_autofocus_a_form_at_the_bottom(
    client, model_event, make_user, login, person
):
    """The browser scrolled to the first field of the venue form (1,200 px down), past the flash messages."""
    event_id, tenant_id = model_event.id, model_event.tenant_id
    with tenant_scope(db.session, tenant_id):
        registration = register(db.session.get(Event, event_id), person())
        db.session.commit()
        registration_id = registration.id
    login(make_user("center_staff", email="staff@example.com"))
    for path in (
        f"/komi/staff/events/{event_id}",
        f"/komi/staff/events/{event_id}/participants",
        f"/komi/staff/events/{event_id}/participants/{registration_id}",
    ):
        page = client.get(path).get_data(as_text=True)
        assert "autofocus" not in page, path
    # the pages whose form is the point of the page keep it
    assert "autofocus" in client.get(f"/komi/staff/events/{event_id}/check-in").get_data(as_text=True)
    assert "autofocus" in client.get(f"/komi/staff/events/{event_id}/edit").get_data(as_text=True)
