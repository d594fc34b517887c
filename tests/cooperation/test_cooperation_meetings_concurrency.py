"""Two staff moving meetings at the same moment cannot make a clash: the database's unique constraints
(one meeting per table and slot, one seat per person and slot) refuse the second (PostgreSQL)."""

import threading
import time

import pytest
import sqlalchemy as sa

from clusterhub.cooperation.meetings.models import MeetingRequest, MeetingSeat
from clusterhub.cooperation.meetings.services import scheduling
from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.cooperation import _accepted


def _race(app, tenant_id, first_move, second_move):
    """The first mover has flushed but not committed when the second one starts; returns the errors."""
    flushed = threading.Event()
    outcomes = {}

    def mover(name, meeting_id, slot, table):
        with app.app_context(), app.test_request_context():
            try:
                with tenant_scope(db.session, tenant_id):
                    if name == "second":
                        flushed.wait(timeout=30)
                    scheduling.move(db.session.get(MeetingRequest, meeting_id), slot, table)
                    if name == "first":
                        flushed.set()
                        time.sleep(
                            0.5
                        )  # the second mover now checks and flushes against our open transaction
                    db.session.commit()
                    outcomes[name] = "moved"
            except Refusal as error:
                db.session.rollback()
                outcomes[name] = error
            finally:
                flushed.set()
                db.session.remove()

    threads = [
        threading.Thread(target=mover, args=("first", *first_move)),
        threading.Thread(target=mover, args=("second", *second_move)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("clash", ["table", "person"])
def test_two_staff_moving_at_once_cannot_double_book(app, pg_only, b2b, clash):  # noqa: F811
    s = b2b(participants=4, slots=3, tables=3)
    with s.scope():
        # table: two different pairs to the same table and slot; person: participant 0 twice in one slot
        pairs = [(0, 1), (2, 3)] if clash == "table" else [(0, 1), (0, 2)]
        first, second = _accepted(s, pairs)
    second_table = 1 if clash == "table" else 2
    outcomes = _race(app, s.tenant.id, (first, 1, 1), (second, 1, second_table))
    assert outcomes["first"] == "moved"
    assert isinstance(outcomes["second"], Refusal)
    with s.scope():
        seats = db.session.execute(sa.select(MeetingSeat.slot, MeetingSeat.registration_id)).all()
        assert len(seats) == len(set(seats)) == 2
        placed = db.session.execute(
            sa.select(MeetingRequest.slot, MeetingRequest.table_no).where(MeetingRequest.slot.is_not(None))
        ).all()
        assert placed == [(1, 1)]
