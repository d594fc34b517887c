"""B2B meetings at a session: requests between participants, the schedule the staff run, move and publish,
the participant's own schedule, contacts only after acceptance, and outcomes."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clusterhub.cooperation.meetings.models import MeetingRequest, MeetingSeat, RequestStatus
from clusterhub.cooperation.meetings.services import (
    blocks,
    outcomes,
    places,
    preferences,
    requests,
    scheduling,
)
from clusterhub.core.refusal import Refusal
from clusterhub.events.models import Event
from clusterhub.events.services.agenda import save_agenda_item
from clusterhub.events.services.common import to_local
from clusterhub.events.services.signups import sign_up
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from tests.fixtures.cooperation import _accepted, _block, _reg


def test_request_accept_and_schedule_places_everyone_without_a_clash(b2b):
    s = b2b(participants=6, slots=3, tables=2)
    with s.scope():
        _accepted(s, [(0, 1), (0, 2), (1, 2), (3, 4), (4, 5), (3, 5)])
        result = scheduling.run_scheduler(_block(s))
        db.session.commit()
        assert len(result.placed) == 6 and result.unplaced == []
        seats = db.session.execute(sa.select(MeetingSeat.slot, MeetingSeat.registration_id)).all()
        assert len(seats) == len(set(seats)) == 12
        grid = places.grid(_block(s))
        assert len(grid) == 6


def test_one_open_request_per_pair_and_none_to_oneself(b2b):
    s = b2b(participants=3)
    with s.scope():
        requests.request_meeting(_block(s), _reg(s, 0), s.people[1])
        with pytest.raises(Refusal, match="уже есть запрос"):
            requests.request_meeting(_block(s), _reg(s, 1), s.people[0])
        with pytest.raises(Refusal):
            requests.request_meeting(_block(s), _reg(s, 2), s.people[2])


def test_only_the_recipient_answers(b2b):
    s = b2b(participants=3)
    with s.scope():
        meeting = requests.request_meeting(_block(s), _reg(s, 0), s.people[1])
        with pytest.raises(Refusal):
            requests.answer(meeting, _reg(s, 0), accept=True)
        requests.answer(meeting, _reg(s, 1), accept=False)
        assert meeting.status == RequestStatus.DECLINED
        with pytest.raises(Refusal):
            requests.answer(meeting, _reg(s, 1), accept=True)


def test_moving_by_hand_refuses_a_taken_table_and_a_busy_person(b2b):
    s = b2b(participants=5, slots=2, tables=3)
    with s.scope():
        first, second, third = _accepted(s, [(0, 1), (2, 3), (0, 4)])
        get = lambda mid: db.session.get(MeetingRequest, mid)  # noqa: E731
        scheduling.move(get(first), 0, 0)
        scheduling.move(get(second), 0, 1)
        with pytest.raises(Refusal, match="занят"):
            scheduling.move(get(third), 0, 1)
        with pytest.raises(Refusal, match="уже есть другая встреча"):
            scheduling.move(get(third), 0, 2)  # a free table, but participant 0 sits at table 0
        scheduling.move(get(third), 1, 2)
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
        local_start = to_local(block.slot_start(0), s.tenant).replace(tzinfo=None)
        item = save_agenda_item(
            event,
            {
                "kind": "site_visit",
                "title_ru": "Посещение комбината",
                "starts_at": local_start,
                "ends_at": local_start + timedelta(minutes=40),  # slots 0 and 1
                "site_address_ru": "пр. Бумажников, 2",
            },
        )
        sign_up(_reg(s, 0), item)
        _accepted(s, [(0, 1), (0, 2)])
        result = scheduling.run_scheduler(_block(s))
        assert len(result.placed) == 1  # participant 0 is free in slot 2 only
        assert {slot for slot, _ in result.placed.values()} == {2}
        second = next(m for m in places.accepted_meetings(_block(s)) if not m.is_scheduled)
        with pytest.raises(Refusal, match="другом пункте программы"):
            scheduling.move(second, 1, 0)


def test_rerun_keeps_announced_meetings_and_publishing_mails_each_participant(b2b):
    s = b2b(participants=4, slots=3, tables=2)
    with s.scope():
        first_ids = _accepted(s, [(0, 1), (2, 3)])
        scheduling.run_scheduler(_block(s))
        db.session.commit()
        before = {m.id: (m.slot, m.table_no) for m in places.accepted_meetings(_block(s))}
        scheduling.publish(_block(s))
        db.session.commit()
        recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
        assert {u.email for u in s.users[:4]} <= recipients
        _accepted(s, [(0, 2), (1, 3)])
        sent = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        result = scheduling.run_scheduler(_block(s))
        db.session.commit()
        after = {m.id: (m.slot, m.table_no) for m in places.accepted_meetings(_block(s))}
        assert all(after[mid] == before[mid] for mid in first_ids)
        assert len(result.placed) == 4
        # new placements of a published schedule are news for both sides of each new meeting
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == sent + 4


def test_a_late_move_mails_both_sides(b2b):
    s = b2b(participants=2, slots=3, tables=2)
    with s.scope():
        (mid,) = _accepted(s, [(0, 1)])
        scheduling.run_scheduler(_block(s))
        scheduling.publish(_block(s))
        db.session.commit()
        sent = set(db.session.scalars(sa.select(OutboxMessage.id)))
        meeting = db.session.get(MeetingRequest, mid)
        scheduling.move(meeting, 2, 1)
        db.session.commit()
        new = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.not_in(sent))).all()
        assert sorted(m.recipient for m in new) == sorted(u.email for u in s.users[:2])
        assert all("Стол 2" in m.body_text for m in new)


def test_cancelling_frees_the_place(b2b):
    s = b2b(participants=2)
    with s.scope():
        (mid,) = _accepted(s, [(0, 1)])
        scheduling.run_scheduler(_block(s))
        meeting = db.session.get(MeetingRequest, mid)
        requests.cancel(meeting, _reg(s, 1))
        assert meeting.status == RequestStatus.CANCELLED and not meeting.is_scheduled
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingSeat)) == 0


def test_outcomes_are_kept_per_side_and_a_mismatch_is_shown(b2b):
    s = b2b(participants=2)
    with s.scope():
        (mid,) = _accepted(s, [(0, 1)])
        scheduling.run_scheduler(_block(s))
        meeting = db.session.get(MeetingRequest, mid)
        with pytest.raises(Refusal, match="после начала встречи"):
            outcomes.record_outcome(meeting, _reg(s, 0), "agreement", now=datetime(2000, 1, 1))
        later = _block(s).ends_at
        outcomes.record_outcome(
            meeting, _reg(s, 0), "agreement", outcomes.parse_amount("1 500 000,50"), now=later
        )
        outcomes.record_outcome(meeting, _reg(s, 1), "further_talks", now=later)
        assert meeting.requester_amount_kopecks == 150_000_050
        assert meeting.outcomes_differ
        with pytest.raises(Refusal):
            outcomes.parse_amount("сто рублей")


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
        scheduling.run_scheduler(_block(s))
        scheduling.publish(_block(s))
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


# --- each participant's own limits ------------------------------------------------------------------------


def _outbox_since(sent: set) -> list:
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.not_in(sent))).all()


def test_own_maximum_and_breaks_reach_the_scheduler_and_stay_within_the_block(b2b):
    s = b2b(participants=4, slots=3, tables=2, max_meetings=2)
    with s.scope():
        _accepted(s, [(0, 1), (0, 2), (0, 3)])
        with pytest.raises(Refusal, match="не более 2"):
            preferences.set_preferences(_block(s), _reg(s, 0), 3, [])
        with pytest.raises(Refusal):
            preferences.set_preferences(_block(s), _reg(s, 0), None, [0, 1, 2])  # no slot left
        preferences.set_preferences(_block(s), _reg(s, 0), 1, [0])
        db.session.commit()
        problem = scheduling.problem_for(_block(s))
        assert problem.max_meetings == {s.people[0]: 1} and set(problem.unavailable[s.people[0]]) == {0}
        result = scheduling.run_scheduler(_block(s))
        db.session.commit()
        mine = [m for m in places.accepted_meetings(_block(s)) if m.is_scheduled]
        assert len(result.placed) == 1 and len(mine) == 1 and mine[0].slot != 0


def test_a_limit_set_after_publishing_is_a_conflict_until_a_rerun_moves_the_meeting(b2b, client, login):
    s = b2b(participants=4, slots=3, tables=2)
    with s.scope():
        first, second = _accepted(s, [(0, 1), (2, 3)])
        scheduling.move(db.session.get(MeetingRequest, first), 0, 0)
        scheduling.move(db.session.get(MeetingRequest, second), 0, 1)
        scheduling.publish(_block(s))
        preferences.set_preferences(_block(s), _reg(s, 0), None, [0])  # she now leaves during slot 1
        db.session.commit()
        # nothing is dropped by itself: the meeting stays, and the staff see why it is a problem
        assert db.session.get(MeetingRequest, first).slot == 0
        assert list(preferences.conflicts(_block(s))) == [first]
    login(s.staff)
    grid = client.get(f"/{s.tenant.slug}/staff/meetings/{s.block}").get_data(as_text=True)
    assert 'id="limit-conflicts"' in grid and "Участник 0 не может в этот слот" in grid
    people = client.get(f"/{s.tenant.slug}/staff/meetings/{s.block}/people").get_data(as_text=True)
    assert "Участник 0" in people and "нарушают ограничения" in people
    with s.scope():
        sent = set(db.session.scalars(sa.select(OutboxMessage.id)))
        result = scheduling.run_scheduler(_block(s))
        db.session.commit()
        assert result.released == [first]
        assert db.session.get(MeetingRequest, first).slot in (1, 2)  # moved, not dropped
        assert db.session.get(MeetingRequest, second).slot == 0  # the other announced one keeps its place
        assert preferences.conflicts(_block(s)) == {}
        assert sorted(m.recipient for m in _outbox_since(sent)) == sorted(u.email for u in s.users[:2])


def test_moving_by_hand_refuses_a_persons_break_and_their_maximum(b2b):
    s = b2b(participants=3, slots=3, tables=2)
    with s.scope():
        first, second = _accepted(s, [(0, 1), (0, 2)])
        preferences.set_preferences(_block(s), _reg(s, 0), 1, [2])
        with pytest.raises(Refusal, match="не может в этот слот"):
            scheduling.move(db.session.get(MeetingRequest, first), 2, 0)
        scheduling.move(db.session.get(MeetingRequest, first), 0, 0)
        with pytest.raises(Refusal, match="максимум"):
            scheduling.move(db.session.get(MeetingRequest, second), 1, 0)


def test_a_participant_sets_their_limits_on_their_page_and_staff_set_them_too(b2b, client, login):
    s = b2b(participants=3, slots=4, tables=2, max_meetings=3)
    slug = s.tenant.slug
    login(s.users[0])
    form = client.get(f"/{slug}/meetings/{s.block}/limits").get_data(as_text=True)
    assert form.count('type="checkbox" name="unavailable"') == 4 and "не более 3" in form
    refused = client.post(f"/{slug}/meetings/{s.block}/limits", data={"max_meetings": 5})
    assert refused.status_code == 200 and "не более 3 встреч" in refused.get_data(as_text=True)
    saved = client.post(
        f"/{slug}/meetings/{s.block}/limits", data={"max_meetings": 2, "unavailable": ["1", "2"]}
    )
    assert saved.status_code == 302
    mine = client.get(f"/{slug}/meetings/{s.block}").get_data(as_text=True)
    # the block starts 13:00 UTC: slots 2 and 3 start 13:20 and 13:40 UTC, 16:20 and 16:40 in Syktyvkar
    assert "не более 2 встреч" in mine and "16:20, 16:40" in mine
    assert client.get(f"/{slug}/staff/meetings/{s.block}/people").status_code == 403
    with s.scope():
        pref = preferences.preference(_block(s), _reg(s, 0))
        assert (pref.max_meetings, pref.unavailable_slots) == (2, {1, 2})

    client.post("/logout")
    login(s.staff)
    people = client.get(f"/{slug}/staff/meetings/{s.block}/people").get_data(as_text=True)
    assert "Участник 0" in people and "16:20" in people
    assert (
        client.post(
            f"/{slug}/staff/meetings/{s.block}/people/{s.people[1]}", data={"unavailable": ["0"]}
        ).status_code
        == 302
    )
    with s.scope():
        assert scheduling.problem_for(_block(s)).max_meetings == {}  # no accepted meetings yet
        assert preferences.preference(_block(s), _reg(s, 1)).unavailable_slots == {0}


# --- citing an offer or request ------------------------------------------------------------------------


def test_the_request_form_offers_both_sides_published_entries_and_refuses_any_other(
    b2b, client, login, make_enterprise, make_user
):
    from clusterhub.cooperation.offers.services import entries
    from clusterhub.enterprises.services import representatives as enterprises
    from tests.fixtures.cooperation import values

    s = b2b(participants=3)
    writer = make_user(email="writer@example.com")  # writes every entry, meets nobody

    own, theirs, stranger = (make_enterprise(name) for name in ("Лесозавод", "Мебельная фабрика", "Чужой"))
    for enterprise in (own, theirs, stranger):
        enterprises.add_representative(enterprise, writer, confirmed=True)
    enterprises.add_representative(own, s.users[0], confirmed=True)
    enterprises.add_representative(theirs, s.users[1], confirmed=True)
    db.session.commit()

    def entry(enterprise, title, publish=True, **overrides):
        offer = entries.create_offer(enterprise, values(title_ru=title, **overrides), writer)
        if publish:
            entries.publish(offer, writer)
        db.session.commit()
        return offer

    entry(own, "Пиломатериалы камерной сушки", kind_of_entry="offer")
    wanted = entry(theirs, "Нужен мебельный щит")
    foreign = entry(stranger, "Чужое предложение", kind_of_entry="offer")
    draft = entry(own, "Черновик лесозавода", publish=False).id
    slug = s.tenant.slug
    login(s.users[0])
    page = client.get(f"/{slug}/meetings/{s.block}/request/{s.people[1]}").get_data(as_text=True)
    assert "Пиломатериалы камерной сушки" in page and "Нужен мебельный щит" in page
    assert "Чужое предложение" not in page and "Черновик лесозавода" not in page
    assert 'type="number"' not in page and "номер" not in page.lower()
    for bad in (foreign.id, draft):
        refused = client.post(
            f"/{slug}/meetings/{s.block}/request/{s.people[1]}",
            data={"recipient_id": s.people[1], "offer_id": str(bad), "message": "Обсудим"},
        )
        assert refused.status_code == 200 and "опубликованное предложение" in refused.get_data(as_text=True)
    sent = client.post(
        f"/{slug}/meetings/{s.block}/request/{s.people[1]}",
        data={"recipient_id": s.people[1], "offer_id": str(wanted.id), "message": "Обсудим щит"},
    )
    assert sent.status_code == 302
    with s.scope():
        meeting = db.session.scalar(sa.select(MeetingRequest))
        assert meeting.offer_id == wanted.id
    # none is a choice too
    assert (
        client.post(
            f"/{slug}/meetings/{s.block}/request/{s.people[2]}",
            data={"recipient_id": s.people[2], "offer_id": ""},
        ).status_code
        == 302
    )
    client.post("/logout")
    login(s.users[1])
    incoming = client.get(f"/{slug}/meetings/{s.block}").get_data(as_text=True)
    assert "Нужен мебельный щит" in incoming


# --- late changes ------------------------------------------------------------------------------------


def test_moving_a_published_blocks_start_mails_both_sides_of_each_meeting_once_in_their_language(b2b):
    s = b2b(participants=4, slots=3, tables=2)
    with s.scope():
        _reg(s, 1).locale = "en"
        first, second = _accepted(s, [(0, 1), (2, 3)])
        scheduling.move(db.session.get(MeetingRequest, first), 0, 0)
        scheduling.move(db.session.get(MeetingRequest, second), 1, 0)
        scheduling.publish(_block(s))
        db.session.commit()
        sent = set(db.session.scalars(sa.select(OutboxMessage.id)))
        block = _block(s)
        values = {k: getattr(block, k) for k in blocks.BLOCK_FIELDS}
        values["starts_at"] = block.starts_at + timedelta(hours=1)  # 14:00 UTC, 17:00 in Syktyvkar
        blocks.update_block(block, values)
        db.session.commit()
        new = _outbox_since(sent)
        assert sorted(m.recipient for m in new) == sorted(u.email for u in s.users[:4])
        by_recipient = {m.recipient: m.body_text for m in new}
        assert "17:00–17:20" in by_recipient[s.users[0].email]
        assert "is now at" in by_recipient[s.users[1].email] and "17:00" in by_recipient[s.users[1].email]
        assert "17:20–17:40" in by_recipient[s.users[2].email]

        # renaming one table is news only for the meeting at it
        sent = set(db.session.scalars(sa.select(OutboxMessage.id)))
        values["starts_at"] = block.starts_at
        values["table_names"] = "Стол у окна\nСтол 2"
        blocks.update_block(block, values)
        db.session.commit()
        new = _outbox_since(sent)
        assert sorted(m.recipient for m in new) == sorted(u.email for u in s.users[:4])
        values["table_names"] = "Стол у окна\nСтол у двери"
        sent = set(db.session.scalars(sa.select(OutboxMessage.id)))
        blocks.update_block(block, values)  # nobody sits at the second table
        db.session.commit()
        assert _outbox_since(sent) == []


def test_fewer_slots_after_publishing_takes_meetings_out_only_when_asked_and_tells_both_sides(b2b):
    s = b2b(participants=4, slots=3, tables=2)
    with s.scope():
        first, second = _accepted(s, [(0, 1), (2, 3)])
        scheduling.move(db.session.get(MeetingRequest, first), 0, 0)
        scheduling.move(db.session.get(MeetingRequest, second), 2, 0)
        scheduling.publish(_block(s))
        db.session.commit()
        block = _block(s)
        values = {k: getattr(block, k) for k in blocks.BLOCK_FIELDS}
        values["slot_count"] = 2
        with pytest.raises(Refusal, match="в более поздние слоты"):
            blocks.update_block(block, values)
        sent = set(db.session.scalars(sa.select(OutboxMessage.id)))
        blocks.update_block(block, {**values, "take_out": True})
        db.session.commit()
        assert not db.session.get(MeetingRequest, second).is_scheduled
        assert db.session.get(MeetingRequest, first).slot == 0
        new = _outbox_since(sent)
        assert sorted(m.recipient for m in new) == sorted(u.email for u in s.users[2:4])
        assert all("больше не стоит в расписании" in m.body_text for m in new)


def test_the_blocks_limit_lowered_later_still_binds_a_participant_who_chose_more(b2b):
    s = b2b(participants=3, slots=3, tables=2, max_meetings=3)
    with s.scope():
        _accepted(s, [(0, 1), (0, 2)])
        preferences.set_preferences(_block(s), _reg(s, 0), 3, [])
        block = _block(s)
        blocks.update_block(block, {**{k: getattr(block, k) for k in blocks.BLOCK_FIELDS}, "max_meetings": 1})
        assert scheduling.problem_for(block).max_meetings == {s.people[0]: 1}
        assert len(scheduling.run_scheduler(block).placed) == 1


def test_the_staff_list_of_limits_comes_a_page_at_a_time_and_narrows_by_name_or_organisation(
    b2b, client, login
):
    s = b2b(participants=29, slots=4, tables=2)
    with s.scope():
        for n in range(26):
            preferences.set_preferences(_block(s), _reg(s, n), None, [0])
        _accepted(s, [(26, 27)])  # no limits of their own, but a meeting waiting for a place
        db.session.commit()
        organisation = _reg(s, 5).organisation
    login(s.staff)
    url = f"/{s.tenant.slug}/staff/meetings/{s.block}/people"

    def names(html: str) -> set[str]:
        return set(re.findall(r"<strong>(Участник \d+)</strong>", html))

    first, second = client.get(url).get_data(as_text=True), client.get(f"{url}?page=2").get_data(as_text=True)
    everyone = {f"Участник {n}" for n in range(28)}  # the 29th has neither limits nor meetings
    assert "Участников: 28" in first and "Страница 1 из 2" in first
    assert len(names(first)) == 25 and len(names(second)) == 3
    assert names(first) | names(second) == everyone
    assert "Ожидают: 1" in second or "Ожидают: 1" in first

    by_name = client.get(url, query_string={"q": "участник 2"}).get_data(as_text=True)
    assert names(by_name) == {"Участник 2", *(f"Участник {n}" for n in range(20, 28))}
    assert "Участников: 9" in by_name and "Страница 1 из" not in by_name
    by_organisation = client.get(url, query_string={"q": organisation}).get_data(as_text=True)
    assert names(by_organisation) == {"Участник 5"}
    nobody = client.get(url, query_string={"q": "нет такого"}).get_data(as_text=True)
    assert "Участников: 0" in nobody and "Никто не подходит" in nobody
