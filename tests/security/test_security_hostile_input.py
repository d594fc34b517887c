"""Hostile input answers a clear 4xx, never a 500: NUL characters, odd JSON, absurd numbers and pages."""

import pytest
import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.defenses.models import DefenseRound, Score
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope

NUL_MESSAGE = "NUL character"
EN = {"Accept-Language": "en"}


def _bearer(user):
    _row, secret = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("path", ["/enterprises/?q=%00", "/services/?q=ab%00cd", "/calendar?q=%00"])
def test_a_nul_character_in_a_query_is_refused_with_a_message(client, make_tenant, path):
    make_tenant("komi")
    response = client.get(path, headers=EN)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_character_in_an_api_search_is_refused_as_json(client, make_user):
    response = client.get("/api/v1/enterprises?q=%00", headers=_bearer(make_user(locale="en")))
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_json()["error"]["detail"]


def test_a_nul_character_in_a_form_is_refused(client, make_user, login):
    login(make_user(locale="en"))
    response = client.post("/account", data={"full_name": "Иван\x00Петров", "locale": "ru"})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_character_in_json_is_refused(client, make_event, make_user):
    event = make_event()
    response = client.post(
        f"/api/v1/tenants/komi/events/{event.id}/registrations",
        json={"full_name": "Иван\x00", "organisation": "ООО"},
        headers=_bearer(make_user(locale="en")),
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_json()["error"]["detail"]


def test_deeply_nested_json_is_refused_before_parsing(client, make_event, make_user):
    event = make_event()
    response = client.post(
        f"/api/v1/tenants/komi/events/{event.id}/registrations",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers=_bearer(make_user(locale="en")),
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]["detail"]


@pytest.mark.parametrize(
    "body, status, field",
    [
        ([1, 2, 3], 400, None),
        ("text", 400, None),
        ({"full_name": ["a"], "organisation": "ООО"}, 422, "full_name"),
        ({"full_name": {"x": 1}}, 422, "full_name"),
        ({"inn": 7707083893}, 422, "category"),
    ],
)
def test_a_registration_with_the_wrong_json_shape_is_refused(
    client, make_event, make_user, body, status, field
):
    """Not a JSON object: 400; an object whose fields do not fit the documented model: 422 naming the field."""
    event = make_event()
    response = client.post(
        f"/api/v1/tenants/komi/events/{event.id}/registrations",
        json=body,
        headers=_bearer(make_user(locale="en")),
    )
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
    assert response.get_json()["error"].get("field") == field


@pytest.mark.parametrize(
    "scores, status",
    [
        ([{"value": 1e30}], 422),
        ([{"value": [1, 2]}], 422),
        ([{"value": {"a": 1}}], 422),
        ([{"value": True}], 422),
        ([{"value": "NaN"}], 422),
        ([{"value": 5, "comment": 12}], 422),
        (["not an object"], 422),
        ("not a list", 422),
    ],
)
def test_absurd_scores_are_refused_and_nothing_is_stored(client, make_defense, scores, status):
    d = make_defense(projects=1, experts=1)
    headers = _bearer(d["experts"][0])
    with tenant_scope(db.session, d["tenant"].id):
        criterion = db.session.scalar(sa.select(DefenseRound).where(DefenseRound.id == d["round"])).criteria[
            0
        ]
        criterion_id = criterion.id
    body = {
        "scores": [dict(row, criterion_id=criterion_id) if isinstance(row, dict) else row for row in scores]
    }
    if isinstance(scores, str):
        body = {"scores": scores}
    response = client.put(
        f"/api/v1/tenants/komi/expert/slots/{d['slots'][0]}/scores", json=body, headers=headers
    )
    assert response.status_code == status, response.get_json()
    with tenant_scope(db.session, d["tenant"].id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0


def test_a_json_array_as_the_scores_document_gets_400(client, make_defense):
    d = make_defense(projects=1, experts=1)
    response = client.put(
        f"/api/v1/tenants/komi/expert/slots/{d['slots'][0]}/scores",
        json=[1],
        headers=_bearer(d["experts"][0]),
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path", ["/enterprises/?page=99999999999999999999", "/services/?page=99999999999999999999"]
)
def test_a_huge_page_number_shows_the_last_page(client, make_tenant, path):
    make_tenant("komi")
    response = client.get(path)
    assert response.status_code == 200


def test_a_huge_page_number_in_the_api_is_clamped(client, make_user, make_enterprise):
    make_enterprise(name="ООО «Лузалес»")
    response = client.get(
        "/api/v1/enterprises?page=99999999999999999999", headers=_bearer(make_user(locale="en"))
    )
    assert response.status_code == 200
    assert response.get_json()["total"] == 1


def test_a_wrong_method_on_the_api_answers_json_with_allow(client):
    response = client.delete("/api/v1/tenants")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == 405
    assert "GET" in response.headers["Allow"]


def test_a_wrong_method_on_a_page_says_allow_too(client):
    response = client.put("/login")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_api_errors_stay_json_when_the_database_is_down(client, make_user, monkeypatch):
    headers = _bearer(make_user(locale="en"))

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    monkeypatch.setattr(db.session, "scalar", unreachable)
    monkeypatch.setattr(db.session, "scalars", unreachable)
    monkeypatch.setattr(db.session, "rollback", unreachable)
    response = client.get("/api/v1/enterprises?q=x", headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.is_json and response.get_json()["error"]["code"] == 503


def test_the_openapi_document_lists_the_errors_each_operation_answers(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    scores = paths["/api/v1/tenants/{tenant}/expert/slots/{defense_slot_id}/scores"]["put"]
    assert {"200", "400", "401", "403", "404", "405", "409", "422"} <= set(scores["responses"])
    registration = paths["/api/v1/tenants/{tenant}/events/{event_id}/registrations"]["post"]
    assert "201" in registration["responses"] and "200" not in registration["responses"]
    reads = paths["/api/v1/tenants"]["get"]
    assert {"400", "401", "404", "405"} <= set(reads["responses"]) and "409" not in reads["responses"]
    # integer ids are documented as integers
    [event_id] = [p for p in registration["parameters"] if p["name"] == "event_id"]
    assert event_id["schema"]["type"] == "integer"


def test_an_id_beyond_the_integer_range_in_the_address_is_not_found(client, make_user):
    headers = _bearer(make_user(locale="en"))
    assert client.get("/api/v1/enterprises/15000000000", headers=headers).status_code == 404
    assert client.get("/enterprises/1018613268959014161322344448").status_code == 404
