"""Every JSON response the test suite produces is checked against the OpenAPI document: its status is
one the operation documents, and its body fits the documented schema (errors included). A JSON answer
from a route the document does not describe fails the test that provoked it.

Hooked into the test client (``conftest.IsolatedClient``), so a new test of any module checks the
contract without asking for it."""

import jsonschema
from flask import current_app
from werkzeug.exceptions import MethodNotAllowed, NotFound

_documents: dict[int, tuple[dict, dict]] = {}


def _document(app) -> tuple[dict, dict]:
    if id(app) not in _documents:
        from clusterhub.api.openapi import build_document

        document = build_document()
        operations = {
            operation["operationId"]: operation
            for item in document["paths"].values()
            for operation in item.values()
        }
        _documents[id(app)] = (document, operations)
    return _documents[id(app)]


def _schema(document: dict, schema: dict) -> dict:
    return {**schema, "components": document["components"]}


def check(path: str, method: str, response) -> None:
    """Raise AssertionError when ``response`` (to ``method path``) breaks the contract."""
    if response.status_code == 304 or not response.is_json:
        return
    app = current_app._get_current_object()
    document, operations = _document(app)
    try:
        endpoint, _args = app.url_map.bind("clusterhub.test").match(path.split("?", 1)[0], method=method)
    except (NotFound, MethodNotAllowed):
        endpoint = None
    body = response.get_json(silent=True)
    if endpoint is None:  # no route: only the error body can be checked
        if path.startswith("/api/"):
            jsonschema.validate(body, _schema(document, {"$ref": "#/components/schemas/Error"}))
        return
    operation = operations.get(f"{endpoint}.{'get' if method == 'HEAD' else method.lower()}")
    assert operation is not None, (
        f"{method} {path} ({endpoint}) answers JSON but is not in the OpenAPI document"
    )
    status = str(response.status_code)
    assert status in operation["responses"], (
        f"{method} {path} answered {status}, which {operation['operationId']} does not document"
    )
    content = operation["responses"][status].get("content", {}).get("application/json")
    assert content is not None, f"{method} {path} answered {status} with JSON, documented without a body"
    try:
        jsonschema.validate(body, _schema(document, content["schema"]))
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        raise AssertionError(
            f"{method} {path} -> {status}: the body does not fit {operation['operationId']}'s schema at "
            f"'{where}': {error.message}"
        ) from None
