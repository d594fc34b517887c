"""Factory fixtures for joint projects and defense rounds, built through the services."""

from datetime import date

import pytest

from clusterhub.defenses import models as defense_models  # noqa: F401  (every model known at collection)
from clusterhub.enterprises.services.profiles import get_or_create_by_inn
from clusterhub.extensions import db
from clusterhub.projects.services import dossier, participants, selection_rounds, workflow
from clusterhub.tenancy.scoping import tenant_scope


def inn_for(n: int) -> str:
    """A valid 10-digit ИНН (organisation) built from ``n``: the check digit per the tax service's rule."""
    body = f"77{n:07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return body + str(sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10)


@pytest.fixture
def selection_round():
    def make(code="pp41-2023"):
        rounds = {r.code: r for r in selection_rounds.seed_selection_rounds()}
        db.session.commit()
        return rounds[code]

    return make


@pytest.fixture
def enterprise():
    counter = iter(range(1, 100_000))

    def make(name=None):
        n = next(counter)
        ent, _ = get_or_create_by_inn(inn_for(n), name or f"ООО Предприятие {n}")
        db.session.commit()
        return ent

    return make


@pytest.fixture
def make_project(make_tenant, selection_round, enterprise):
    """A draft project that passes every rule of the 2023 round (unless told otherwise)."""

    def make(
        tenant=None, title="Освоение производства плит МДФ", lead=None, buyer=None, complete=True, **values
    ):
        tenant = tenant or make_tenant("komi")
        rnd = selection_round(values.pop("round_code", "pp41-2023"))
        lead = lead or enterprise()
        with tenant_scope(db.session, tenant.id):
            project = dossier.create_project(
                rnd,
                lead,
                title,
                requested_subsidy=values.pop("requested_subsidy", "40000000.00"),
                co_financing=values.pop("co_financing", "60000000.00"),
                **values,
            )
            if complete:
                buyer_participant = participants.add_participant(project, buyer or enterprise(), "buyer")
                participants.add_product(
                    project,
                    "Плита МДФ",
                    "16.21.13.000",
                    maker=project.participants[0],
                    buyer=buyer_participant,
                )
                dossier.add_cost_item(project, "equipment", "Линия прессования", "80000000.00")
                dossier.add_cost_item(project, "starter_batch", "Стартовая партия", "20000000.00")
                dossier.add_stage(project, "Монтаж линии", date(2026, 3, 1), date(2026, 9, 30))
                dossier.add_indicator(
                    project, "output", "тыс. руб.", {(2026, 2): "15000", (2027, 1): "30000"}
                )
            db.session.commit()
            project_id = project.id
        return project_id

    return make


@pytest.fixture
def make_defense(make_tenant, make_user, make_project, selection_round):
    """A defense round with ``projects`` admitted projects, a chair, ``experts`` experts and a secretary.

    Returns a dict of ids: round, slots, chair/secretary/experts (users) and members (panel members).
    """
    from clusterhub.defenses.services import assignments, panel, rounds
    from clusterhub.projects.models import JointProject

    def make(tenant=None, projects=3, experts=3, assign="all", blind=False):
        n_projects = projects
        tenant = tenant or make_tenant("komi")
        project_ids = [make_project(tenant, title=f"Проект {i}") for i in range(n_projects)]
        chair = make_user("center_staff", tenant=tenant, name="Председатель")
        secretary = make_user("center_staff", tenant=tenant, name="Секретарь")
        expert_users = [make_user(name=f"Эксперт {i}") for i in range(experts)]
        rnd = selection_round()
        with tenant_scope(db.session, tenant.id):
            defense = rounds.create_round(
                rnd, 1, "Предварительная защита", blind=blind, min_experts_per_project=2
            )
            chair_m = panel.add_panel_member(defense, chair, "chair", affiliation="Минпромторг")
            panel.add_panel_member(defense, secretary, "secretary")
            members = [panel.add_panel_member(defense, u, "expert", affiliation="АКИТ") for u in expert_users]
            slots = []
            for pid in project_ids:
                project = db.session.get(JointProject, pid)
                workflow.change_status(project, "submitted")
                workflow.change_status(project, "admitted")
                slots.append(rounds.add_slot(defense, project, presenter="Докладчик"))
            if assign == "all":
                assignments.assign_all(defense)
            db.session.commit()
            return {
                "tenant": tenant,
                "round": defense.id,
                "slots": [s.id for s in slots],
                "projects": project_ids,
                "chair": chair,
                "chair_member": chair_m.id,
                "secretary": secretary,
                "experts": expert_users,
                "members": [m.id for m in members],
            }

    return make
