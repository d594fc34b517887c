"""Cluster pages: the page's query count, isolation between centers, import preview/commit, export."""

import html
import io
import re

import sqlalchemy as sa

from clusterhub.clusters.models import ClusterMember
from clusterhub.clusters.services.clusters import cluster_view
from clusterhub.clusters.services.members import add_member
from clusterhub.clusters.services.supply import add_link
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.pages import EN, QueryCounter


def _grow(cluster, make_enterprise, members, links):
    companies = [make_enterprise(okved_main="16.10") for _ in range(members)]
    with tenant_scope(db.session, cluster.test_tenant_id):
        added = [add_member(cluster, c, "participant", None, None) for c in companies]
        existing = db.session.scalars(sa.select(ClusterMember)).all()
        for i in range(links):
            a, b = existing[i % len(existing)], existing[(i + 1) % len(existing)]
            add_link(cluster, a.id, b.id, f"Продукт {i}", "16.10", None)
        db.session.commit()
    return added


def test_cluster_page_costs_the_same_number_of_queries_for_5_or_40_members(
    client, login, make_cluster, make_enterprise, make_user, make_tenant
):
    komi = make_tenant("komi")
    cluster = make_cluster(komi, members=0)
    _grow(cluster, make_enterprise, 5, 6)
    login(make_user("center_staff", komi))
    with QueryCounter() as small:
        page = client.get(f"/komi/clusters/{_id(cluster)}", headers=EN)
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    _grow(cluster, make_enterprise, 35, 40)
    with QueryCounter() as large:
        page = client.get(f"/komi/clusters/{_id(cluster)}", headers=EN)
    text = page.get_data(as_text=True)
    assert "40 active members" in text and "46 supplies" in text
    assert large.count == small.count


def _id(cluster):
    with tenant_scope(db.session, cluster.test_tenant_id):
        return cluster.id


def test_another_centers_cluster_is_not_found_and_experts_cannot_see_clusters(
    client, login, make_cluster, make_user, make_tenant
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    cluster = make_cluster(tatarstan, members=1)
    cluster_id = _id(cluster)
    login(make_user("center_admin", komi))
    assert client.get(f"/komi/clusters/{cluster_id}").status_code == 404
    assert client.get(f"/komi/clusters/{cluster_id}/members.csv").status_code == 404
    assert client.get(f"/tatarstan/clusters/{cluster_id}").status_code == 403
    client.post("/logout")
    login(make_user("expert", komi))
    assert client.get("/komi/clusters/").status_code == 403


def test_import_preview_then_commit_over_http(
    client, login, make_cluster, make_enterprise, make_user, make_tenant
):
    komi = make_tenant("komi")
    cluster = make_cluster(komi)
    cluster_id = _id(cluster)
    make_enterprise(inn="7707083893", name="ООО «Известное»")
    login(make_user("center_staff", komi))
    bad = b"inn,name,role\n7707083893,,anchor\n1234567890,,participant\n"
    page = client.post(
        f"/komi/clusters/{cluster_id}/import",
        data={"file": (io.BytesIO(bad), "members.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "ru"},
    ).get_data(as_text=True)
    assert "ИНН 1234567890" in page and "table-danger" in page and 'name="rows"' not in page
    good = "inn,name,role\n7707083893,,anchor\n7736207543,ООО «Яндекс»,research\n".encode()
    page = client.post(
        f"/komi/clusters/{cluster_id}/import",
        data={"file": (io.BytesIO(good), "members.csv")},
        content_type="multipart/form-data",
        headers=EN,
    ).get_data(as_text=True)
    assert "2 rows are ready to import" in page
    rows = html.unescape(re.search(r'name="rows" value="([^"]*)"', page).group(1))
    assert client.post(f"/komi/clusters/{cluster_id}/import", data={"rows": rows}).status_code == 302
    csv_export = client.get(f"/komi/clusters/{cluster_id}/members.csv")
    assert csv_export.mimetype == "text/csv" and "7736207543" in csv_export.get_data(as_text=True)
    xlsx = client.get(f"/komi/clusters/{cluster_id}/members.xlsx")
    assert xlsx.data[:2] == b"PK"
    # submitting the same preview again is refused as a whole: both are members now
    response = client.post(f"/komi/clusters/{cluster_id}/import", data={"rows": rows}, headers=EN)
    assert "Nothing was imported" in response.get_data(as_text=True)


def test_center_creates_a_cluster_and_sets_the_specialised_organisation(
    client, login, make_enterprise, make_user, make_tenant
):
    komi = make_tenant("komi")
    org = make_enterprise(name="УК кластера", inn="7707083893")
    login(make_user("center_admin", komi))
    data = {
        "name": "Лесной кластер",
        "cluster_type": "industrial",
        "register_status": "registered",
        "specialised_org_inn": "7707083893",
    }
    page = client.post("/komi/clusters/new", data=data, headers=EN).get_data(as_text=True)
    assert "needs the number and date of the order" in page
    data.update(
        register_order_number="123", register_order_date="2023-04-01", register_valid_until="2028-04-01"
    )
    response = client.post("/komi/clusters/new", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "УК кластера" in page and "In the register" in page
    assert org


def test_profile_history_shows_a_center_only_its_own_memberships(
    client, login, make_cluster, make_enterprise, make_tenant, make_user, make_owner
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    company = make_enterprise(name="ООО «Общее»")
    owner = make_owner(company)
    for tenant, name in ((komi, "Кластер Коми"), (tatarstan, "Кластер Татарстана")):
        cluster = make_cluster(tenant, name=name)
        with tenant_scope(db.session, tenant.id):
            add_member(cluster, company, "participant", None, None)
            db.session.commit()
    login(make_user("center_staff", komi))
    page = client.get(f"/enterprises/{company.id}", headers=EN).get_data(as_text=True)
    assert "Кластер Коми" in page and "Кластер Татарстана" not in page
    assert "/komi/clusters/" in page
    client.post("/logout")
    login(owner)
    page = client.get(f"/enterprises/{company.id}", headers=EN).get_data(as_text=True)
    assert "Кластер Коми" in page and "Кластер Татарстана" in page
    client.post("/logout")
    page = client.get(f"/enterprises/{company.id}", headers=EN).get_data(as_text=True)
    assert "Кластер" not in page


def test_staff_home_counts_pending_enterprise_claims(client, login, make_enterprise, make_user, make_tenant):
    from clusterhub.enterprises.services.representatives import claim

    komi = make_tenant("komi")
    claim(make_user(), make_enterprise(region="11").inn)
    db.session.commit()
    login(make_user("center_staff", komi))
    page = client.get("/komi/staff/", headers=EN).get_data(as_text=True)
    assert "Enterprise claims" in page and "/komi/staff/enterprise-claims" in page


def test_supplies_can_be_removed_from_the_cluster_page(client, login, make_cluster, make_user, make_tenant):
    komi = make_tenant("komi")
    cluster = make_cluster(komi, members=2)
    with tenant_scope(db.session, komi.id):
        a, b = db.session.scalars(sa.select(ClusterMember)).all()
        link = add_link(cluster, a.id, b.id, "Щепа", None, None)
        cluster_id, link_id = cluster.id, link.id
        db.session.commit()
    login(make_user("center_staff", komi))
    page = client.get(f"/komi/clusters/{cluster_id}").get_data(as_text=True)
    action = f"/komi/clusters/{cluster_id}/links/{link_id}/remove"
    assert f'action="{action}"' in page
    assert client.post(action).status_code == 302
    with tenant_scope(db.session, komi.id):
        assert cluster_view(cluster).links == []


def test_cluster_management_pages_render_and_save(client, login, make_cluster, make_user, make_tenant):
    komi = make_tenant("komi")
    cluster = make_cluster(komi, members=2)
    with tenant_scope(db.session, komi.id):
        cluster_id = cluster.id
        member_id = db.session.scalars(sa.select(ClusterMember.id)).first()
    login(make_user("center_admin", komi))
    base = f"/komi/clusters/{cluster_id}"
    for url in (
        f"{base}/edit",
        f"{base}/members/{member_id}",
        f"{base}/members/{member_id}/remove",
        f"{base}/import",
        "/komi/clusters/rules",
        "/komi/clusters/",
        "/komi/clusters/new",
    ):
        assert client.get(url, headers=EN).status_code == 200, url
    response = client.post(
        f"{base}/members/{member_id}",
        data={"role": "anchor", "joined_on": "2024-02-01", "left_on": "2023-01-01"},
        headers=EN,
    )
    assert "cannot leave before joining" in response.get_data(as_text=True)
    assert (
        client.post(
            f"{base}/members/{member_id}", data={"role": "anchor", "left_on": "2024-06-01"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/komi/clusters/rules", data={"code": "min_industrial_members", "threshold": "2", "enabled": "y"}
        ).status_code
        == 302
    )
    page = client.get(base, headers=EN).get_data(as_text=True)
    assert "At least 2 industrial participants" in page and "1 active member" in page
    assert client.post(f"{base}/members/{member_id}/remove").status_code == 302
    with tenant_scope(db.session, komi.id):
        assert db.session.get(ClusterMember, member_id) is None
