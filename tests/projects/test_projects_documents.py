"""Dossier documents: upload limits, storage per tenant, and who may download them."""

import io

import pytest
import sqlalchemy as sa

from clusterhub.core.refusal import Refusal
from clusterhub.defenses.models import PanelMember
from clusterhub.defenses.services import conflicts, results
from clusterhub.enterprises.services.representatives import add_representative
from clusterhub.extensions import db
from clusterhub.projects.models import JointProject, ProjectDocument
from clusterhub.projects.services import documents
from clusterhub.tenancy.scoping import tenant_scope

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_uploads_are_checked_for_type_content_and_size(make_tenant, make_project, monkeypatch):
    komi = make_tenant("komi")
    project_id = make_project(komi)
    with tenant_scope(db.session, komi.id):
        project = db.session.get(JointProject, project_id)
        doc = documents.add_document(project, "business_plan", io.BytesIO(PDF), "../../бизнес-план.pdf")
        assert doc.filename == "бизнес-план.pdf" and doc.content_type == "application/pdf"
        assert doc.storage_key.startswith(f"komi/projects/{project_id}/")
        with pytest.raises(Refusal):
            documents.add_document(project, "other", io.BytesIO(b"MZ\x90\x00"), "setup.exe")
        with pytest.raises(Refusal):  # a renamed executable
            documents.add_document(project, "other", io.BytesIO(b"MZ\x90\x00"), "plan.pdf")
        with pytest.raises(Refusal):
            documents.add_document(project, "other", io.BytesIO(b""), "plan.pdf")
        monkeypatch.setattr(documents, "MAX_BYTES", 64)
        with pytest.raises(Refusal, match="(larger|больше)"):
            documents.add_document(project, "other", io.BytesIO(PDF + b"x" * 100), "plan.pdf")
        with documents.open_document(doc) as stored:
            assert stored.read() == PDF


def test_downloads_are_served_only_to_those_allowed(client, login, make_tenant, make_user, make_defense):
    d = make_defense(projects=2, experts=2, assign=None)
    komi = d["tenant"]
    staff = make_user("center_staff", tenant=komi)
    rep, stranger = make_user(name="Представитель"), make_user(name="Посторонний")
    with tenant_scope(db.session, komi.id):
        project = db.session.get(JointProject, d["projects"][0])
        add_representative(project.lead_enterprise, rep, confirmed=True)
        doc_id = documents.add_document(project, "presentation", io.BytesIO(PDF), "pitch.pdf").id
        slot = results.round_data(d["round"])["slots"][d["slots"][0]]
        member = db.session.scalar(sa.select(PanelMember).where(PanelMember.user_id == d["experts"][1].id))
        conflicts.declare_conflict(slot, member, "Аффилирован")
        db.session.commit()
    url = f"/komi/projects/documents/{doc_id}"
    for user, status in [
        (staff, 200),
        (rep, 200),
        (d["experts"][0], 200),
        (d["experts"][1], 404),
        (stranger, 404),
    ]:
        client.post("/logout")
        login(user)
        response = client.get(url)
        assert response.status_code == status, user.full_name
        if status == 200:
            assert response.data == PDF and "attachment" in response.headers["Content-Disposition"]


def test_staff_upload_over_http(client, login, make_tenant, make_user, make_project):
    komi = make_tenant("komi")
    project_id = make_project(komi)
    login(make_user("center_admin", tenant=komi))
    response = client.post(
        f"/komi/projects/{project_id}/documents",
        data={"document-kind": "business_plan", "document-file": (io.BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(ProjectDocument.filename)) == "plan.pdf"
    assert "plan.pdf" in client.get(f"/komi/projects/{project_id}").get_data(as_text=True)
