"""Clusters and their members, project dossiers and their documents, defense rounds with their panel and
decisions, and period reports (submitted by the center, accepted or returned by the federal reviewer):
each over the API, through the same services as the pages."""

import io
from datetime import datetime

import pytest
import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.clusters.models import Cluster
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.projects import inn_for

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = "/api/v1/tenants/komi"


def bearer(user) -> dict:
    _token, secret = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def staff(make_tenant, make_user):
    make_tenant("komi")
    return bearer(make_user("center_admin", locale="en"))


# --- clusters -------------------------------------------------------------------------------------------


def test_staff_create_a_cluster_and_keep_its_members(client, staff, make_enterprise):
    created = client.post(
        f"{BASE}/clusters",
        json={
            "name": "Лесопромышленный кластер",
            "type": "industrial",
            "okved_codes": ["16.10"],
            "regions": ["11"],
        },
        headers=staff,
    )
    assert created.status_code == 201, created.json
    cluster = created.json
    assert cluster["regions"] == ["11"] and cluster["okved_codes"] == ["16.10"] and cluster["members"] == 0
    url = f"{BASE}/clusters/{cluster['id']}"
    tag = client.get(url, headers=staff).headers["ETag"]
    renamed = client.patch(url, json={"industry": "Деревообработка"}, headers=staff | {"If-Match": tag})
    assert renamed.status_code == 200 and renamed.json["industry"] == "Деревообработка"
    assert renamed.json["regions"] == ["11"]
    assert client.patch(url, json={"regions": ["99x"]}, headers=staff).json["error"]["field"] == "regions"

    member_enterprise = make_enterprise(name="ООО «Лузалес»")
    added = client.post(
        f"{url}/members", json={"inn": member_enterprise.inn, "role": "anchor"}, headers=staff
    )
    assert added.status_code == 201, added.json
    assert added.json["enterprise"]["inn"] == member_enterprise.inn
    twice = client.post(f"{url}/members", json={"inn": member_enterprise.inn}, headers=staff)
    assert twice.status_code == 422 and "already a member" in twice.json["error"]["message"]
    member_url = f"{url}/members/{added.json['id']}"
    tag = client.get(member_url, headers=staff).headers["ETag"]
    left = client.patch(
        member_url,
        json={"joined_on": "2024-01-01", "left_on": "2023-01-01"},
        headers=staff | {"If-Match": tag},
    )
    assert left.status_code == 422 and left.json["error"]["field"] == "left_on"
    members = client.get(f"{url}/members", headers=staff).json
    assert [m["id"] for m in members["items"]] == [added.json["id"]] and members["next_cursor"] is None
    assert client.delete(member_url, headers=staff).status_code == 204
    assert client.get(f"{url}/members", headers=staff).json["items"] == []


def test_clusters_sync_since_a_moment(client, staff, make_cluster):
    old, new = make_cluster(name="Старый"), make_cluster(name="Новый")
    with tenant_scope(db.session, old.test_tenant_id):  # the rows reload only in their center's scope
        for cluster, moment in ((old, datetime(2026, 1, 1)), (new, datetime(2026, 7, 1))):
            db.session.execute(sa.update(Cluster).where(Cluster.id == cluster.id).values(updated_at=moment))
        db.session.commit()
    since = client.get(
        f"{BASE}/clusters", query_string={"updated_since": "2026-06-01T00:00:00+03:00"}, headers=staff
    )
    assert [c["name"] for c in since.json["items"]] == ["Новый"]


# --- projects -------------------------------------------------------------------------------------------


def test_staff_create_a_dossier_upload_its_documents_and_move_it_on(client, staff):
    created = client.post(
        f"{BASE}/projects",
        json={
            "selection_round": "pp41-2023",
            "lead_inn": inn_for(901),
            "lead_name": "ООО «Ведущее»",
            "title_ru": "Производство плит МДФ",
            "requested_subsidy_kopecks": 4_000_000_000,
            "co_financing_kopecks": 6_000_000_000,
        },
        headers=staff,
    )
    assert created.status_code == 201, created.json
    project = created.json
    assert project["status"] == "draft" and project["lead_enterprise"]["inn"] == inn_for(901)
    url = f"{BASE}/projects/{project['id']}"
    tag = client.get(url, headers=staff).headers["ETag"]
    retitled = client.patch(url, json={"title_en": "MDF boards"}, headers=staff | {"If-Match": tag})
    assert retitled.status_code == 200 and retitled.json["title_en"] == "MDF boards"

    uploaded = client.post(
        f"{url}/documents",
        data={"kind": "business_plan", "file": (io.BytesIO(PDF), "План.pdf")},
        headers=staff,
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.json
    assert uploaded.json["kind"] == "business_plan" and uploaded.json["content_type"] == "application/pdf"
    fake = client.post(
        f"{url}/documents",
        data={"kind": "other", "file": (io.BytesIO(b"MZ not a pdf"), "x.pdf")},
        headers=staff,
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422
    no_file = client.post(
        f"{url}/documents", data={"kind": "other"}, headers=staff, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422 and no_file.json["error"]["field"] == "file"
    listed = client.get(f"{url}/documents", headers=staff).json["items"]
    assert [d["filename"] for d in listed] == ["План.pdf"]
    assert client.delete(f"{url}/documents/{listed[0]['id']}", headers=staff).status_code == 204
    assert client.get(f"{url}/documents", headers=staff).json["items"] == []

    # the dossier has one participant and no costs: the round's rules refuse the submission
    refused = client.post(f"{url}/status", json={"status": "submitted"}, headers=staff)
    assert (
        refused.status_code == 422 and "does not meet the round's rules" in refused.json["error"]["message"]
    )
    assert client.get(url, headers=staff).json["status"] == "draft"


# --- defenses -------------------------------------------------------------------------------------------


def test_staff_run_a_round_and_the_chair_records_decisions(client, make_defense, make_user, make_project):
    d = make_defense(projects=1, experts=1, assign="none")
    tenant = d["tenant"]
    staff = bearer(make_user("center_staff", tenant=tenant, locale="en"))
    url = f"{BASE}/defenses/{d['round']}"
    detail = client.get(url, headers=staff).json
    assert [s["id"] for s in detail["slots"]] == d["slots"] and detail["slots"][0]["assignments"] == []
    newcomer = make_user(name="Новый эксперт", email="new.expert@example.com")
    added = client.post(f"{url}/panel", json={"email": newcomer.email, "role": "expert"}, headers=staff)
    assert added.status_code == 201 and "new.expert@example.com" in [
        m["user_email"] for m in added.json["panel"]
    ]
    nobody = client.post(f"{url}/panel", json={"email": "nobody@example.com"}, headers=staff)
    assert nobody.status_code == 422 and nobody.json["error"]["field"] == "email"
    expert_member = d["members"][0]
    assigned = client.post(
        f"{url}/slots/{d['slots'][0]}/assignments", json={"panel_member_id": expert_member}, headers=staff
    )
    assert assigned.status_code == 201
    assert [a["panel_member_id"] for a in assigned.json["slots"][0]["assignments"]] == [expert_member]
    assert client.post(f"{url}/assign-all", headers=staff).status_code == 200

    chair = bearer(d["chair"])
    early = client.post(
        f"{url}/slots/{d['slots'][0]}/decision", json={"outcome": "recommended"}, headers=chair
    )
    assert (
        early.status_code == 422 and "завершите оценку" in early.json["error"]["message"]
    )  # the chair reads Russian
    assert client.post(f"{url}/close", headers=staff).json["status"] == "closed"
    not_chair = client.post(
        f"{url}/slots/{d['slots'][0]}/decision", json={"outcome": "recommended"}, headers=staff
    )
    assert not_chair.status_code == 403
    decided = client.post(
        f"{url}/slots/{d['slots'][0]}/decision",
        json={"outcome": "recommended", "remarks": "Сильный проект"},
        headers=chair,
    )
    assert decided.status_code == 200 and decided.json["slots"][0]["decision"] == "recommended"
    project = client.get(f"{BASE}/projects/{d['projects'][0]}", headers=staff).json
    assert project["status"] == "defended" and project["defense_outcome"] == "recommended"


def test_staff_create_a_round(client, staff):
    created = client.post(
        f"{BASE}/defenses",
        json={"selection_round": "pp41-2023", "number": 2, "title": "Вторая защита", "blind": True},
        headers=staff,
    )
    assert created.status_code == 201 and created.json["blind"] is True and created.json["panel"] == []
    again = client.post(
        f"{BASE}/defenses",
        json={"selection_round": "pp41-2023", "number": 2, "title": "Ещё раз"},
        headers=staff,
    )
    assert again.status_code == 422 and "already has defense number" in again.json["error"]["message"]
    assert [r["id"] for r in client.get(f"{BASE}/defenses", headers=staff).json["items"]] == [
        created.json["id"]
    ]


# --- period reports -------------------------------------------------------------------------------------


def test_a_center_submits_its_report_and_the_federal_reviewer_returns_then_accepts_it(
    client, make_tenant, make_user
):
    make_tenant("komi")
    admin = bearer(make_user("center_admin", locale="en"))
    staff_only = bearer(make_user("center_staff", locale="en"))
    reviewer = bearer(make_user("federal_reviewer", locale="en"))
    analyst = bearer(make_user("federal_analyst", locale="en"))
    assert client.post(f"{BASE}/reports/2026-H1/submit", json={}, headers=staff_only).status_code == 403
    submitted = client.post(f"{BASE}/reports/2026-H1/submit", json={"narrative": "Итоги"}, headers=admin)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert submitted.json["tenant"] == "komi" and submitted.json["snapshot"]
    twice = client.post(f"{BASE}/reports/2026-H1/submit", json={}, headers=admin)
    assert twice.status_code == 422 and "already been submitted" in twice.json["error"]["message"]

    review = "/api/v1/federal/reports/komi/2026-H1"
    assert client.post(f"{review}/accept", json={}, headers=analyst).status_code == 403
    no_reason = client.post(f"{review}/return", json={"comment": ""}, headers=reviewer)
    assert no_reason.status_code == 422 and "what should be corrected" in no_reason.json["error"]["message"]
    returned = client.post(f"{review}/return", json={"comment": "Уточните цифры"}, headers=reviewer)
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    resubmitted = client.post(f"{BASE}/reports/2026-H1/submit", json={"narrative": "Уточнено"}, headers=admin)
    assert resubmitted.json["status"] == "submitted"
    accepted = client.post(f"{review}/accept", json={}, headers=reviewer)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert (
        client.post("/api/v1/federal/reports/nowhere/2026-H1/accept", json={}, headers=reviewer).status_code
        == 404
    )
    listed = client.get(f"{BASE}/reports", headers=admin).json["items"]
    assert [(r["period"], r["status"]) for r in listed] == [("2026-H1", "accepted")]
