"""The published contract: one OpenAPI 3.1 document, generated from the payload models, that a maintained
validator accepts and that names every JSON route; the drift the hand-written schemas had is gone. (Every
JSON response of the suite is checked against it by the test client: tests/fixtures/api_contract.py.)"""

import pytest
from openapi_spec_validator import validate

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.api.openapi import path_and_parameters
from clusterhub.extensions import db
from tests.fixtures import api_contract


def _document(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_the_document_is_valid_openapi_3_1(client):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_under_the_api_and_every_json_route_is_documented(app, client):
    document = _document(client)
    for rule in app.url_map.iter_rules():
        path, parameters = path_and_parameters(rule.rule)
        if rule.rule.startswith("/api/v1"):
            assert path in document["paths"], rule.rule
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                operation = document["paths"][path][method.lower()]
                assert [p["name"] for p in operation["parameters"] if p["in"] == "path"] == [
                    p["name"] for p in parameters
                ]
    # the JSON routes outside /api/v1: health checks and the payment webhook
    for path in ("/healthz", "/readyz", "/billing/stripe/webhook"):
        assert path in document["paths"], path


def test_a_json_answer_from_an_undocumented_route_fails_the_suite(app):
    with app.test_request_context():
        response = app.response_class('{"a": 1}', mimetype="application/json")
        with pytest.raises(AssertionError, match="not in the OpenAPI document"):
            api_contract.check("/komi/events/", "GET", response)


def test_ids_are_integers_and_errors_have_one_documented_body(client):
    document = _document(client)
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for operation in item.values():
            for parameter in operation["parameters"]:
                if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                    assert parameter["schema"]["type"] == "integer", (path, parameter["name"])
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path.startswith("/api/"):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }
    assert schemas["Error"]["examples"][0]["error"]["field"] == "title_ru"


def test_the_drift_of_the_hand_written_schemas_is_gone(client):
    schemas = _document(client)["components"]["schemas"]
    cluster = schemas["ClusterOut"]["properties"]
    assert "regions" in cluster and "region_ids" not in cluster
    event = schemas["EventOut"]["properties"]
    assert {"description_ru", "description_en", "city_en", "requires_approval"} <= set(event)
    item = schemas["AgendaItemOut"]["properties"]
    assert {"hosts", "speakers"} <= set(item)
    # a response sends exactly what it documents
    assert schemas["EventOut"]["additionalProperties"] is False
    assert set(schemas["EventOut"]["required"]) == set(event)


def test_the_federal_api_names_centers_by_slug(client, make_tenant, make_user):
    make_tenant("komi")
    analyst = make_user("federal_analyst")
    _token, secret = create_api_token(analyst, "federal")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.get("/api/v1/federal/indicators?group=tenant", headers=headers).get_json()
    assert list(body["centers"]) == ["komi"]
    assert all(set(v["values"]) <= {"komi"} for v in body["indicators"].values())
    reports = client.get("/api/v1/federal/reports", headers=headers).get_json()["items"]
    assert [r["tenant"] for r in reports] == ["komi"]
    document = _document(client)
    federal = [p for p in document["paths"] if p.startswith("/api/v1/federal/")]
    assert all("_id}" not in p for p in federal), federal
    assert "/api/v1/federal/reports/{slug}/{period}/accept" in document["paths"]


def test_list_and_single_object_conventions_are_documented(client):
    paths = _document(client)["paths"]
    participants = paths["/api/v1/tenants/{tenant}/events/{event_id}/participants"]["get"]
    names = {p["name"] for p in participants["parameters"]}
    assert {"cursor", "limit", "updated_since", "status", "q"} <= names
    event = paths["/api/v1/tenants/{tenant}/events/{event_id}"]
    assert "ETag" in event["get"]["responses"]["200"]["headers"]
    assert "412" in event["patch"]["responses"]
    assert any(p["name"] == "If-Match" for p in event["patch"]["parameters"])
    check_in = paths["/api/v1/tenants/{tenant}/events/{event_id}/check-in"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in check_in["parameters"])
    upload = paths["/api/v1/tenants/{tenant}/projects/{joint_project_id}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_the_document_builds_without_werkzeug_internals():
    import inspect

    from clusterhub.api import openapi

    assert "_converters" not in inspect.getsource(openapi)
