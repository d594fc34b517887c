"""Technopark photos and files attached to service requests: type and size checks, who sees them."""

import io

import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.technoparks.models import RequestAttachment, ServiceRequest, TechnoparkPhoto
from clusterhub.tenancy.scoping import tenant_scope

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


def test_staff_add_photos_that_the_public_page_shows(client, login, make_user, make_tenant, make_technopark):
    komi = make_tenant("komi")
    park = make_technopark(komi)
    login(make_user("center_admin", tenant=komi))
    refused = client.post(
        f"/komi/staff/technoparks/{park.id}/photos",
        data={"photo": (io.BytesIO(b"MZ\x90\x00"), "virus.png")},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "does not match its extension" in refused.get_data(as_text=True)
    client.post(f"/komi/staff/technoparks/{park.id}/photos", data={"photo": (io.BytesIO(PNG), "цех.png")})
    with tenant_scope(db.session, komi.id):
        photo_id = db.session.scalars(sa.select(TechnoparkPhoto.id)).one()
    client.post("/logout")
    assert f"/komi/technoparks/photos/{photo_id}" in client.get(f"/komi/technoparks/{park.id}").get_data(
        as_text=True
    )
    served = client.get(f"/komi/technoparks/photos/{photo_id}")
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"


def test_only_the_two_sides_of_a_request_see_its_files(
    app,
    client,
    login,
    make_user,
    make_tenant,
    make_technopark,
    make_service,
    make_representative,
    tp_request_context,
):
    komi = make_tenant("komi")
    service = make_service(make_technopark(komi))
    user, enterprise = make_representative()
    with tenant_scope(db.session, komi.id):
        request = ServiceRequest(service_id=service.id, enterprise_id=enterprise.id, quantity=1)
        db.session.add(request)
        db.session.flush()
        request_id = request.id
    db.session.commit()
    login(user)
    client.post(
        f"/komi/technoparks/requests/{request_id}/attachments",
        data={"attachment": (io.BytesIO(PDF), "../../ТЗ.pdf")},
    )
    with tenant_scope(db.session, komi.id):
        stored = db.session.scalars(sa.select(RequestAttachment)).one()
        attachment_id, filename = stored.id, stored.filename
    assert filename == "ТЗ.pdf"
    assert client.get(f"/komi/technoparks/attachments/{attachment_id}").data == PDF
    staff = app.test_client()
    staff.post(
        "/login",
        data={"email": make_user("center_staff", tenant=komi).email, "password": "correct horse battery"},
    )
    assert staff.get(f"/komi/technoparks/attachments/{attachment_id}").status_code == 200
    stranger = app.test_client()
    stranger.post("/login", data={"email": make_user().email, "password": "correct horse battery"})
    assert stranger.get(f"/komi/technoparks/attachments/{attachment_id}").status_code == 404
