"""API: enterprise search and profile; a center's clusters and members; all in the OpenAPI document."""

from datetime import date

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.clusters.services.clusters import cluster_view
from clusterhub.clusters.services.members import update_member
from clusterhub.clusters.services.supply import add_link
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


def _token(user):
    _token_row, secret = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_enterprise_search_and_profile_need_a_token(client, make_enterprise, make_user):
    enterprise = make_enterprise(name="ООО «Лузалес»", inn="7707083893", okved_main="16.10")
    make_enterprise(name="АО «Бумага»", okved_main="17.12")
    assert client.get("/api/v1/enterprises").status_code == 401
    headers = _token(make_user())
    data = client.get("/api/v1/enterprises?q=лузалес&region=11", headers=headers).get_json()
    assert data["total"] == 1 and data["items"][0]["inn"] == "7707083893"
    assert client.get("/api/v1/enterprises?okved=17", headers=headers).get_json()["total"] == 1
    assert client.get("/api/v1/enterprises?region=99", headers=headers).get_json()["total"] == 0
    profile = client.get(f"/api/v1/enterprises/{enterprise.id}", headers=headers).get_json()
    assert profile["full_name"] == "ООО «Лузалес»" and profile["region"]["tax_code"] == "11"
    assert "search_text" not in profile
    assert (
        client.get("/api/v1/enterprises/by-inn/7707083893", headers=headers).get_json()["id"] == enterprise.id
    )
    assert client.get("/api/v1/enterprises/999999", headers=headers).status_code == 404


def test_tenant_clusters_and_members_for_the_centers_staff_only(
    client, make_cluster, make_enterprise, make_tenant, make_user
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    cluster = make_cluster(komi, name="Лесной кластер", members=2)
    with tenant_scope(db.session, komi.id):
        cluster_id = cluster.id
        members = cluster_view(cluster).members
        add_link(cluster, members[0].id, members[1].id, "Щепа", "16.10.23", None)
        update_member(members[1], "supplier", date(2021, 1, 1), None, None)
        db.session.commit()
    staff = _token(make_user("center_staff", komi))
    listing = client.get("/api/v1/tenants/komi/clusters", headers=staff).get_json()
    assert [(c["name"], c["members"]) for c in listing["items"]] == [("Лесной кластер", 2)]
    one = client.get(f"/api/v1/tenants/komi/clusters/{cluster_id}", headers=staff).get_json()
    assert (
        one["regions"] == []
        and one["supply_links"][0]["product"] == "Щепа"
        and any(r["rule"] == "programme" for r in one["compliance"])
    )
    items = client.get(f"/api/v1/tenants/komi/clusters/{cluster_id}/members", headers=staff).get_json()[
        "items"
    ]
    assert {m["role"] for m in items} == {"participant", "supplier"}
    other = _token(make_user("center_staff", tatarstan))
    assert client.get("/api/v1/tenants/komi/clusters", headers=other).status_code == 403
    assert client.get(f"/api/v1/tenants/tatarstan/clusters/{cluster_id}", headers=other).status_code == 404
    analyst = _token(make_user("federal_analyst"))
    assert client.get("/api/v1/tenants/komi/clusters", headers=analyst).status_code == 200


def test_openapi_describes_the_new_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/enterprises" in paths and "/api/v1/enterprises/{enterprise_id}" in paths
    assert "/api/v1/tenants/{tenant}/clusters/{cluster_id}/members" in paths
