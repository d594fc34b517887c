"""Upload abuse: each hostile file is refused with a message that says why, and nothing is stored."""

import io
import zipfile

import pytest
import sqlalchemy as sa

from clusterhub.clusters.models import ClusterMember
from clusterhub.core.refusal import Refusal
from clusterhub.core.uploads import IMAGES, check_xlsx_archive, read_upload
from clusterhub.extensions import db
from clusterhub.technoparks.models import TechnoparkPhoto
from clusterhub.tenancy.scoping import tenant_scope

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

HOSTILE_IMAGES = {
    "svg with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
        "Upload a file of one of these types",
    ),
    "html renamed to png": (b"<!doctype html><script>alert(1)</script>", "photo.png", "does not match"),
    "png/html polyglot": (
        PNG + b"<html><script>alert(document.cookie)</script></html>",
        "photo.png",
        "web page code",
    ),
    "jpeg/svg polyglot": (b"\xff\xd8\xff\xe0" + b"<svg onload=alert(1)>", "photo.jpg", "web page code"),
    "oversized": (PNG + b"\x00" * (5 * 1024 * 1024), "big.png", "larger than"),
}


@pytest.fixture
def english(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def _stored_files(app) -> list:
    root = app.extensions["storage"].root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("case", sorted(HOSTILE_IMAGES))
def test_a_hostile_photo_is_refused_with_a_message_and_nothing_is_stored(
    app, client, login, make_user, make_tenant, make_technopark, case
):
    data, filename, message = HOSTILE_IMAGES[case]
    komi = make_tenant("komi")
    park = make_technopark(komi)
    login(make_user("center_admin", tenant=komi))
    before = _stored_files(app)
    response = client.post(
        f"/komi/staff/technoparks/{park.id}/photos",
        data={"photo": (io.BytesIO(data), filename)},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert message in response.get_data(as_text=True)
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TechnoparkPhoto)) == 0
    assert _stored_files(app) == before


def test_a_traversal_in_the_file_name_is_dropped_and_the_file_stays_in_its_folder(
    app, client, login, make_user, make_tenant, make_technopark
):
    komi = make_tenant("komi")
    park = make_technopark(komi)
    login(make_user("center_admin", tenant=komi))
    before = set(_stored_files(app))
    client.post(
        f"/komi/staff/technoparks/{park.id}/photos",
        data={"photo": (io.BytesIO(PNG), "../../../etc/cron.d/evil.png")},
    )
    with tenant_scope(db.session, komi.id):
        photo = db.session.scalars(sa.select(TechnoparkPhoto)).one()
    assert photo.filename == "evil.png"
    assert ".." not in photo.storage_key and photo.storage_key.startswith("komi/technoparks/")
    new = set(_stored_files(app)) - before
    root = app.extensions["storage"].root
    assert len(new) == 1 and all(p.resolve().is_relative_to(root) for p in new)


@pytest.mark.parametrize("filename", ["..\\..\\boot.ini.png", "/etc/passwd/x.png", "C:\\Windows\\x.png"])
def test_only_the_base_name_of_an_upload_is_kept(request_context, filename):
    upload = read_upload(io.BytesIO(PNG), filename, IMAGES, 1024)
    assert "/" not in upload.name and "\\" not in upload.name and ".." not in upload.name


def _zip_bomb(uncompressed_mb: int = 40) -> bytes:
    """An XLSX-shaped zip whose one sheet unpacks to ``uncompressed_mb`` MB of XML (a few dozen KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (uncompressed_mb * 1024 * 1024 // 6))
    return buffer.getvalue()


def test_a_zip_bomb_is_recognised_from_the_archive_directory(english):
    bomb = _zip_bomb()
    assert len(bomb) < 200 * 1024
    with pytest.raises(Refusal, match="unpacks to more than"):
        check_xlsx_archive(bomb)


def test_an_ordinary_workbook_passes_the_archive_check(request_context):
    from openpyxl import Workbook

    workbook = Workbook()
    for n in range(2000):
        workbook.active.append(["7707083893", f"ООО «Предприятие {n}»", "participant", "2024-03-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_xlsx_archive(buffer.getvalue())


def test_a_zip_bomb_in_the_cluster_import_is_refused_and_nothing_is_imported(
    client, login, make_user, make_tenant, make_cluster
):
    komi = make_tenant("komi")
    cluster = make_cluster(komi)
    with tenant_scope(db.session, cluster.test_tenant_id):
        cluster_id = cluster.id
    login(make_user("center_admin", tenant=komi))
    response = client.post(
        f"/komi/clusters/{cluster_id}/import",
        data={"file": (io.BytesIO(_zip_bomb()), "members.xlsx")},
        headers={"Accept-Language": "en"},
    )
    assert "unpacks to more than" in response.get_data(as_text=True)
    with tenant_scope(db.session, komi.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClusterMember)) == 0


def test_a_zip_bomb_in_the_technopark_import_is_refused(
    client, login, make_user, make_tenant, make_technopark
):
    komi = make_tenant("komi")
    park = make_technopark(komi)
    login(make_user("center_admin", tenant=komi))
    response = client.post(
        f"/komi/staff/technoparks/{park.id}/import",
        data={"what": "services", "file": (io.BytesIO(_zip_bomb()), "services.xlsx")},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "unpacks to more than" in response.get_data(as_text=True)


def test_the_cluster_import_caps_rows_posted_back_from_the_preview(
    client, login, make_user, make_tenant, make_cluster
):
    """The row cap used to be checked only when reading the file: the preview's posted rows bypassed it."""
    komi = make_tenant("komi")
    cluster = make_cluster(komi)
    with tenant_scope(db.session, cluster.test_tenant_id):
        cluster_id = cluster.id
    login(make_user("center_admin", tenant=komi))
    rows = [{"line": n, "inn": "7707083893", "name": "ООО", "role": "participant"} for n in range(2001)]
    import json

    response = client.post(
        f"/komi/clusters/{cluster_id}/import",
        data={"rows": json.dumps(rows)},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "At most 2000 rows" in response.get_data(as_text=True)


def test_a_500_character_name_in_a_cluster_import_is_a_row_error(english, make_tenant, make_cluster):
    from clusterhub.clusters.services.imports import preview_import

    komi = make_tenant("komi")
    cluster = make_cluster(komi)
    with tenant_scope(db.session, komi.id):
        checked = preview_import(
            cluster, [{"line": 2, "inn": "7707083893", "name": "Я" * 501, "role": "participant"}]
        )
    assert any("longer than 500" in error for error in checked[0].errors)


def test_a_nul_character_in_an_imported_csv_is_refused(request_context):
    from clusterhub.clusters.services.imports import read_members_file
    from clusterhub.technoparks.services import imports

    with pytest.raises(Refusal, match="NUL"):
        read_members_file("members.csv", "inn;name\n7707083893;ООО\x00\n".encode())
    with pytest.raises(Refusal, match="NUL"):
        imports.read_rows("services.csv", "name_ru,price\nУслуга\x00,100\n".encode())
