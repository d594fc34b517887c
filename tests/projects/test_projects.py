"""Joint project dossiers: selection rounds as data, rule checks, the status workflow."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clusterhub.audit.models import AuditEntry
from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject, ProjectStatus, SelectionRound
from clusterhub.projects.services import dossier, participants, rules, selection_rounds, workflow
from clusterhub.tenancy.scoping import tenant_scope


def _project(tenant, project_id):
    return db.session.scalar(sa.select(JointProject).where(JointProject.id == project_id))


def test_seeding_rounds_is_idempotent_and_keeps_the_numbers_as_data(selection_round):
    selection_rounds.seed_selection_rounds()
    selection_rounds.seed_selection_rounds()
    db.session.commit()
    rounds = {r.code: r for r in db.session.scalars(sa.select(SelectionRound))}
    assert set(rounds) == {"pp41-2021", "pp41-2023"}
    r23 = rounds["pp41-2023"]
    assert r23.applicant_cap == 150_000_000_00 and r23.max_subsidy_share == Decimal("0.5")
    assert r23.legal_edition == "ПП РФ № 41 от 28.01.2016 в ред. 2023"
    assert len(r23.criteria) == 6 and sum(c.weight for c in r23.criteria) == Decimal("1")


def test_a_complete_project_passes_every_rule_and_each_check_names_its_rule(make_tenant, make_project):
    tenant = make_tenant("komi")
    project_id = make_project(tenant)
    with tenant_scope(db.session, tenant.id):
        checks = dossier.rule_checks(_project(tenant, project_id))
    assert {c.code for c in checks} == {
        "subsidy_share",
        "applicant_cap",
        "min_participants",
        "cooperation_product",
        "financing_covers_costs",
    }
    assert all(c.passed for c in checks)
    assert all("ПП РФ № 41" in c.rule for c in checks)


def test_rule_checks_fail_on_share_cap_and_participants(make_tenant, make_project, enterprise):
    tenant = make_tenant("komi")
    # 160 mln requested of 200 mln eligible: above 50 % and above the 150 mln cap of 2023
    project_id = make_project(
        tenant, complete=False, requested_subsidy="160000000.00", co_financing="40000000"
    )
    with tenant_scope(db.session, tenant.id):
        project = _project(tenant, project_id)
        dossier.add_cost_item(project, "equipment", "Линия", "200000000.00")
        checks = {c.code: c for c in dossier.rule_checks(project)}
        assert not checks["subsidy_share"].passed and not checks["applicant_cap"].passed
        assert not checks["min_participants"].passed and not checks["cooperation_product"].passed
        assert checks["financing_covers_costs"].passed
        # the same project against the 2021 round: cap 300 mln, so only the share fails
        project.selection_round = db.session.scalar(
            sa.select(SelectionRound).where(SelectionRound.code == "pp41-2021")
        )
        project.submitted_at = None
        checks21 = {
            c.code: c for c in rules.check_project(project, project.selection_round, today=date(2021, 5, 1))
        }
        assert checks21["applicant_cap"].passed and not checks21["subsidy_share"].passed
        assert checks21["deadline"].passed
        late = rules.check_project(project, project.selection_round, today=date(2021, 9, 1))
        assert not {c.code: c for c in late}["deadline"].passed


def test_a_new_round_needs_no_code(make_tenant, make_project):
    tenant = make_tenant("komi")
    project_id = make_project(tenant)
    strict = selection_rounds.create_selection_round(
        {
            "code": "pp41-2027",
            "year": 2027,
            "legal_edition": "ПП РФ № 41 в ред. 2027",
            "applicant_cap": 10_000_000_00,
            "max_subsidy_share": Decimal("0.3"),
            "min_participants": 3,
        },
        criteria=[("a", "А", "A", "1", 1, 5)],
    )
    with tenant_scope(db.session, tenant.id):
        checks = {c.code: c for c in rules.check_project(_project(tenant, project_id), strict)}
    assert not checks["applicant_cap"].passed and not checks["subsidy_share"].passed
    assert not checks["min_participants"].passed and "2027" in checks["min_participants"].rule


@pytest.mark.parametrize("code", ["16", "16.2", "16.21", "16.21.1", "16.21.13", "16.21.13.000"])
def test_okpd2_accepts_every_level(code):
    assert participants.clean_okpd2(code) == code


@pytest.mark.parametrize("code", ["", "1", "16.", "16.21.13.00", "16-21", "16.2.1", "AB.12", "16.21.13.0001"])
def test_okpd2_refuses_malformed_codes(code):
    with pytest.raises(Refusal):
        participants.clean_okpd2(code)


def test_dossier_validation(make_tenant, make_project):
    tenant = make_tenant("komi")
    project_id = make_project(tenant)
    with tenant_scope(db.session, tenant.id):
        project = _project(tenant, project_id)
        lead, buyer = project.participants
        with pytest.raises(Refusal):
            participants.add_product(project, "Плита", "16.21.13.000", maker=lead, buyer=lead)
        with pytest.raises(Refusal):
            dossier.add_cost_item(project, "equipment", "Станок", "-5")
        with pytest.raises(Refusal):
            dossier.add_cost_item(project, "equipment", "Станок", "10.001")
        with pytest.raises(Refusal):
            dossier.add_stage(project, "Этап", date(2026, 5, 1), date(2026, 4, 1))
        with pytest.raises(Refusal):
            dossier.add_indicator(project, "jobs", "чел.", {(2026, 3): 5})
        with pytest.raises(Refusal):
            participants.remove_participant(lead)
        with pytest.raises(Refusal):  # named as the product's buyer
            participants.remove_participant(buyer)
        assert project.total_cost == 100_000_000_00 and project.eligible_cost == 100_000_000_00


def test_the_workflow_records_each_transition_and_refuses_invalid_ones(make_tenant, make_project, make_user):
    tenant = make_tenant("komi")
    staff = make_user("center_staff", tenant=tenant)
    project_id = make_project(tenant)
    with tenant_scope(db.session, tenant.id):
        project = _project(tenant, project_id)
        with pytest.raises(Refusal):
            workflow.change_status(project, ProjectStatus.FILED, actor=staff)
        workflow.change_status(project, ProjectStatus.SUBMITTED, actor=staff)
        with pytest.raises(Refusal):  # only drafts are edited
            dossier.add_stage(project, "Этап", date(2026, 1, 1), date(2026, 2, 1))
        workflow.change_status(project, ProjectStatus.ADMITTED, actor=staff)
        with pytest.raises(Refusal):  # an outcome is required
            workflow.change_status(project, ProjectStatus.DEFENDED, actor=staff)
        workflow.change_status(
            project, ProjectStatus.DEFENDED, actor=staff, outcome="not_recommended", remark="Нет"
        )
        assert ProjectStatus.FILED not in workflow.allowed_transitions(project)
        workflow.change_status(project, ProjectStatus.ADMITTED, actor=staff)  # to the second defense
        workflow.change_status(project, ProjectStatus.DEFENDED, actor=staff, outcome="recommended")
        workflow.change_status(project, ProjectStatus.FILED, actor=staff)
        workflow.change_status(project, ProjectStatus.GRANTED, actor=staff)
        assert workflow.allowed_transitions(project) == []
        db.session.commit()
        history = [(c.from_status, c.to_status, c.actor_id) for c in project.status_changes]
        assert history[0] == (None, "draft", None)
        assert [h[1] for h in history[1:]] == [
            "submitted",
            "admitted",
            "defended",
            "admitted",
            "defended",
            "filed",
            "granted",
        ]
        assert all(h[2] == staff.id for h in history[1:])
        logged = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "project.status_changed")
        )
        assert len(logged.all()) == 7


def test_a_project_failing_the_rules_cannot_be_submitted(make_tenant, make_project):
    tenant = make_tenant("komi")
    project_id = make_project(tenant, complete=False)
    with tenant_scope(db.session, tenant.id):
        project = _project(tenant, project_id)
        with pytest.raises(Refusal, match="(rules|правилам)"):
            workflow.change_status(project, ProjectStatus.SUBMITTED)
        assert project.status == ProjectStatus.DRAFT and project.submitted_at is None
