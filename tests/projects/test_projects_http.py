"""Project pages and API over HTTP: staff manage dossiers, representatives follow their own projects."""

import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject, ProjectStatusChange
from clusterhub.projects.services import workflow
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.projects import inn_for


def test_staff_create_a_dossier_fill_it_and_submit_it(client, login, make_tenant, make_user, selection_round):
    komi = make_tenant("komi")
    staff = make_user("center_staff", tenant=komi)
    rnd = selection_round()
    login(staff)
    assert client.get("/komi/projects/").status_code == 200
    response = client.post(
        "/komi/projects/new",
        data={
            "selection_round_id": rnd.id,
            "lead_inn": inn_for(1),
            "lead_name": "ООО «Лузалес»",
            "title_ru": "Освоение производства плит МДФ",
            "requested_subsidy": "40000000",
            "co_financing": "60000000",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with tenant_scope(db.session, komi.id):
        project_id = db.session.scalar(sa.select(JointProject.id))
    base = f"/komi/projects/{project_id}"
    assert (
        client.post(
            f"{base}/add/participant",
            data={
                "participant-inn": inn_for(2),
                "participant-name": "ООО «Мебель»",
                "participant-role": "buyer",
            },
        ).status_code
        == 302
    )
    with tenant_scope(db.session, komi.id):
        lead, buyer = db.session.scalar(sa.select(JointProject)).participants
        lead_id, buyer_id = lead.id, buyer.id
    bad = client.post(
        f"{base}/add/product",
        data={
            "product-name": "Плита",
            "product-okpd2": "16-21",
            "product-maker_id": lead_id,
            "product-buyer_id": buyer_id,
        },
        follow_redirects=True,
    )
    assert "ОКПД2" in bad.get_data(as_text=True)
    for what, data in [
        (
            "product",
            {
                "product-name": "Плита МДФ",
                "product-okpd2": "16.21.13.000",
                "product-import_substitution": "y",
                "product-maker_id": lead_id,
                "product-buyer_id": buyer_id,
            },
        ),
        (
            "cost",
            {
                "cost-category": "equipment",
                "cost-description": "Пресс",
                "cost-amount": "100000000",
                "cost-eligible": "y",
            },
        ),
        ("stage", {"stage-title": "Монтаж", "stage-starts_on": "2026-03-01", "stage-ends_on": "2026-09-30"}),
        (
            "indicator",
            {"indicator-kind": "jobs", "indicator-unit": "чел.", "indicator-plan": "2026 2 10\n2027 1 25"},
        ),
    ]:
        assert client.post(f"{base}/add/{what}", data=data).status_code == 302
    assert client.get(f"{base}/edit").status_code == 200
    edited = client.post(
        f"{base}/edit",
        data={
            "title_ru": "Плиты МДФ: второй этап",
            "requested_subsidy": "45000000",
            "co_financing": "55000000",
        },
    )
    assert edited.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert (
        "Плиты МДФ: второй этап" in page
        and "Пресс" in page
        and "16.21.13.000" in page
        and page.count("text-bg-success") >= 5
    )
    assert client.post(f"{base}/status", data={"status-to_status": "submitted"}).status_code == 302
    assert client.post(f"{base}/status", data={"status-to_status": "granted"}).status_code == 302  # refused
    with tenant_scope(db.session, komi.id):
        project = db.session.scalar(sa.select(JointProject))
        assert project.status == "submitted" and project.total_cost == 100_000_000_00
        assert [c.to_status for c in db.session.scalars(sa.select(ProjectStatusChange))] == [
            "draft",
            "submitted",
        ]


def test_a_representative_sees_status_and_remarks_of_their_projects_only(
    client, login, make_tenant, make_user, make_project
):
    komi = make_tenant("komi")
    rep = make_user(name="Лев Лузалесов")
    mine, other = make_project(komi), make_project(komi, title="Чужой проект")
    with tenant_scope(db.session, komi.id):
        project = db.session.get(JointProject, mine)
        add_representative(project.lead_enterprise, rep, confirmed=True)
        workflow.change_status(project, "submitted")
        workflow.change_status(project, "admitted")
        workflow.change_status(
            project, "defended", outcome="recommended_with_revisions", remark="Уточнить смету"
        )
        db.session.commit()
    login(rep)
    assert "/komi/my-projects/" in client.get("/komi/").get_data(as_text=True)
    listing = client.get("/komi/my-projects/").get_data(as_text=True)
    assert "Освоение производства плит МДФ" in listing and "Чужой проект" not in listing
    page = client.get(f"/komi/my-projects/{mine}").get_data(as_text=True)
    assert "Уточнить смету" in page
    assert client.get(f"/komi/my-projects/{other}").status_code == 404
    assert client.get(f"/komi/projects/{mine}").status_code == 403  # not staff


def test_the_projects_api_for_staff(client, make_tenant, make_user, make_project):
    komi = make_tenant("komi")
    project_id = make_project(komi)
    staff, expert = make_user("center_staff", tenant=komi), make_user("expert", tenant=komi)
    _t, staff_secret = create_api_token(staff, "x")
    _t, expert_secret = create_api_token(expert, "x")
    db.session.commit()
    body = client.get(
        "/api/v1/tenants/komi/projects", headers={"Authorization": f"Bearer {staff_secret}"}
    ).get_json()
    assert [p["id"] for p in body["items"]] == [project_id]
    assert body["items"][0]["total_cost_kopecks"] == 100_000_000_00
    assert all(check["passed"] for check in body["items"][0]["rule_checks"])
    one = client.get(
        f"/api/v1/tenants/komi/projects/{project_id}", headers={"Authorization": f"Bearer {staff_secret}"}
    )
    assert one.status_code == 200 and one.get_json()["lead_enterprise"]["inn"]
    assert (
        client.get(
            "/api/v1/tenants/komi/projects", headers={"Authorization": f"Bearer {expert_secret}"}
        ).status_code
        == 403
    )


def test_a_platform_admin_adds_a_selection_round_without_code(client, login, make_user, make_tenant):
    make_tenant("komi")
    login(make_user("platform_admin"))
    assert client.get("/admin/selection-rounds/").status_code == 200
    data = {
        "code": "pp41-2027",
        "year": "2027",
        "legal_edition": "ПП РФ № 41 в ред. 2027",
        "applicant_cap": "100000000",
        "max_subsidy_share": "0.4",
        "min_participants": "3",
        "criteria": "a; Импортозамещение; Import substitution; 0,6; 0; 10\nb; Кооперация; Cooperation; 0.4; 1; 5",
    }
    bad = client.post("/admin/selection-rounds/", data={**data, "criteria": "a; только имя"})
    assert bad.status_code == 200
    assert client.post("/admin/selection-rounds/", data=data).status_code == 302
    from clusterhub.projects.models import SelectionRound

    created = db.session.scalar(sa.select(SelectionRound).where(SelectionRound.code == "pp41-2027"))
    assert created.applicant_cap == 100_000_000_00 and [c.max_score for c in created.criteria] == [10, 5]
    client.post("/logout")
    login(make_user("center_admin", tenant=make_tenant("komi")))
    assert client.get("/admin/selection-rounds/").status_code == 403
