"""A defense round held at a session's «project defense» item; a dossier that names its cluster."""

import pytest
import sqlalchemy as sa

from clusterhub.core.refusal import Refusal
from clusterhub.defenses.services import rounds
from clusterhub.events.models import AgendaItem, AgendaKind
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject
from clusterhub.projects.services import dossier, workflow
from clusterhub.tenancy.scoping import tenant_scope


def test_a_round_is_held_at_the_sessions_defense_item(model_event, selection_round, client, make_user, login):
    tenant_id = model_event.tenant_id
    rnd = selection_round()
    with tenant_scope(db.session, tenant_id):
        item = db.session.scalars(
            sa.select(AgendaItem).where(AgendaItem.kind == AgendaKind.PROJECT_DEFENSE)
        ).first()
        other = db.session.scalars(
            sa.select(AgendaItem).where(AgendaItem.kind != AgendaKind.PROJECT_DEFENSE)
        ).first()
        assert item is not None and other is not None
        assert item.id in dict(rounds.defense_agenda_items())
        with pytest.raises(Refusal):
            rounds.create_round(rnd, 1, "Защита", agenda_item_id=other.id)
        round_ = rounds.create_round(rnd, 1, "Первая предварительная защита", agenda_item_id=item.id)
        round_id, event_id, starts = round_.id, model_event.id, item.starts_at
        assert round_.event_id == event_id and round_.held_on == starts
        db.session.commit()
    from clusterhub.tenancy.models import Tenant

    tenant = db.session.get(Tenant, tenant_id)
    login(make_user("center_admin", tenant=tenant))
    page = client.get(f"/{tenant.slug}/defenses/{round_id}").get_data(as_text=True)
    assert f"/{tenant.slug}/events/{event_id}" in page


def test_a_dossier_names_one_of_the_centers_clusters(make_cluster, make_tenant, selection_round, enterprise):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    with tenant_scope(db.session, komi.id):
        ours_id = make_cluster(komi).id
    with tenant_scope(db.session, tatarstan.id):
        theirs_id = make_cluster(tatarstan, name="Чужой кластер").id
    lead = enterprise()
    with tenant_scope(db.session, komi.id):
        assert (ours_id, "Лесопромышленный кластер") in dossier.cluster_choices()
        with pytest.raises(Refusal):
            dossier.create_project(selection_round(), lead, "Проект", cluster_id=theirs_id)
        project = dossier.create_project(selection_round(), lead, "Проект", cluster_id=ours_id)
        db.session.commit()
        assert db.session.get(JointProject, project.id).cluster_id == ours_id


def test_the_enterprise_profile_lists_its_projects_and_sessions(
    client, login, make_tenant, make_project, make_user, enterprise, make_event
):
    from clusterhub.enterprises.services.representatives import add_representative
    from clusterhub.events.models import Registration
    from clusterhub.tenancy.models import utcnow

    komi = make_tenant("komi")
    lead = enterprise("ООО «Лузалес»")
    lead_id = lead.id
    project_id = make_project(komi, title="Освоение производства плит МДФ", lead=lead)
    session = make_event(komi, title_ru="Практическая сессия в Сыктывкаре")
    with tenant_scope(db.session, komi.id):
        workflow.change_status(db.session.get(JointProject, project_id), "submitted")
        db.session.add(
            Registration(
                event_id=session.id,
                status="confirmed",
                full_name="Лев",
                email="lev@example.com",
                category="enterprise",
                region_id=session.region_id,
                organisation="Лузалес",
                enterprise_id=lead_id,
                consent_version="2026-01",
                consent_at=utcnow(),
                code="LZ0001",
            )
        )
    owner = make_user()
    add_representative(db.session.get(type(lead), lead_id), owner, "owner", confirmed=True)
    db.session.commit()
    login(owner)
    page = client.get(f"/enterprises/{lead_id}").get_data(as_text=True)
    assert "Освоение производства плит МДФ" in page
    assert "Практическая сессия в Сыктывкаре" in page
