"""A defense round held at a session's «project defense» item; a dossier that names its cluster."""

import pytest
import sqlalchemy as sa

from clusterhub.defenses import services as defenses
from clusterhub.events.models import AgendaItem, AgendaKind
from clusterhub.extensions import db
from clusterhub.projects import services as projects
from clusterhub.projects.models import JointProject
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
        assert item.id in dict(defenses.defense_agenda_items())
        with pytest.raises(defenses.DefenseError):
            defenses.create_round(rnd, 1, "Защита", agenda_item_id=other.id)
        round_ = defenses.create_round(rnd, 1, "Первая предварительная защита", agenda_item_id=item.id)
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
        assert (ours_id, "Лесопромышленный кластер") in projects.cluster_choices()
        with pytest.raises(projects.ProjectError):
            projects.create_project(selection_round(), lead, "Проект", cluster_id=theirs_id)
        project = projects.create_project(selection_round(), lead, "Проект", cluster_id=ours_id)
        db.session.commit()
        assert db.session.get(JointProject, project.id).cluster_id == ours_id
