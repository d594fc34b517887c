"""Registration at real scale (issue 13): a delegation registering from one office is not cut off, the rate
limit answers with a page that says what to do, staff import a delegation from a file (preview,
all-or-nothing, duplicates reported) and confirm a guest whose mail never arrived; ended sessions refuse."""

import html
import io
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook

from clusterhub.audit.models import AuditEntry
from clusterhub.core.refusal import Refusal
from clusterhub.events.models import Event, Registration, RegistrationStatus
from clusterhub.events.services import imports as delegation
from clusterhub.events.services import registration as registration_services
from clusterhub.extensions import db
from clusterhub.tenancy.models import utcnow
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.events import region_id


def _form(n, **values):
    return {
        "full_name": f"Сотрудник {n}",
        "email": f"worker{n}@luzales.example.ru",
        "category": "enterprise",
        "region_id": region_id("11"),
        "organisation": "ООО «Лузалес»",
        "consent": "y",
        **values,
    }


def test_a_delegation_of_a_hundred_registers_from_one_office(client, make_event):
    event = make_event(capacity=300)
    event_id, tenant_id = event.id, event.tenant_id
    statuses = [
        client.post(f"/komi/events/{event_id}/register", data=_form(n)).status_code for n in range(100)
    ]
    assert statuses == [302] * 100  # one public address, a hundred people: nobody is cut off
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 100


def test_one_address_retrying_is_stopped_with_a_clear_page(client, make_event, app):
    event_id = make_event().id
    limit = int(app.config["EVENT_REGISTRATIONS_PER_ADDRESS"].split()[0])
    bad = _form(1, consent="")  # refused by the form each time: the same person trying again and again
    statuses = [client.post(f"/komi/events/{event_id}/register", data=bad).status_code for _ in range(limit)]
    assert statuses == [200] * limit
    blocked = client.post(f"/komi/events/{event_id}/register", data=bad, headers={"Accept-Language": "en"})
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]
    page = blocked.get_data(as_text=True)
    assert "Too many registrations were sent for this e-mail address or this session" in page
    assert f'href="/komi/events/{event_id}"' in page  # the way back to the session
    # another person from the same office is not affected
    assert client.post(f"/komi/events/{event_id}/register", data=_form(2)).status_code == 302
    russian = client.post(f"/komi/events/{event_id}/register", data=bad, headers={"Accept-Language": "ru"})
    assert russian.status_code == 429 and "Подождите" in russian.get_data(as_text=True)


def test_the_session_has_a_ceiling(client, make_event, app, monkeypatch):
    monkeypatch.setitem(app.config, "EVENT_REGISTRATIONS_PER_EVENT", "3 per hour")
    event_id = make_event().id
    other_id = make_event(title_ru="Другая сессия").id
    statuses = [client.post(f"/komi/events/{event_id}/register", data=_form(n)).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert client.post(f"/komi/events/{other_id}/register", data=_form(9)).status_code == 302


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_delegation_preview_reports_errors_and_duplicates_by_email(app, make_event, person):
    event = make_event()
    with app.test_request_context(), force_locale("en"), tenant_scope(db.session, event.tenant_id):
        event = db.session.get(Event, event.id)
        registration_services.register(event, person(email="already@example.ru"))
        data = "\n".join(
            [
                "ФИО;E-mail;Должность;Регион",
                "Иванов Иван;ivanov@example.ru;Инженер;11",
                "Петров Пётр;IVANOV@example.ru;Мастер;",
                "Сидоров;already@example.ru;;",
                ";no-name@example.ru;;",
                "Кузнецов;not-an-address;;Атлантида",
            ]
        ).encode()
        rows = delegation.preview(
            event,
            delegation.read_delegation("people.csv", data),
            delegation.Defaults(
                organisation="ООО «Лузалес»", category="enterprise", region_id=region_id("11")
            ),
        )
        errors = {row.line: " ".join(row.errors) for row in rows}
        assert errors[2] == ""
        assert "repeated: see line 2" in errors[3]
        assert "already@example.ru is already registered" in errors[4]
        assert "name" in errors[5]
        assert "valid e-mail" in errors[6] and "Атлантида" in errors[6]
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
        try:
            delegation.commit(event, [r.as_dict() for r in rows], delegation.Defaults(), actor=None)
        except Refusal as error:
            assert "Nothing was imported" in str(error)
        else:
            raise AssertionError("imported a file with errors")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == before


def test_staff_import_a_delegation_from_xlsx_all_or_nothing(client, make_event, make_user, login):
    event = make_event(capacity=3)
    event_id, tenant_id = event.id, event.tenant_id
    login(make_user("center_staff", email="staff@example.com"))
    people = [["full_name", "email", "position", "phone"]] + [
        [f"Сотрудник {n}", f"w{n}@luzales.example.ru", "Инженер", "+7 912 000-00-0{n}"] for n in range(5)
    ]
    url = f"/komi/staff/events/{event_id}/import"
    preview = client.post(
        url,
        data={
            "file": (io.BytesIO(_xlsx(people)), "delegation.xlsx"),
            "organisation": "ООО «Лузалес»",
            "category": "enterprise",
            "region_id": region_id("11"),
        },
        headers={"Accept-Language": "en"},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "5 people are ready to be registered" in page
    assert "Seats left: 3" in page
    with tenant_scope(db.session, tenant_id):
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
        )  # preview writes nothing
    rows_json = page.split('name="rows" value="')[1].split('"')[0]
    done = client.post(
        url,
        data={
            "rows": html.unescape(rows_json),
            "organisation": "ООО «Лузалес»",
            "category": "enterprise",
            "region_id": region_id("11"),
        },
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert "People registered: 5, of them on the waiting list: 2." in done.get_data(as_text=True)
    with tenant_scope(db.session, tenant_id):
        statuses = dict(
            db.session.execute(
                sa.select(Registration.status, sa.func.count()).group_by(Registration.status)
            ).all()
        )
        assert statuses == {RegistrationStatus.CONFIRMED: 3, RegistrationStatus.WAITLISTED: 2}
        assert db.session.scalar(
            sa.select(AuditEntry.after).where(AuditEntry.action == "event.delegation_imported")
        ) == {"people": 5, "waitlisted": 2}
    # the same file again: every row is already registered, nothing is written
    again = client.post(
        url,
        data={"rows": html.unescape(rows_json), "organisation": "", "category": "enterprise", "region_id": 0},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert "Nothing was imported" in again.get_data(as_text=True)
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 5


def test_staff_confirm_a_guest_whose_mail_never_arrived(client, make_event, make_user, login, person):
    event = make_event(capacity=1)
    event_id, tenant_id = event.id, event.tenant_id
    with tenant_scope(db.session, tenant_id):
        guest = registration_services.register(db.session.get(Event, event_id), person(), guest=True)
        db.session.commit()
        guest_id = guest.id
    staff = make_user("center_staff", email="staff@example.com")
    login(staff)
    listing = client.get(f"/komi/staff/events/{event_id}/participants").get_data(as_text=True)
    assert f"/participants/{guest_id}/confirm" in listing
    client.post(f"/komi/staff/events/{event_id}/participants/{guest_id}/confirm")
    with tenant_scope(db.session, tenant_id):
        registration = db.session.get(Registration, guest_id)
        assert registration.status == RegistrationStatus.CONFIRMED and registration.confirmed_at is not None
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "event.registration_confirmed_by_staff")
        )
        assert entry.actor_id == staff.id and entry.before == {"status": "unconfirmed"}
    # confirming again is refused, and changes nothing
    again = client.post(
        f"/komi/staff/events/{event_id}/participants/{guest_id}/confirm",
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert "Only a registration whose e-mail is not confirmed" in again.get_data(as_text=True)


def test_staff_confirmation_respects_the_capacity(make_event, person, make_user):
    staff = make_user("center_staff")
    event = make_event(capacity=1)
    with tenant_scope(db.session, event.tenant_id):
        event = db.session.get(Event, event.id)
        registration_services.register(event, person())
        guest = registration_services.register(event, person(), guest=True)
        assert (
            registration_services.confirm_by_staff(guest, actor=staff).status == RegistrationStatus.WAITLISTED
        )


def test_a_session_that_ended_refuses_registration_and_hides_the_form(app, client, make_event, person):
    long_ago = utcnow().date() - timedelta(days=3 * 365)
    event = make_event(start_date=long_ago, end_date=long_ago + timedelta(days=1))
    event_id, tenant_id = event.id, event.tenant_id
    with app.test_request_context(), force_locale("en"), tenant_scope(db.session, tenant_id):
        try:
            registration_services.register(db.session.get(Event, event_id), person())
        except Refusal as error:
            assert "ended on" in str(error)
        else:
            raise AssertionError("an ended session accepted a registration")
    page = client.get(f"/komi/events/{event_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This session has ended." in page and f"/events/{event_id}/register" not in page
    form = client.get(f"/komi/events/{event_id}/register", headers={"Accept-Language": "en"})
    text = form.get_data(as_text=True)
    assert "registration is closed" in text and 'name="email"' not in text
    posted = client.post(f"/komi/events/{event_id}/register", data=_form(1))
    assert posted.status_code == 200
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_participants_csv_names_its_charset_once(client, make_event, make_user, login, person):
    event = make_event()
    event_id, tenant_id = event.id, event.tenant_id
    with tenant_scope(db.session, tenant_id):
        registration_services.register(db.session.get(Event, event_id), person(full_name="Анна Каренина"))
        db.session.commit()
    login(make_user("center_staff", email="staff@example.com"))
    response = client.get(f"/komi/staff/events/{event_id}/participants.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "Анна Каренина" in response.data.decode("utf-8-sig")
