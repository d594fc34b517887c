"""B2B meetings at a session: requests between participants, the schedule the staff run, move and publish,
the participant's own schedule, contacts only after acceptance, and outcomes."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clusterhub.cooperation.meetings import services as meetings
from clusterhub.cooperation.meetings.models import MeetingRequest, MeetingSeat, RequestStatus
from clusterhub.events import services as events
from clusterhub.events.models import Event
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from tests.fixtures.cooperation import _accepted, _block, _reg


def test_request_accept_and_schedule_places_everyone_without_a_clash(b2b):
    s = b2b(participants=6, slots=3, tables=2)
    with s.scope():
        _accepted(s, [(0, 1), (0, 2), (1, 2), (3, 4), (4, 5), (3, 5)])
        result = meetings.run_scheduler(_block(s))
        db.session.commit()
        assert len(result.placed) == 6 and result.unplaced == []
        seats = db.session.execute(sa.select(MeetingSeat.slot, MeetingSeat.registration_id)).all()
        assert len(seats) == len(set(seats)) == 12
        grid = meetings.grid(_block(s))
        assert len(grid) == 6


def test_one_open_request_per_pair_and_none_to_oneself(b2b):
    s = b2b(participants=3)
    with s.scope():
        meetings.request_meeting(_block(s), _reg(s, 0), s.people[1])
        with pytest.raises(meetings.Refusal, match="уже есть запрос"):
            meetings.request_meeting(_block(s), _reg(s, 1), s.people[0])
        with pytest.raises(meetings.Refusal):
            meetings.request_meeting(_block(s), _reg(s, 2), s.people[2])


def test_only_the_recipient_answers(b2b):
    s = b2b(participants=3)
    with s.scope():
        meeting = meetings.request_meeting(_block(s), _reg(s, 0), s.people[1])
        with pytest.raises(meetings.Refusal):
            meetings.answer(meeting, _reg(s, 0), accept=True)
        meetings.answer(meeting, _reg(s, 1), accept=False)
        assert meeting.status == RequestStatus.DECLINED
        with pytest.raises(meetings.Refusal):
            meetings.answer(meeting, _reg(s, 1), accept=True)


def test_moving_by_hand_refuses_a_taken_table_and_a_busy_person(b2b):
    s = b2b(participants=5, slots=2, tables=3)
    with s.scope():
        first, second, third = _accepted(s, [(0, 1), (2, 3), (0, 4)])
        get = lambda mid: db.session.get(MeetingRequest, mid)  # noqa: E731
        meetings.move(get(first), 0, 0)
        meetings.move(get(second), 0, 1)
        with pytest.raises(meetings.Refusal, match="занят"):
            meetings.move(get(third), 0, 1)
        with pytest.raises(meetings.Refusal, match="уже есть другая встреча"):
            meetings.move(get(third), 0, 2)  # a free table, but participant 0 sits at table 0
        meetings.move(get(third), 1, 2)
        assert (get(third).slot, get(third).table_no) == (1, 2)


def test_the_database_refuses_a_person_in_two_meetings_at_once(b2b):
    s = b2b(participants=3, slots=2, tables=2)
    with s.scope():
        first, second = _accepted(s, [(0, 1), (0, 2)])
        db.session.add(MeetingSeat(request_id=first, block_id=s.block, registration_id=s.people[0], slot=0))
        db.session.flush()
        db.session.add(MeetingSeat(request_id=second, block_id=s.block, registration_id=s.people[0], slot=0))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_the_database_refuses_two_meetings_at_one_table(b2b):
    s = b2b(participants=4, slots=2, tables=2)
    with s.scope():
        first, second = _accepted(s, [(0, 1), (2, 3)])
        db.session.get(MeetingRequest, first).slot, db.session.get(MeetingRequest, first).table_no = 1, 1
        db.session.flush()
        other = db.session.get(MeetingRequest, second)
        other.slot, other.table_no = 1, 1
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_site_visit_keeps_its_participant_free(b2b):
    s = b2b(participants=3, slots=3, tables=2)
    with s.scope():
        event = db.session.get(Event, s.event_id)
        block = _block(s)
        local_start = events.to_local(block.slot_start(0), s.tenant).replace(tzinfo=None)
        item = events.save_agenda_item(
            event,
            {
                "kind": "site_visit",
                "title_ru": "Посещение комбината",
                "starts_at": local_start,
                "ends_at": local_start + timedelta(minutes=40),  # slots 0 and 1
                "site_address_ru": "пр. Бумажников, 2",
            },
        )
        events.sign_up(_reg(s, 0), item)
        _accepted(s, [(0, 1), (0, 2)])
        result = meetings.run_scheduler(_block(s))
        assert len(result.placed) == 1  # participant 0 is free in slot 2 only
        assert {slot for slot, _ in result.placed.values()} == {2}
        second = next(m for m in meetings.accepted_meetings(_block(s)) if not m.is_scheduled)
        with pytest.raises(meetings.Refusal, match="другом пункте программы"):
            meetings.move(second, 1, 0)


def test_rerun_keeps_announced_meetings_and_publishing_mails_each_participant(b2b):
    s = b2b(participants=4, slots=3, tables=2)
    with s.scope():
        first_ids = _accepted(s, [(0, 1), (2, 3)])
        meetings.run_scheduler(_block(s))
        db.session.commit()
        before = {m.id: (m.slot, m.table_no) for m in meetings.accepted_meetings(_block(s))}
        meetings.publish(_block(s))
        db.session.commit()
        recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
        assert {u.email for u in s.users[:4]} <= recipients
        _accepted(s, [(0, 2), (1, 3)])
        sent = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        result = meetings.run_scheduler(_block(s))
        db.session.commit()
        after = {m.id: (m.slot, m.table_no) for m in meetings.accepted_meetings(_block(s))}
        assert all(after[mid] == before[mid] for mid in first_ids)
        assert len(result.placed) == 4
        # new placements of a published schedule are news for both sides of each new meeting
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == sent + 4


def test_a_late_move_mails_both_sides(b2b):
    s = b2b(participants=2, slots=3, tables=2)
    with s.scope():
        (mid,) = _accepted(s, [(0, 1)])
        meetings.run_scheduler(_block(s))
        meetings.publish(_block(s))
        db.session.commit()
        sent = set(db.session.scalars(sa.select(OutboxMessage.id)))
        meeting = db.session.get(MeetingRequest, mid)
        meetings.move(meeting, 2, 1)
        db.session.commit()
        new = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.not_in(sent))).all()
        assert sorted(m.recipient for m in new) == sorted(u.email for u in s.users[:2])
        assert all("Стол 2" in m.body_text for m in new)


def test_cancelling_frees_the_place(b2b):
    s = b2b(participants=2)
    with s.scope():
        (mid,) = _accepted(s, [(0, 1)])
        meetings.run_scheduler(_block(s))
        meeting = db.session.get(MeetingRequest, mid)
        meetings.cancel(meeting, _reg(s, 1))
        assert meeting.status == RequestStatus.CANCELLED and not meeting.is_scheduled
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingSeat)) == 0


def test_outcomes_are_kept_per_side_and_a_mismatch_is_shown(b2b):
    s = b2b(participants=2)
    with s.scope():
        (mid,) = _accepted(s, [(0, 1)])
        meetings.run_scheduler(_block(s))
        meeting = db.session.get(MeetingRequest, mid)
        with pytest.raises(meetings.Refusal, match="после начала встречи"):
            meetings.record_outcome(meeting, _reg(s, 0), "agreement", now=datetime(2000, 1, 1))
        later = _block(s).ends_at
        meetings.record_outcome(
            meeting, _reg(s, 0), "agreement", meetings.parse_amount("1 500 000,50"), now=later
        )
        meetings.record_outcome(meeting, _reg(s, 1), "further_talks", now=later)
        assert meeting.requester_amount_kopecks == 150_000_050
        assert meeting.outcomes_differ
        with pytest.raises(meetings.Refusal):
            meetings.parse_amount("сто рублей")


# --- pages ----------------------------------------------------------------------------------------------


def test_a_participant_requests_from_the_directory_and_sees_contacts_only_after_acceptance(
    app, b2b, client, login
):
    from tests.fixtures.accounts import PASSWORD

    s = b2b(participants=3)
    slug = s.tenant.slug
    login(s.users[0])
    page = client.get(f"/{slug}/meetings/{s.block}/participants").get_data(as_text=True)
    assert "Участник 1" in page and "member1@example.com" not in page
    response = client.post(
        f"/{slug}/meetings/{s.block}/request/{s.people[1]}",
        data={"recipient_id": s.people[1], "message": "Привет"},
    )
    assert response.status_code == 302
    mine = client.get(f"/{slug}/meetings/{s.block}").get_data(as_text=True)
    assert "member1@example.com" not in mine
    other = app.test_client()
    other.post("/login", data={"email": s.users[1].email, "password": PASSWORD})
    client = other
    with s.scope():
        mid = db.session.scalar(sa.select(MeetingRequest.id))
    assert client.post(f"/{slug}/meetings/{s.block}/requests/{mid}/accept").status_code == 302
    mine = client.get(f"/{slug}/meetings/{s.block}").get_data(as_text=True)
    assert "member0@example.com" in mine


def test_someone_not_registered_is_told_to_register(b2b, client, login, make_user):
    s = b2b(participants=2)
    login(make_user(email="stranger@example.com"))
    response = client.get(f"/{s.tenant.slug}/meetings/{s.block}")
    assert response.status_code == 403
    assert (
        "Зарегистрируйтесь на сессию с адресом электронной почты вашей учётной записи"
        in response.get_data(as_text=True)
    )
    assert client.get(f"/{s.tenant.slug}/meetings/{s.block}/participants").status_code == 403


def test_staff_run_the_scheduler_see_the_grid_move_and_publish(b2b, client, login):
    s = b2b(participants=4, slots=2, tables=2)
    with s.scope():
        first, second = _accepted(s, [(0, 1), (2, 3)])
    slug = s.tenant.slug
    login(s.staff)
    assert client.post(f"/{slug}/staff/meetings/{s.block}/run", data={}).status_code == 302
    grid = client.get(f"/{slug}/staff/meetings/{s.block}").get_data(as_text=True)
    assert 'id="placed-count">2<' in grid
    with s.scope():
        taken = db.session.get(MeetingRequest, first)
        target = (taken.slot, taken.table_no)
    response = client.post(
        f"/{slug}/staff/meetings/{s.block}/move/{second}",
        data={"slot": target[0], "table": target[1]},
        follow_redirects=True,
    )
    assert "в этом слоте занят: там встречаются" in response.get_data(as_text=True)
    assert client.post(f"/{slug}/staff/meetings/{s.block}/publish").status_code == 302
    for path in ("tables", "outcomes", "edit"):
        assert client.get(f"/{slug}/staff/meetings/{s.block}/{path}").status_code == 200
    plans = client.get(f"/{slug}/staff/meetings/{s.block}/tables.pdf")
    assert plans.status_code == 200 and plans.data.startswith(b"%PDF")
    assert client.get(f"/{slug}/staff/events/{s.event_id}/meetings").status_code == 200


def test_the_personal_schedule_as_page_pdf_and_ical(b2b, client, login):
    s = b2b(participants=2)
    with s.scope():
        _accepted(s, [(0, 1)])
        meetings.run_scheduler(_block(s))
        meetings.publish(_block(s))
        db.session.commit()
    login(s.users[0])
    slug = s.tenant.slug
    page = client.get(f"/{slug}/meetings/{s.block}").get_data(as_text=True)
    assert 'id="my-schedule"' in page and "Участник 1" in page
    pdf = client.get(f"/{slug}/meetings/{s.block}/schedule.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    ics = client.get(f"/{slug}/meetings/{s.block}/schedule.ics").get_data(as_text=True)
    assert ics.count("BEGIN:VEVENT") == 1 and "Участник 1" in ics


def test_another_center_staff_cannot_see_the_grid(b2b, client, login, make_tenant, make_user):
    s = b2b(participants=2)
    other = make_tenant("tatarstan", region="16")
    login(make_user("center_staff", tenant=other))
    assert client.get(f"/{s.tenant.slug}/staff/meetings/{s.block}").status_code in (403, 404)
    assert client.get(f"/{other.slug}/staff/meetings/{s.block}").status_code == 404
