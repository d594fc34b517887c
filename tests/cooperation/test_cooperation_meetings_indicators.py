"""The federal indicators of B2B meetings on a hand-built session with known answers: meetings held,
agreements reached (both sides say so) and agreements between participants of different regions."""

from datetime import timedelta

import sqlalchemy as sa

from clusterhub.cooperation.meetings.models import MeetingRequest
from clusterhub.cooperation.meetings.services import outcomes, scheduling
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.reporting import indicators as ind
from clusterhub.reporting import registry, sql
from clusterhub.reporting.periods import parse_period
from clusterhub.tenancy.scoping import federal_read_scope
from tests.fixtures.cooperation import _accepted, _block, _reg

KEYS = ["b2b_meetings_held", "b2b_agreements", "b2b_agreements_interregional"]


def region(code):
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == code))


def compute(period, grouping="country"):
    with federal_read_scope(db.session):
        return ind.compute(KEYS, sql.Scope(period=period), grouping)


def test_meetings_held_agreements_and_agreements_between_regions(b2b):  # noqa: F811
    s = b2b(participants=6, slots=3, tables=3)
    with s.scope():
        for n, code in enumerate(["11", "16", "11", "11", "39", "11"]):
            _reg(s, n).region_id = region(code)
        ids = _accepted(s, [(0, 1), (2, 3), (0, 4), (1, 5), (3, 4), (2, 5)])
        assert len(scheduling.run_scheduler(_block(s)).placed) == 6
        after = _block(s).ends_at
        answers = [  # (requester's outcome, recipient's outcome)
            ("agreement", "agreement"),  # held, agreed, 11 and 16: between regions
            ("agreement", "agreement"),  # held, agreed, both from 11
            ("agreement", "further_talks"),  # held; the sides differ: not an agreement
            ("not_held", "further_talks"),  # one side says it did not take place: not held
            (None, None),  # nobody answered: not counted as held
            ("no_interest", None),  # held, one side answered
        ]
        for mid, (first, second) in zip(ids, answers, strict=True):
            meeting = db.session.get(MeetingRequest, mid)
            if first:
                outcomes.record_outcome(meeting, meeting.requester, first, now=after)
            if second:
                outcomes.record_outcome(meeting, meeting.recipient, second, now=after)
        db.session.commit()
        day = _block(s).starts_at.date()
    period = parse_period(
        start=(day - timedelta(days=1)).isoformat(), end=(day + timedelta(days=1)).isoformat()
    )

    # not published yet: nothing was announced, so nothing counts
    assert {k: v.get(sql.COUNTRY) for k, v in compute(period).items()} == dict.fromkeys(KEYS, 0)

    with s.scope():
        scheduling.publish(_block(s))
        db.session.commit()
    country = {k: v.get(sql.COUNTRY) for k, v in compute(period).items()}
    assert country == {"b2b_meetings_held": 4, "b2b_agreements": 2, "b2b_agreements_interregional": 1}
    by_center = compute(period, "tenant")
    assert by_center["b2b_meetings_held"] == {s.tenant.id: 4}
    by_district = compute(period, "district")
    assert by_district["b2b_agreements"] == {"NWFD": 2}  # the center is in Komi, North-West
    earlier = parse_period(start="2020-01-01", end="2020-12-31")
    assert {k: v.get(sql.COUNTRY) for k, v in compute(earlier).items()} == dict.fromkeys(KEYS, 0)


def test_the_indicators_have_definitions_in_both_languages(app):
    from flask_babel import force_locale

    with app.test_request_context():
        for key in KEYS:
            indicator = registry.REGISTRY[key]
            with force_locale("ru"):
                russian = (str(indicator.label), str(indicator.definition))
            with force_locale("en"):
                english = (str(indicator.label), str(indicator.definition))
            assert russian[0] != english[0] and russian[1] != english[1]
