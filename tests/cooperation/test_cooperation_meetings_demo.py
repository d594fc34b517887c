"""The demo: the Komi session's B2B block has requests among its participants, all accepted ones placed,
and the demo participant with an account has meetings and a request to answer; the demo representative stays
unregistered (the browser tests register him)."""

import sqlalchemy as sa

from clusterhub.accounts.services import users
from clusterhub.cooperation.meetings.models import MeetingRequest, RequestStatus
from clusterhub.cooperation.meetings.services import places, preferences, requests, scheduling
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.demo import cooperation_meetings as demo
from clusterhub_dev.demo import events as events_demo


def test_the_komi_session_gets_a_scheduled_b2b_block_once(make_tenant, make_user, request_context):
    komi = make_tenant("komi")
    representative = make_user(email="rep@luzales.example.com", name="Лев Лузалесов")
    events_demo.load()
    block = demo.load()
    assert block is not None
    with tenant_scope(db.session, komi.id):
        block = db.session.merge(block)
        accepted = places.accepted_meetings(block)
        assert len(accepted) >= 30 and all(m.is_scheduled for m in accepted)
        assert block.is_published
        assert requests.participant(block.event_id, representative) is None
        rep = requests.participant(block.event_id, users.find_user_by_email(demo.PARTICIPANT_EMAIL))
        assert rep.user_id is not None
        assert len(scheduling.personal_schedule(block, rep)) == 2
        waiting = [m for m in requests.requests_of(block, rep) if m.status == RequestStatus.REQUESTED]
        assert len(waiting) == 1 and waiting[0].recipient_id == rep.id
        (limited,) = preferences.preferences_of(block).values()
        theirs = [m for m in accepted if limited.registration_id in (m.requester_id, m.recipient_id)]
        assert len(theirs) <= 3 and all(m.slot != block.slot_count - 1 for m in theirs)
        assert preferences.conflicts(block) == {}
        count = db.session.scalar(sa.select(sa.func.count()).select_from(MeetingRequest))
        block_id = block.id
    assert demo.load().id == block_id
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingRequest)) == count
