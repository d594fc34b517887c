"""Organising and registration rules of sessions, at the service level."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from clusterhub.core.refusal import Refusal
from clusterhub.enterprises.services.profiles import get_or_create_by_inn
from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.events.models import AgendaItem, EventStatus, Registration, RegistrationStatus
from clusterhub.events.services import ical
from clusterhub.events.services.agenda import (
    agenda_by_day,
    move_agenda_item,
    overlapping_item_ids,
    save_agenda_item,
    sort_agenda_by_time,
)
from clusterhub.events.services.check_in import check_in, find_for_check_in, undo_check_in
from clusterhub.events.services.common import to_local
from clusterhub.events.services.events import load_event_page, set_status
from clusterhub.events.services.history import enterprise_history, registration_history
from clusterhub.events.services.links import _serializer, registration_from_ticket, ticket_link, ticket_token
from clusterhub.events.services.notifications import send_reminders
from clusterhub.events.services.registration import (
    approve,
    cancel_registration,
    confirm_email,
    decline,
    register,
    register_group,
    seats_taken,
)
from clusterhub.events.services.rosters import participation_counts, statistics
from clusterhub.events.services.signups import item_seats_taken, personal_agenda, sign_up
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.events import region_id


@pytest.fixture(autouse=True)
def _request(request_context):
    yield


def outbox(recipient):
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ).all()


def test_model_event_agenda_grouped_by_local_day_without_overlaps(model_event):
    with tenant_scope(db.session, model_event.tenant_id):
        event = load_event_page(model_event.id)
        days = agenda_by_day(event.agenda_items, event.tenant)
        assert [len(items) for _day, items in days] == [6, 3]
        assert days[0][0] == event.start_date
        first = days[0][1][0]
        # 09:00 in Syktyvkar (UTC+3) is stored as 06:00 UTC
        assert first.starts_at.hour == 6
        assert to_local(first.starts_at, event.tenant).hour == 9
        assert overlapping_item_ids(event.agenda_items) == set()
        visit = next(i for i in event.agenda_items if i.title_ru.startswith("Посещение Монди"))
        assert [e.inn for e in visit.hosts] == ["1121003135"] and visit.seat_limit == 45


def test_overlapping_items_at_the_same_place_are_flagged(model_event):
    with tenant_scope(db.session, model_event.tenant_id):
        event = model_event
        venue = event.venues[0]
        day = event.start_date
        item = save_agenda_item(
            event,
            {
                "kind": "plenary",
                "title_ru": "Пленарное заседание",
                "venue_id": venue.id,
                "starts_at": datetime(day.year, day.month, day.day, 17, 0),
                "ends_at": datetime(day.year, day.month, day.day, 17, 45),
            },
        )
        db.session.refresh(event)
        flagged = overlapping_item_ids(event.agenda_items)
        presentation = next(i for i in event.agenda_items if i.title_ru == "Презентация кластера")
        assert flagged == {item.id, presentation.id}


def test_agenda_item_validation_and_reorder(model_event):
    with tenant_scope(db.session, model_event.tenant_id):
        event = model_event
        day = event.start_date
        with pytest.raises(Refusal) as error:
            save_agenda_item(
                event,
                {
                    "kind": "meal",
                    "title_ru": "Ужин",
                    "site_address_ru": "кафе",
                    "starts_at": datetime(day.year, day.month, day.day, 20),
                    "ends_at": datetime(day.year, day.month, day.day, 19),
                },
            )
        assert error.value.field == "ends_at"
        with pytest.raises(Refusal):
            save_agenda_item(
                event,
                {
                    "kind": "meal",
                    "title_ru": "Ужин",
                    "site_address_ru": "кафе",
                    "starts_at": datetime(day.year + 1, 1, 1, 19),
                    "ends_at": datetime(day.year + 1, 1, 1, 20),
                },
            )
        items = db.session.scalars(sa.select(AgendaItem).order_by(AgendaItem.position)).all()
        move_agenda_item(items[1], -1)
        reordered = db.session.scalars(sa.select(AgendaItem).order_by(AgendaItem.position)).all()
        assert reordered[0].id == items[1].id and reordered[1].id == items[0].id
        sort_agenda_by_time(event)
        assert (
            db.session.scalars(sa.select(AgendaItem.id).order_by(AgendaItem.position)).first() == items[0].id
        )


def test_status_workflow(make_event):
    event = make_event(publish=False)
    with tenant_scope(db.session, event.tenant_id):
        with pytest.raises(Refusal):
            set_status(event, EventStatus.FINISHED)
        set_status(event, EventStatus.PUBLISHED)
        set_status(event, EventStatus.REGISTRATION_CLOSED)
        set_status(event, EventStatus.PUBLISHED)
        set_status(event, EventStatus.FINISHED)
        with pytest.raises(Refusal):
            set_status(event, EventStatus.PUBLISHED)


def test_registration_needs_consent_open_event_and_no_duplicate(make_event, person):
    event = make_event()
    with tenant_scope(db.session, event.tenant_id):
        with pytest.raises(Refusal) as error:
            register(event, person(consent=False))
        assert error.value.field == "consent"
        with pytest.raises(Refusal) as error:
            register(event, person(inn="1234567890"))
        assert error.value.field == "inn"
        first = register(event, person(email="Same@Example.test"))
        assert first.status == RegistrationStatus.CONFIRMED and first.consent_version == event.consent_version
        assert first.consent_at is not None
        with pytest.raises(Refusal) as error:
            register(event, person(email="same@example.test"))
        assert error.value.field == "email"
        set_status(event, EventStatus.REGISTRATION_CLOSED)
        with pytest.raises(Refusal):
            register(event, person())


def test_inn_finds_or_creates_the_enterprise_profile(make_event, person):
    event = make_event()
    with tenant_scope(db.session, event.tenant_id):
        a = register(event, person(inn="1101000016", organisation="ООО «Лузалес»"))
        b = register(event, person(inn="1101000016", organisation="Лузалес"))
        assert a.enterprise_id == b.enterprise_id is not None
        assert a.enterprise.full_name == "ООО «Лузалес»"


def test_capacity_waiting_list_and_promotion_in_the_registrants_language(make_event, person):
    event = make_event(capacity=2)
    with tenant_scope(db.session, event.tenant_id):
        a = register(event, person())
        register(event, person())
        waiting = register(event, person(locale="en", email="late@example.test"))
        assert waiting.status == RegistrationStatus.WAITLISTED
        assert seats_taken(event) == 2
        assert "Waiting list" in outbox("late@example.test")[0].subject
        cancel_registration(a)
        assert waiting.status == RegistrationStatus.CONFIRMED
        assert seats_taken(event) == 2
        promoted = outbox("late@example.test")[-1]
        assert promoted.subject.startswith("A seat is yours")
        assert ticket_token(waiting) in promoted.body_text
        with pytest.raises(Refusal):
            cancel_registration(a)


def test_approval_holds_a_seat_and_decline_promotes(make_event, person):
    event = make_event(capacity=1, requires_approval=True)
    with tenant_scope(db.session, event.tenant_id):
        a = register(event, person())
        b = register(event, person())
        assert (a.status, b.status) == (RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED)
        assert outbox(a.email)[0].subject == "Заявка получена: Сессия"
        decline(a)
        assert b.status == RegistrationStatus.PENDING
        approve(b)
        assert b.status == RegistrationStatus.CONFIRMED
        with pytest.raises(Refusal):
            approve(b)


def test_guest_confirms_by_signed_link(app, make_event, person):
    event = make_event(capacity=1)
    with tenant_scope(db.session, event.tenant_id):
        guest = register(event, person(), guest=True)
        assert guest.status == RegistrationStatus.UNCONFIRMED and seats_taken(event) == 0
        link = outbox(guest.email)[0].body_text.split("/events/confirm/")[1].split()[0]
        with pytest.raises(Refusal):
            confirm_email(link[:-2] + "xx")
        assert confirm_email(link).status == RegistrationStatus.CONFIRMED
        assert confirm_email(link).status == RegistrationStatus.CONFIRMED  # twice is harmless
        assert seats_taken(event) == 1


def test_representative_registers_employees_under_the_enterprise(make_event, make_user, person):
    rep = make_user()
    event = make_event(capacity=2)
    enterprise, _ = get_or_create_by_inn("1101000023", "ООО «Алграф»", region_id=region_id("11"))
    with tenant_scope(db.session, event.tenant_id):
        with pytest.raises(Refusal):
            register_group(event, enterprise, [person()], rep)
        add_representative(enterprise, rep, confirmed=True)
        with pytest.raises(Refusal):  # duplicate e-mails: nothing is registered
            register_group(
                event, enterprise, [person(email="x@example.test"), person(email="x@example.test")], rep
            )
        rows = register_group(event, enterprise, [person(region_id=None), person(), person()], rep)
        assert [r.status for r in rows] == ["confirmed", "confirmed", "waitlisted"]
        assert {r.enterprise_id for r in rows} == {enterprise.id}
        assert {r.organisation for r in rows} == {"ООО «Алграф»"}
        assert all(r.registered_by_id == rep.id for r in rows)
        history = enterprise_history(enterprise, rep)
        assert history[0]["participants"] == 2 and history[0]["event"].id == event.id
        cancel_registration(rows[0])
        assert enterprise_history(enterprise, rep)[0]["participants"] == 2  # the waiting one moved up
        cancel_registration(rows[1])
        assert enterprise_history(enterprise, rep)[0]["participants"] == 1


def test_seat_limited_item_waiting_list_and_promotion(model_event, person):
    with tenant_scope(db.session, model_event.tenant_id):
        event = model_event
        bus = next(i for i in event.agenda_items if i.seat_limit)
        bus.seat_limit = 1
        a = register(event, person())
        b = register(event, person(locale="en"))
        assert sign_up(a, bus).status == "confirmed"
        assert sign_up(b, bus).status == "waitlisted"
        assert sign_up(a, bus).status == "confirmed"  # idempotent
        cancel_registration(a)
        signup = personal_agenda(b)[0]
        assert signup.status == "confirmed"
        assert outbox(b.email)[-1].subject.startswith("A seat is yours: Visit")


def test_ticket_tampering_is_rejected(make_event, person):
    event = make_event()
    with tenant_scope(db.session, event.tenant_id):
        registration = register(event, person())
        token = ticket_token(registration)
    assert registration_from_ticket(token).id == registration.id
    payload, signature = token.rsplit(".", 1)
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]  # not the last char: padding bits
    for bad in (f"{payload}.{flipped}", "1.2.3", str(registration.id)):
        with pytest.raises(Refusal):
            registration_from_ticket(bad)
    # a validly signed ticket with a wrong code (e.g. after the code was reissued) is rejected too
    forged = _serializer("ticket").dumps({"t": event.tenant_id, "r": registration.id, "c": "WRONG"})
    with pytest.raises(Refusal):
        registration_from_ticket(forged)


def test_check_in_is_idempotent_per_event_and_item_and_can_be_undone(
    model_event, person, make_user, make_tenant
):
    staff = make_user("center_staff")
    with tenant_scope(db.session, make_tenant("komi").id):
        event = db.session.get(type(model_event), model_event.id)
        registration = register(event, person())
        found = find_for_check_in(event, ticket_link(registration))
        assert found.id == registration.id
        assert find_for_check_in(event, registration.code.lower()).id == registration.id
        assert check_in(registration, staff) is True
        assert check_in(registration, staff) is False
        assert participation_counts(event)["present"] == 1
        workshop = next(i for i in event.agenda_items if i.kind == "workshop")
        assert check_in(registration, staff, workshop) is True
        assert check_in(registration, staff, workshop) is False
        bus = next(i for i in event.agenda_items if i.seat_limit)
        with pytest.raises(Refusal):
            check_in(registration, staff, bus)  # no seat on the bus
        undo_check_in(registration, staff)
        assert registration.checked_in_at is None
        assert participation_counts(event)["present"] == 0
        waiting = register(event, person(email="w@example.test"))
        cancel_registration(waiting)
        with pytest.raises(Refusal):
            check_in(waiting, staff)


def test_statistics_by_category_region_and_district(make_event, person):
    event = make_event()
    with tenant_scope(db.session, event.tenant_id):
        register(event, person(region_id=region_id("11")))
        register(event, person(region_id=region_id("39"), category="expert"))
        r = register(event, person(region_id=region_id("16")))
        check_in(r)
        stats = statistics(event)
        assert dict((c, n) for c, n, _h in stats["by_category"]) == {"enterprise": 2, "expert": 1}
        assert dict(stats["by_district"])["NWFD"] == [2, 0]
        assert dict(stats["by_district"])["VFD"] == [1, 1]
        assert stats["counts"]["regions"] == 3 and stats["counts"]["present_regions"] == 1


def test_ical_is_rfc5545(model_event, person):
    with tenant_scope(db.session, model_event.tenant_id):
        event = load_event_page(model_event.id)
        body = ical.event_calendar(event, event.tenant)
        assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
        lines = body.split("\r\n")
        assert all(len(line.encode()) <= 75 for line in lines)
        assert body.count("BEGIN:VEVENT") == 1 + len(event.agenda_items)
        assert "DTSTART:" + event.agenda_items[0].starts_at.strftime("%Y%m%dT%H%M%SZ") in body
        unfolded = body.replace("\r\n ", "")
        assert "Практическая сессия по развитию промышленных кластеров России" in unfolded
        assert ical.escape("a,b;c\nd\\") == "a\\,b\\;c\\nd\\\\"
        registration = register(event, person())
        sign_up(registration, event.agenda_items[1])
        mine = ical.person_calendar(registration.email, event.tenant)
        assert mine.count("BEGIN:VEVENT") == 1 and f"item-{event.agenda_items[1].id}@" in mine
        token = ical.person_token(event.tenant_id, registration.email)
        assert ical.email_from_token(token, event.tenant_id) == registration.email
        assert ical.email_from_token(token + "x", event.tenant_id) is None
        assert ical.email_from_token(token, event.tenant_id + 1) is None


def test_reminders_go_once_a_day_before(make_event, person):
    event = make_event()
    start = event.start_date
    with tenant_scope(db.session, event.tenant_id):
        email = register(event, person()).email
    db.session.commit()
    # 06:00 UTC the day before is 09:00 in Syktyvkar (UTC+3), the morning hour the reminders wait for.
    day_before = datetime.combine(start, datetime.min.time()).replace(hour=6)
    from datetime import timedelta

    assert send_reminders(day_before - timedelta(days=1)) == 1
    assert send_reminders(day_before - timedelta(days=1)) == 0
    assert outbox(email)[-1].subject == "Завтра: Сессия"


def test_registrations_of_another_tenant_are_invisible(make_event, make_tenant, person):
    komi_event = make_event()
    event_id = komi_event.id
    with tenant_scope(db.session, komi_event.tenant_id):
        register(komi_event, person())
    other = make_tenant("tatarstan")
    with tenant_scope(db.session, other.id):
        assert db.session.scalars(sa.select(Registration)).all() == []
        assert load_event_page(event_id) is None


class FailingThenWorkingMailer:
    def __init__(self, failures):
        self.failures, self.sent = failures, []

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("mail server down")
        self.sent.append(message)


def test_confirmation_survives_a_failing_mail_server(make_event, person):
    from datetime import timedelta

    from clusterhub.outbox.services import RETRY_DELAYS, send_due
    from clusterhub.tenancy.models import utcnow

    event = make_event()
    with tenant_scope(db.session, event.tenant_id):
        registration = register(event, person(locale="en"))
        email = registration.email
    db.session.commit()
    mailer = FailingThenWorkingMailer(failures=1)
    now = utcnow()
    assert send_due(mailer, now=now) == {"sent": 0, "retry": 1, "failed": 0}
    assert send_due(mailer, now=now + RETRY_DELAYS[0] + timedelta(seconds=1))["sent"] == 1
    assert [m.recipient for m in mailer.sent] == [email]
    assert mailer.sent[0].subject == "You are registered: Session"


def test_demo_load_builds_the_model_event_once(make_tenant):
    from clusterhub.events.models import Event
    from clusterhub_dev.demo import events as demo

    assert demo.load() is None  # no komi tenant yet: nothing to do
    tenant = make_tenant("komi")
    demo.load()
    demo.load()
    with tenant_scope(db.session, tenant.id):
        rows = db.session.scalars(sa.select(Event)).all()
        assert len(rows) == 1 and rows[0].status == EventStatus.PUBLISHED
        assert len(rows[0].agenda_items) == 9 and len(rows[0].organisers) == 4


def test_reminder_command(app, make_event, person):
    event = make_event()
    with tenant_scope(db.session, event.tenant_id):
        register(event, person())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["events", "remind"])
    assert result.exit_code == 0 and "queued 0 reminders" in result.output


def test_cancelling_the_event_tells_everyone_registered_in_their_language(make_event, person):
    event = make_event(capacity=1)
    with tenant_scope(db.session, event.tenant_id):
        a = register(event, person(locale="en"))
        b = register(event, person())
        gone = register(event, person())
        cancel_registration(gone)
        set_status(event, EventStatus.CANCELLED)
        assert outbox(a.email)[-1].subject == "Session cancelled: Session"
        assert outbox(b.email)[-1].subject == "Сессия отменена: Сессия"
        assert "Сессия отменена: Сессия" not in {m.subject for m in outbox(gone.email)}


def test_declining_frees_agenda_seats_too(model_event, person, make_tenant):
    with tenant_scope(db.session, make_tenant("komi").id):
        event = db.session.get(type(model_event), model_event.id)
        event.requires_approval = True
        bus = next(i for i in event.agenda_items if i.seat_limit)
        bus.seat_limit = 1
        a = register(event, person())
        b = register(event, person())
        sign_up(a, bus)
        assert sign_up(b, bus).status == "waitlisted"
        decline(a)
        assert personal_agenda(b)[0].status == "confirmed"
        assert item_seats_taken(bus) == 1


def test_a_cancelled_event_promotes_no_one(make_event, person):
    event = make_event(capacity=1)
    with tenant_scope(db.session, event.tenant_id):
        a = register(event, person())
        b = register(event, person())
        set_status(event, EventStatus.CANCELLED)
        cancel_registration(a)
        assert b.status == RegistrationStatus.WAITLISTED


def test_history_provider_items_for_the_enterprise_profile(make_event, make_user, person):
    event = make_event()
    event_id, start = event.id, event.start_date
    with tenant_scope(db.session, event.tenant_id):
        registration = register(event, person(inn="1101000016", organisation="ООО «Лузалес»"))
        enterprise = registration.enterprise
        check_in(registration)
        db.session.commit()
        db.session.refresh(enterprise)
    items = registration_history(enterprise)
    assert len(items) == 1
    assert items[0].tenant.slug == "komi" and items[0].date == start
    assert items[0].url.endswith(f"/komi/events/{event_id}") and "1" in items[0].status


def test_an_agenda_item_links_the_centers_technopark_and_project(
    client, model_event, make_technopark, make_tenant, make_project, request_context
):
    tenant_id = model_event.tenant_id
    from clusterhub.tenancy.models import Tenant

    komi = db.session.get(Tenant, tenant_id)
    park = make_technopark(komi, name_ru="Индустриальный технопарк «Алграф»")
    foreign_park = make_technopark(make_tenant("tatarstan"), name_ru="Чужой технопарк")
    project_id = make_project(komi, title="Освоение производства плит МДФ")
    with tenant_scope(db.session, tenant_id):
        event = db.session.get(type(model_event), model_event.id)
        day = event.start_date
        values = {
            "kind": "site_visit",
            "title_ru": "Посещение технопарка",
            "site_address_ru": "Сыктывкар",
            "starts_at": datetime(day.year, day.month, day.day, 8, 0),
            "ends_at": datetime(day.year, day.month, day.day, 8, 30),
        }
        with pytest.raises(Refusal):
            save_agenda_item(event, {**values, "technopark_id": foreign_park.id})
        db.session.rollback()
        event = db.session.get(type(model_event), model_event.id)
        save_agenda_item(event, {**values, "technopark_id": park.id, "joint_project_id": project_id})
        event_id = event.id
        db.session.commit()
    page = client.get(f"/{komi.slug}/events/{event_id}").get_data(as_text=True)
    assert f"/{komi.slug}/technoparks/{park.id}" in page and "Освоение производства плит МДФ" in page
