"""Day-before reminders reach each center's registrants in the center's own morning, whatever its zone."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from clusterhub.events.services.notifications import send_reminders
from clusterhub.events.services.registration import register
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from clusterhub.tenancy.scoping import tenant_scope


@pytest.fixture(autouse=True)
def _request(request_context):
    yield


def reminders_to(email):
    return db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.recipient == email, OutboxMessage.subject == "Завтра: Сессия"
        )
    ).all()


@pytest.fixture
def two_centers(make_tenant, make_event, person):
    """Kaliningrad (UTC+2) and Kamchatka (UTC+12), each with a session on 10 March and one registrant."""
    start = date(2027, 3, 10)
    emails = {}
    for slug, region in (("kaliningrad", "39"), ("kamchatka", "41")):
        tenant = make_tenant(slug, region=region)
        event = make_event(tenant=tenant, start_date=start, end_date=start)
        with tenant_scope(db.session, tenant.id):
            emails[slug] = register(event, person()).email
    db.session.commit()
    return emails


def test_an_hourly_job_reminds_each_center_once_at_nine_on_its_own_clock(two_centers):
    sent_at = {}
    hour = datetime(2027, 3, 8, 12)  # a day and a half before, in UTC
    while hour < datetime(2027, 3, 10, 0):
        send_reminders(hour, morning_hour=9)
        db.session.commit()
        for slug, email in two_centers.items():
            if reminders_to(email) and slug not in sent_at:
                sent_at[slug] = hour
        hour += timedelta(hours=1)

    # 09:00 on 9 March in Kaliningrad is 07:00 UTC; in Kamchatka it is 21:00 UTC on 8 March.
    assert sent_at == {"kaliningrad": datetime(2027, 3, 9, 7), "kamchatka": datetime(2027, 3, 8, 21)}
    assert [len(reminders_to(email)) for email in two_centers.values()] == [1, 1]


def test_a_run_outside_the_morning_sends_nothing_and_a_late_run_makes_up_a_missed_one(two_centers):
    # 06:00 UTC is 08:00 in Kaliningrad (too early) and 18:00 in Kamchatka (that morning is over).
    assert send_reminders(datetime(2027, 3, 9, 6), morning_hour=9) == 0
    # The 07:00 run failed; the 08:00 run (10:00 in Kaliningrad) still reminds, and only once.
    assert send_reminders(datetime(2027, 3, 9, 8), morning_hour=9) == 1
    assert send_reminders(datetime(2027, 3, 9, 9), morning_hour=9) == 0
    assert len(reminders_to(two_centers["kaliningrad"])) == 1
    assert reminders_to(two_centers["kamchatka"]) == []


def test_the_morning_hour_is_a_setting(app, two_centers):
    app.config["REMINDER_LOCAL_HOUR"] = 8
    try:
        # 06:00 UTC is 08:00 in Kaliningrad.
        assert send_reminders(datetime(2027, 3, 9, 6)) == 1
    finally:
        app.config["REMINDER_LOCAL_HOUR"] = 9
