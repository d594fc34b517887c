"""A technopark's staff keep the catalogue (services, equipment) and handle service requests over the
API, through the catalogue's own services and workflow."""

import pytest

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.extensions import db

BASE = "/api/v1/tenants/komi/technoparks"


def bearer(user) -> dict:
    _token, secret = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def staff(make_tenant, make_user):
    make_tenant("komi")
    return bearer(make_user("center_staff", locale="en"))


def test_staff_keep_the_service_catalogue(client, staff, make_technopark, make_equipment):
    tp = make_technopark()
    machine = make_equipment(tp)
    created = client.post(
        f"{BASE}/{tp.id}/services",
        json={
            "name_ru": "Фрезерная обработка",
            "category": "prototyping",
            "unit": "hour",
            "price": "2500.00",
            "vat": "plus_20",
            "equipment_ids": [machine.id],
        },
        headers=staff,
    )
    assert created.status_code == 201, created.json
    service = created.json
    assert service["status"] == "draft" and service["gross_price"] == "3000.00"
    assert service["equipment_ids"] == [machine.id]
    url = f"{BASE}/services/{service['id']}"
    tag = client.get(url, headers=staff).headers["ETag"]
    changed = client.patch(url, json={"price": "2000.00"}, headers=staff | {"If-Match": tag})
    assert changed.status_code == 200 and changed.json["price"] == "2000.00"
    assert changed.json["name_ru"] == "Фрезерная обработка" and changed.json["equipment_ids"] == [machine.id]
    stale = client.patch(url, json={"price": "1.00"}, headers=staff | {"If-Match": tag})
    assert stale.status_code == 412
    assert client.post(f"{url}/publish", headers=staff).json["status"] == "published"
    catalogue = client.get(BASE).json["items"][0]
    assert [s["name_ru"] for s in catalogue["services"]] == ["Фрезерная обработка"]
    assert client.post(f"{url}/archive", headers=staff).json["status"] == "draft"
    assert client.get(BASE).json["items"][0]["services"] == []
    listed = client.get(f"{BASE}/{tp.id}/services", query_string={"status": "draft"}, headers=staff).json
    assert [s["id"] for s in listed["items"]] == [service["id"]]
    no_price = client.post(
        f"{BASE}/{tp.id}/services",
        json={"name_ru": "Без цены", "category": "testing", "unit": "piece"},
        headers=staff,
    )
    assert no_price.status_code == 422 and no_price.json["error"]["field"] == "price"
    assert client.delete(url, headers=staff).status_code == 204
    assert client.get(url, headers=staff).status_code == 404


def test_staff_keep_the_equipment(client, staff, make_technopark):
    tp = make_technopark()
    created = client.post(
        f"{BASE}/{tp.id}/equipment",
        json={
            "name_ru": "Разрывная машина",
            "category": "testing",
            "quantity": 2,
            "bookable": True,
            "specs": [{"key": "Усилие", "value": "100", "unit": "кН"}],
        },
        headers=staff,
    )
    assert created.status_code == 201, created.json
    url = f"{BASE}/equipment/{created.json['id']}"
    tag = client.get(url, headers=staff).headers["ETag"]
    changed = client.patch(url, json={"quantity": 3}, headers=staff | {"If-Match": tag})
    assert changed.json["quantity"] == 3 and changed.json["specs"] == created.json["specs"]
    archived = client.post(f"{url}/archive", headers=staff)
    assert archived.status_code == 200 and archived.json["bookable"] is False
    zero = client.patch(url, json={"quantity": 0}, headers=staff)
    assert zero.status_code == 422 and zero.json["error"]["field"] == "quantity"
    items = client.get(f"{BASE}/{tp.id}/equipment", headers=staff).json["items"]
    assert [e["id"] for e in items] == [created.json["id"]]


def test_staff_move_a_service_request_through_its_workflow(
    client, staff, make_technopark, make_service, make_representative
):
    tp = make_technopark()
    service = make_service(tp)
    user, enterprise = make_representative()
    customer = bearer(user)
    made = client.post(
        f"{BASE}/services/{service.id}/requests",
        json={"enterprise_inn": enterprise.inn, "quantity": "3"},
        headers=customer,
    )
    assert made.status_code == 201
    url = f"{BASE}/requests/{made.json['id']}"
    listed = client.get(f"{BASE}/requests", query_string={"status": "submitted"}, headers=staff).json["items"]
    assert [r["id"] for r in listed] == [made.json["id"]] and listed[0]["allowed_actions"]
    no_note = client.post(f"{url}/reject", json={"note": ""}, headers=staff)
    assert no_note.status_code == 422 and no_note.json["error"]["field"] == "note"
    early = client.post(f"{url}/complete", json={}, headers=staff)
    assert early.status_code == 422 and "cannot be moved" in early.json["error"]["message"]
    accepted = client.post(
        f"{url}/accept",
        json={"quote": "4500.00", "scheduled_start": "2027-02-01", "scheduled_end": "2027-02-03"},
        headers=staff,
    )
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert accepted.json["quote"] == "4500.00"
    done = client.post(f"{url}/complete", json={"note": "Готово"}, headers=staff)
    assert done.json["status"] == "completed"
    assert [h["to_status"] for h in done.json["history"]][-2:] == ["accepted", "completed"]
    # the customer is not the technopark: the staff's steps are refused to them
    assert client.post(f"{url}/complete", json={}, headers=customer).status_code == 403


@pytest.mark.parametrize("role", ["expert", "other_admin"])
def test_the_catalogue_is_written_only_by_the_centers_staff(
    client, make_tenant, make_user, make_technopark, role
):
    tp = make_technopark()
    tatarstan = make_tenant("tatarstan")
    user = (
        make_user("expert", locale="en") if role == "expert" else make_user("center_admin", tenant=tatarstan)
    )
    headers = bearer(user)
    body = {"name_ru": "Услуга", "category": "testing", "unit": "piece", "price": "1.00"}
    assert client.post(f"{BASE}/{tp.id}/services", json=body, headers=headers).status_code == 403
    theirs = f"/api/v1/tenants/tatarstan/technoparks/{tp.id}/services"
    if role == "other_admin":
        assert client.post(theirs, json=body, headers=headers).status_code == 404
