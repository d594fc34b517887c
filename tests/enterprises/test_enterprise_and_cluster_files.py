"""An enterprise's logo and a cluster's documents: checked uploads, who may add and see them."""

import io

import sqlalchemy as sa

from clusterhub.clusters.models import ClusterDocument
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%%EOF\n"


def test_an_editor_replaces_the_logo_that_everyone_sees(
    client, login, make_enterprise, make_owner, make_user
):
    enterprise = make_enterprise()
    owner = make_owner(enterprise)
    enterprise_id = enterprise.id
    assert client.get(f"/enterprises/{enterprise_id}/logo").status_code == 404
    login(make_user())  # not a representative
    assert client.post(
        f"/enterprises/{enterprise_id}/logo", data={"logo": (io.BytesIO(PNG), "logo.png")}
    ).status_code in (403, 404)
    client.post("/logout")
    login(owner)
    client.post(f"/enterprises/{enterprise_id}/logo", data={"logo": (io.BytesIO(b"GIF89a"), "logo.png")})
    assert client.get(f"/enterprises/{enterprise_id}/logo").status_code == 404  # refused: not a PNG
    client.post(f"/enterprises/{enterprise_id}/logo", data={"logo": (io.BytesIO(PNG), "logo.png")})
    client.post("/logout")
    served = client.get(f"/enterprises/{enterprise_id}/logo")
    assert served.status_code == 200 and served.data == PNG
    assert f"/enterprises/{enterprise_id}/logo" in client.get(f"/enterprises/{enterprise_id}").get_data(
        as_text=True
    )


def test_staff_keep_the_clusters_functional_map_and_programme(
    client, login, make_user, make_tenant, make_cluster
):
    komi = make_tenant("komi")
    with tenant_scope(db.session, komi.id):
        cluster_id = make_cluster(komi).id
    login(make_user("center_admin", tenant=komi))
    refused = client.post(
        f"/komi/clusters/{cluster_id}/documents",
        data={"kind": "functional_map", "document": (io.BytesIO(b"MZ"), "map.exe")},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "Upload a file of one of these types" in refused.get_data(as_text=True)
    client.post(
        f"/komi/clusters/{cluster_id}/documents",
        data={"kind": "functional_map", "document": (io.BytesIO(PDF), "Функциональная карта.pdf")},
    )
    with tenant_scope(db.session, komi.id):
        document = db.session.scalars(sa.select(ClusterDocument)).one()
        document_id, kind = document.id, document.kind
    assert kind == "functional_map"
    assert "Функциональная карта.pdf" in client.get(f"/komi/clusters/{cluster_id}").get_data(as_text=True)
    assert client.get(f"/komi/clusters/documents/{document_id}").data == PDF
    client.post("/logout")
    assert client.get(f"/komi/clusters/documents/{document_id}").status_code == 302  # log in first
