"""Session and project indicators on a small hand-built dataset with known answers."""

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clusterhub.core.refusal import Refusal
from clusterhub.defenses.models import DefenseCriterion, DefenseRound, PanelMember
from clusterhub.defenses.services import scoring
from clusterhub.events.models import Registration
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject, SelectionRound
from clusterhub.regions.models import Region
from clusterhub.reporting import indicators as ind
from clusterhub.reporting import sql, summaries
from clusterhub.reporting.periods import parse_period
from clusterhub.tenancy.models import utcnow
from clusterhub.tenancy.scoping import federal_read_scope, tenant_scope


def compute(keys, period):
    with federal_read_scope(db.session):
        return {
            k: v.get(sql.COUNTRY) for k, v in ind.compute(keys, sql.Scope(period=period), "country").items()
        }


def region(code):
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == code))


def test_session_indicators(make_event, make_tenant, enterprise):
    komi = make_tenant("komi")
    session = make_event(komi, planned_participants=100)
    session_id, start = session.id, session.start_date
    make_event(komi, publish=False)  # a draft is not held
    company = enterprise()
    people = [  # status, region, enterprise, checked in, participant category
        ("confirmed", "11", company.id, True, "enterprise"),
        ("confirmed", "16", company.id, True, "enterprise"),
        ("pending", "16", None, False, "expert"),
        ("cancelled", "39", None, False, "media"),
        ("waitlisted", "13", None, False, "media"),
    ]
    with tenant_scope(db.session, komi.id):
        for n, (status, code, enterprise_id, came, category) in enumerate(people):
            db.session.add(
                Registration(
                    event_id=session_id,
                    status=status,
                    full_name=f"Участник {n}",
                    email=f"p{n}@example.com",
                    category=category,
                    region_id=region(code),
                    organisation="ООО",
                    enterprise_id=enterprise_id,
                    consent_version="2026-01",
                    consent_at=utcnow(),
                    code=f"C{n:05d}",
                    checked_in_at=utcnow() if came else None,
                )
            )
    db.session.commit()
    period = parse_period(
        start=(start - timedelta(days=1)).isoformat(), end=(start + timedelta(days=1)).isoformat()
    )
    result = compute(
        [
            "sessions_held",
            "registrations",
            "attendance_planned",
            "attendance_actual",
            "session_enterprises",
            "session_regions",
        ],
        period,
    )
    assert result == {
        "sessions_held": 1,
        "registrations": 3,
        "attendance_planned": 100,
        "attendance_actual": 2,
        "session_enterprises": 1,
        "session_regions": 2,
    }
    earlier = parse_period(start="2020-01-01", end="2020-12-31")
    assert compute(["sessions_held", "registrations"], earlier) == {"sessions_held": 0, "registrations": 0}
    with federal_read_scope(db.session):
        by_category = summaries.breakdown_totals(sql.Scope(period=period))["registrations_by_category"]
    assert by_category == {"enterprise": 2, "expert": 1}  # the cancelled and the waitlisted do not count


def test_project_and_defense_indicators(make_defense):
    d = make_defense(projects=3, experts=2)
    with tenant_scope(db.session, d["tenant"].id):
        rnd = db.session.get(DefenseRound, d["round"])
        criteria = db.session.scalars(
            sa.select(DefenseCriterion)
            .where(DefenseCriterion.defense_round_id == rnd.id)
            .order_by(DefenseCriterion.position)
        ).all()
        first = criteria[0]
        members = db.session.scalars(sa.select(PanelMember).where(PanelMember.id.in_(d["members"]))).all()
        from clusterhub.defenses.models import DefenseSlot

        slot = db.session.get(DefenseSlot, d["slots"][0])
        # two experts score one criterion at the bottom and the top of its range: mean 50 %, spread 50 %
        scoring.score_project(slot, members[0], {first.id: (first.min_score, "")})
        scoring.score_project(slot, members[1], {first.id: (first.max_score, "")})
        db.session.commit()
    this_year = parse_period(str(utcnow().year))
    result = compute(
        ["projects_presented", "projects_defended", "score_mean", "score_spread", "requested_subsidy_of_cap"],
        this_year,
    )
    with tenant_scope(db.session, d["tenant"].id):
        projects = db.session.execute(
            sa.select(JointProject.status, JointProject.requested_subsidy, SelectionRound.applicant_cap).join(
                SelectionRound, SelectionRound.id == JointProject.selection_round_id
            )
        ).all()
    with federal_read_scope(db.session):
        by_status = summaries.breakdown_totals(sql.Scope(period=this_year))["projects_by_status"]
    assert (
        by_status == dict(Counter(status for status, _requested, _cap in projects))
        and sum(by_status.values()) == 3
    )
    requested, caps = sum(p.requested_subsidy for p in projects), sum(p.applicant_cap for p in projects)
    assert requested > 0 and float(result["requested_subsidy_of_cap"]) == pytest.approx(
        round(100 * requested / caps, 1)
    )
    assert result["projects_presented"] == 3
    assert result["projects_defended"] == 0
    assert float(result["score_mean"]) == pytest.approx(50.0)
    assert float(result["score_spread"]) == pytest.approx(50.0)


def test_project_target_attainment(make_project, make_tenant, client, make_user, login):
    from clusterhub.projects.models import IndicatorValue, JointProject
    from clusterhub.projects.services import dossier

    komi = make_tenant("komi")
    project_id = make_project(komi)
    with tenant_scope(db.session, komi.id):
        project = db.session.get(JointProject, project_id)
        target = dossier.add_indicator(project, "output", "млн руб.", {(2026, 1): 100, (2026, 2): 100})
        value_ids = list(
            db.session.scalars(
                sa.select(IndicatorValue.id)
                .where(IndicatorValue.target_indicator_id == target.id)
                .order_by(IndicatorValue.half)
            )
        )
        with pytest.raises(Refusal):  # a draft reports no facts
            dossier.report_indicator_fact(project, value_ids[0], 80)
        for status in ("submitted", "admitted", "defended", "filed"):
            project.status = status
        db.session.commit()
    login(make_user("center_admin", tenant=komi))
    response = client.post(
        f"/komi/projects/{project_id}/indicator-facts", data={f"fact-{value_ids[0]}": "80"}
    )
    assert response.status_code == 302
    with tenant_scope(db.session, komi.id):
        assert db.session.get(IndicatorValue, value_ids[0]).fact == 80
    first_half = parse_period("2026-H1")
    assert float(compute(["indicator_attainment"], first_half)["indicator_attainment"]) == pytest.approx(80.0)
    # the second half-year is not reported yet: it does not count against the first
    assert float(
        compute(["indicator_attainment"], parse_period("2026"))["indicator_attainment"]
    ) == pytest.approx(80.0)
    assert compute(["indicator_attainment"], parse_period("2026-H2"))["indicator_attainment"] == 0


def test_defense_outcomes(make_defense):
    d = make_defense(projects=3, experts=2)
    with tenant_scope(db.session, d["tenant"].id):
        projects = db.session.scalars(sa.select(JointProject).order_by(JointProject.id)).all()
        for project, outcome in zip(projects, ["recommended", "not_recommended", None], strict=True):
            if outcome:
                project.status, project.defense_outcome = "defended", outcome
        db.session.commit()
    this_year = parse_period(str(utcnow().year))
    with federal_read_scope(db.session):
        outcomes = summaries.breakdown_totals(sql.Scope(period=this_year))["defense_outcomes"]
    assert outcomes == {"recommended": 1, "not_recommended": 1}
    result = compute(["projects_defended", "projects_recommended_share"], this_year)
    assert result["projects_defended"] == 2 and float(result["projects_recommended_share"]) == 50.0


@pytest.fixture
def figures_from(app, request):
    """Run the test on live figures, then on the stored summaries (which must agree)."""
    app.config["REPORTING_CACHE_SECONDS"] = request.param
    summaries.clear_parsed()
    yield request.param
    app.config["REPORTING_CACHE_SECONDS"] = 0
    summaries.clear_parsed()


@pytest.mark.parametrize("figures_from", [0, 900], ids=["live", "stored"], indirect=True)
def test_defense_is_counted_when_it_was_held_not_when_it_was_entered(make_defense, make_event, figures_from):
    """A defense held on 2 April 2021 at a session's agenda item, with projects submitted in March 2021,
    all entered in 2026, counts in 2021: presented, defended, scores and outcomes alike."""
    from datetime import date, datetime

    from clusterhub.defenses.models import DefenseSlot
    from clusterhub.events.models import AgendaItem

    d = make_defense(projects=2, experts=2)
    event = make_event(
        d["tenant"], start_date=date(2021, 4, 1), end_date=date(2021, 4, 2), title_ru="Сессия 2021"
    )
    with tenant_scope(db.session, d["tenant"].id):
        item = AgendaItem(
            event_id=event.id,
            kind="project_defense",
            title_ru="Предварительная защита",
            starts_at=datetime(2021, 4, 2, 7, 0),
            ends_at=datetime(2021, 4, 2, 10, 0),
        )
        db.session.add(item)
        db.session.flush()
        rnd = db.session.get(DefenseRound, d["round"])
        rnd.agenda_item_id, rnd.event_id = item.id, event.id
        rnd.held_on = datetime(2026, 11, 20, 7, 0)  # the agenda item says when it was held, not this
        projects = db.session.scalars(sa.select(JointProject).where(JointProject.id.in_(d["projects"]))).all()
        for project, outcome in zip(projects, ["recommended", "not_recommended"], strict=True):
            project.submitted_at = datetime(2021, 3, 15, 9, 0)
            project.status, project.defense_outcome = "defended", outcome
        first = db.session.scalars(
            sa.select(DefenseCriterion)
            .where(DefenseCriterion.defense_round_id == rnd.id)
            .order_by(DefenseCriterion.position)
        ).first()
        members = db.session.scalars(sa.select(PanelMember).where(PanelMember.id.in_(d["members"]))).all()
        slot = db.session.get(DefenseSlot, d["slots"][0])
        scoring.score_project(slot, members[0], {first.id: (first.max_score, "")})
        db.session.commit()
    keys = ["projects_presented", "projects_defended", "projects_recommended_share", "score_mean"]
    entered = parse_period(str(utcnow().year))
    assert compute(keys, parse_period("2021")) == {
        "projects_presented": 2,
        "projects_defended": 2,
        "projects_recommended_share": pytest.approx(50.0),
        "score_mean": pytest.approx(100.0),
    }
    assert compute(["projects_defended"], parse_period("2021-Q2")) == {"projects_defended": 2}
    assert compute(["projects_presented"], parse_period("2021-Q1")) == {"projects_presented": 2}
    assert compute(keys, entered) == {
        "projects_presented": 0,
        "projects_defended": 0,
        "projects_recommended_share": 0,
        "score_mean": 0,
    }
    with federal_read_scope(db.session):
        outcomes_2021 = summaries.breakdown_totals(sql.Scope(period=parse_period("2021")))["defense_outcomes"]
        outcomes_now = summaries.breakdown_totals(sql.Scope(period=entered))["defense_outcomes"]
    assert outcomes_2021 == {"recommended": 1, "not_recommended": 1}
    assert outcomes_now == {}
