"""The API contract: one pydantic model per payload, and the OpenAPI 3.1 document generated from them.

A view declares its contract with :func:`doc` (summary, tags, the models of its query, body and response,
its success status). The same models do the work at run time: :func:`body` and :func:`query` validate
what the client sent (a refusal names the field, in the user's language), :func:`respond` builds the
response through the response model, so a field that is documented is a field that is sent. The path
parameters come from the routing rule's own text, the operations from the URL map, so a new endpoint
appears in the document without editing a list.

A maintained integration (flask-openapi3, SpecTree) was considered: both want to own request validation
and its error format, and flask-openapi3 its own app and blueprint classes; ours must answer with the
project's error body, translated, through the unit of work's ``Refusal``, and keep the access
declarations (``core.access``). What they would add on top of ``pydantic.json_schema.models_json_schema``
is small.
"""

import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError, WithJsonSchema
from pydantic.json_schema import models_json_schema

from ..core.refusal import Refusal

API_PREFIX = "/api/v1"
M = TypeVar("M", bound=BaseModel)


# --- payload models -------------------------------------------------------------------------------------


class Payload(BaseModel):
    """A response body: every field is sent (nullable ones as null) and nothing else."""

    model_config = ConfigDict(extra="forbid")


class Body(BaseModel):
    """A request body: unknown keys are refused, so a typo does not silently change nothing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Query(BaseModel):
    """Query parameters: unknown ones are ignored, as browsers and proxies add their own."""

    model_config = ConfigDict(extra="ignore")


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


# Stored naive UTC, sent with its "Z" so that no client guesses a zone.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with Z"}),
]
Money = Annotated[
    str | None,
    WithJsonSchema(
        {
            "type": ["string", "null"],
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": "roubles with two decimals, as a string (no binary fractions)",
        }
    ),
]


class ErrorDetail(Payload):
    code: int
    message: str
    detail: str | None = None
    field: str | None = None
    request_id: str | None = Field(None, description="on a 500: the number to quote when reporting it")


class Error(Payload):
    """Every error the API answers: the HTTP status again, a message in the user's language, and where it
    applies the request field it concerns (``field``) or a longer explanation (``detail``)."""

    error: ErrorDetail

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"error": {"code": 422, "message": "Give the title in Russian.", "field": "title_ru"}},
                {"error": {"code": 404, "message": "Page not found", "detail": "There is no such page."}},
            ]
        },
    )


_LISTS: dict = {}


def choice(enum_cls) -> Any:
    """The type of a field that takes one of an enumeration's values (documented as an ``enum``)."""
    from typing import Literal

    return Literal[tuple(member.value for member in enum_cls)]


def items_of(model: type[BaseModel], name: str | None = None, *, cursor: bool = False, **extra) -> type:
    """The model of a list answer: ``{"items": [...]}``, with ``next_cursor`` for a cursor-paged list
    (one class per name, however often it is asked for)."""
    from pydantic import create_model

    name = name or f"{model.__name__}List"
    if name in _LISTS:
        return _LISTS[name]
    fields: dict[str, Any] = {"items": (list[model], ...)}
    if cursor:
        fields["next_cursor"] = (str | None, ...)
    for key, annotation in extra.items():
        fields[key] = (annotation, ...)
    _LISTS[name] = create_model(name, __base__=Payload, **fields)
    return _LISTS[name]


# --- refusals of the request itself ----------------------------------------------------------------------


class BadRequest(Refusal):
    """The request's parameters cannot be understood (400)."""

    status = 400


class PreconditionFailed(Refusal):
    """An ``If-Match`` that names an older version of the object (412)."""

    status = 412


def _message_of(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not known; check its name.")
    if kind in ("string_type", "string_unicode"):
        return _("The value must be text.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("The value must be a whole number.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("The number is too small.")
    if kind in ("less_than_equal", "less_than"):
        return _("The number is too large.")
    if kind in ("bool_type", "bool_parsing"):
        return _("The value must be true or false.")
    if kind.startswith("date_") or kind == "date_type":
        return _("The value must be a date, YYYY-MM-DD.")
    if kind.startswith("datetime_"):
        return _("The value must be a date and time, YYYY-MM-DDTHH:MM.")
    if kind in ("list_type", "tuple_type"):
        return _("The value must be a list.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(values)s.", values=ctx.get("expected", ""))
    if kind == "string_too_long":
        return _("The text is too long (at most %(max)s characters).", max=ctx.get("max_length", ""))
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _("Send a JSON object.")
    return _("The value is not valid.")


def _refusal_from(error: ValidationError, status_class=Refusal) -> Refusal:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = _message_of(first)
    return status_class(f"{field}: {message}" if field else message, field)


def body(model: type[M]) -> M:
    """The request's JSON body validated by ``model``: a body that is not a JSON object answers 400, a field
    that does not fit the model 422 with the field's name (both in the user's language)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest(_("Send a JSON object in the request body (Content-Type: application/json)."))
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _refusal_from(error) from None


def form(model: type[M]) -> M:
    """The request's form fields (a multipart upload's text fields) validated by ``model``."""
    try:
        return model.model_validate(request.form.to_dict())
    except ValidationError as error:
        raise _refusal_from(error) from None


def query(model: type[M]) -> M:
    """The query string validated by ``model``; a parameter that does not fit answers 400 with its name."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise _refusal_from(error, BadRequest) from None


def dump(model: type[BaseModel], data) -> dict:
    """``data`` (a dict built by the module) checked against and serialised by its model. A field with a
    default that ``data`` does not give is left out (an optional member, such as ``centers``)."""
    return model.model_validate(data).model_dump(mode="json", exclude_unset=True)


def etag_of(payload: dict) -> str:
    """A strong validator of a JSON representation: equal bodies, equal tags."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f'"{digest[:32]}"'


def respond(model: type[BaseModel], data, status: int = 200, *, etag: bool = False, headers=None):
    """The JSON response of ``data`` through ``model``; ``etag`` adds the representation's ETag (and
    answers 304 to a matching ``If-None-Match``)."""
    payload = dump(model, data)
    response = jsonify(payload)
    response.status_code = status
    if etag:
        tag = etag_of(payload)
        response.headers["ETag"] = tag
        if status == 200 and request.method == "GET" and tag in _tags(request.headers.get("If-None-Match")):
            response = current_app.response_class(status=304)
            response.headers["ETag"] = tag
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _tags(header: str | None) -> set[str]:
    return {part.strip().removeprefix("W/") for part in (header or "").split(",") if part.strip()}


def check_if_match(model: type[BaseModel], current) -> None:
    """Refuse (412) an update whose ``If-Match`` names another version than ``current`` (the object's
    representation before the change). Without the header the update goes through, as before."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return
    if etag_of(dump(model, current)) not in _tags(header):
        raise PreconditionFailed(
            _(
                "The object has changed since you read it (its ETag is no longer %(tag)s). Read it again, "
                "apply your change to the new version and send it with the new ETag.",
                tag=header.strip(),
            ),
            "If-Match",
        )


# --- describing views -----------------------------------------------------------------------------------


def doc(
    summary: str,
    *,
    tags=None,
    query=None,
    body=None,
    response=None,
    public=False,
    status=200,
    multipart=False,
    etag=False,
    if_match=False,
    idempotency_key=False,
    conflict=None,
    description=None,
):
    """Describe an API view for the OpenAPI document.

    ``query``, ``body`` and ``response`` are pydantic models (``body`` of a ``multipart`` upload: its text
    fields; the file is ``file``); ``status`` is the success code (201 for a view that creates, 204 for
    one that answers nothing). ``etag``: a single-object read that sends an ETag; ``if_match``: an update
    that honours ``If-Match`` (412); ``conflict``: what a 409 means for this operation.
    """

    def decorator(view):
        view.openapi = {
            "summary": summary,
            "description": description,
            "tags": tags or [],
            "query": query,
            "body": body,
            "response": response,
            "public": public,
            "status": status,
            "multipart": multipart,
            "etag": etag,
            "if_match": if_match,
            "idempotency_key": idempotency_key,
            "conflict": conflict,
        }
        return view

    return decorator


# Routes outside /api/v1 that answer JSON, described here rather than in their modules' views.
EXTERNAL: dict[str, dict] = {}


def describe_external(endpoint: str, **meta) -> None:
    EXTERNAL[endpoint] = meta


_ERRORS_OF_EVERY_OPERATION = {
    "400": "Malformed request: a parameter that does not fit its type, a NUL character in text",
    "401": "No valid bearer token",
    "403": "The token's user may not do this",
    "404": "No such object in this center (another center's object also answers 404)",
    "405": "Method not allowed; the Allow header lists the accepted ones",
    "429": "Too many requests",
    "500": "Unexpected error",
    "503": "The database cannot be reached for the moment; try again after Retry-After seconds",
}
_ERRORS_OF_WRITES = {
    "409": "Conflict with the object's current state",
    "422": "The data was understood but refused by validation; `field` names the request field",
}
_ERRORS_OF_TENANT_ROUTES = {
    "402": "The center's plan has no API access, or its subscription has lapsed (the center is read-only)",
}
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_CONVERTER_TYPES = {"int": "integer", "float": "number"}
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def path_and_parameters(rule_text: str) -> tuple[str, list[dict]]:
    """``/x/<int:event_id>`` → ``/x/{event_id}`` and its path parameters, typed by their converters."""
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": _CONVERTER_TYPES.get(converter or "", "string")}
            | ({"minimum": 0} if converter == "int" else {}),
        }
        for converter, name in _ARGUMENT.findall(rule_text)
    ]
    return _ARGUMENT.sub(r"{\2}", rule_text), parameters


def _error_responses(method: str, meta: dict, tenant_route: bool, error_schema=None) -> dict:
    errors = dict(_ERRORS_OF_EVERY_OPERATION)
    if method in _WRITE_METHODS:
        errors |= _ERRORS_OF_WRITES
        if meta.get("conflict"):
            errors["409"] = meta["conflict"]
    if meta.get("query") is not None:
        errors["400"] = _ERRORS_OF_EVERY_OPERATION["400"] + "; `field` names the query parameter"
    if tenant_route:
        errors |= _ERRORS_OF_TENANT_ROUTES
    if meta.get("if_match") and method in ("PUT", "PATCH"):
        errors["412"] = "If-Match names an older version of the object: read it again (see ETag)"
    schema = error_schema or {"$ref": "#/components/schemas/Error"}
    return {
        code: {"description": text, "content": {"application/json": {"schema": schema}}}
        for code, text in sorted(errors.items())
    }


def _query_parameters(model) -> list[dict]:
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None) or prop.pop("title", "")
        prop.pop("title", None)
        prop.pop("default", None)
        if "anyOf" in prop:  # `x | None = None`: the parameter is optional, its value is not nullable
            options = [p for p in prop.pop("anyOf") if p.get("type") != "null"]
            prop.update(options[0] if len(options) == 1 else {"anyOf": options})
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": prop,
                "description": description,
            }
        )
    return parameters


def _meta_of(view, endpoint) -> dict | None:
    meta = getattr(view, "openapi", None) or EXTERNAL.get(endpoint)
    if meta is None:
        return None
    return {
        "tags": [],
        "query": None,
        "body": None,
        "response": None,
        "public": False,
        "status": 200,
        "description": None,
        **meta,
    }


def documented_rules():
    """The (rule, view meta) pairs the document describes: every rule under /api/v1, and the JSON routes
    elsewhere (health checks, the payment webhook) described with :func:`describe_external`."""
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        view = current_app.view_functions[rule.endpoint]
        meta = _meta_of(view, rule.endpoint)
        if rule.rule.startswith(API_PREFIX) or meta is not None:
            yield rule, meta


def build_document() -> dict:
    models: dict[tuple[type, str], None] = {(Error, "serialization"): None}
    rules = list(documented_rules())
    for _rule, meta in rules:
        if meta is None:
            raise RuntimeError(f"{_rule.endpoint} has no @doc: describe it, the contract has no holes")
        for key, mode in (("response", "serialization"), ("errors", "serialization"), ("body", "validation")):
            if meta.get(key) is not None:
                models[(meta[key], mode)] = None
    refs, definitions = models_json_schema(list(models), ref_template="#/components/schemas/{model}")

    paths: dict = {}
    for rule, meta in rules:
        path, parameters = path_and_parameters(rule.rule)
        tenant_route = "tenant" in rule.arguments
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            status = str(meta["status"])
            success = {"description": {"201": "Created", "204": "No content"}.get(status, "OK")}
            if meta["response"] is not None and status != "204":
                success["content"] = {
                    "application/json": {"schema": refs[(meta["response"], "serialization")]}
                }
            elif status != "204":
                success["content"] = {"application/json": {"schema": {"type": "object"}}}
            headers = {}
            if meta.get("etag") and method == "GET":
                headers["ETag"] = {
                    "description": "the version of the object; send it back in If-Match to update it",
                    "schema": {"type": "string"},
                }
            if headers:
                success["headers"] = headers
            error_schema = refs[(meta["errors"], "serialization")] if meta.get("errors") else None
            responses = {status: success, **_error_responses(method, meta, tenant_route, error_schema)}
            if meta.get("etag") and method == "GET":
                responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
            operation_parameters = list(parameters)
            if method == "GET":
                operation_parameters += _query_parameters(meta["query"])
            if meta.get("if_match") and method in ("PUT", "PATCH"):
                operation_parameters.append(
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "the ETag of the version read; a stale one answers 412",
                    }
                )
            if meta.get("idempotency_key") and method == "POST":
                operation_parameters.append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                        "description": "a retry with the same key gets the first answer again and changes "
                        "nothing (kept for 24 hours)",
                    }
                )
            operation = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": str(meta["summary"]),
                "tags": meta["tags"] or [rule.endpoint.split(".")[0].removesuffix("_api")],
                "parameters": operation_parameters,
                "responses": responses,
            }
            if meta.get("description"):
                operation["description"] = meta["description"]
            if meta["body"] is not None and method in _WRITE_METHODS:
                schema = refs[(meta["body"], "validation")]
                if meta.get("multipart"):
                    # The form's text fields and the file in one object (an allOf with the model's
                    # closed schema would forbid the file).
                    schema = meta["body"].model_json_schema(ref_template="#/components/schemas/{model}")
                    schema["properties"]["file"] = {
                        "type": "string",
                        "contentMediaType": "application/octet-stream",
                        "description": "the document",
                    }
                    schema["required"] = [*schema.get("required", []), "file"]
                    content = {"multipart/form-data": {"schema": schema}}
                else:
                    content = {"application/json": {"schema": schema}}
                operation["requestBody"] = {"required": True, "content": content}
            if meta["public"]:
                operation["security"] = []
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ClusterHub API",
            "version": "1",
            "description": "Regional cluster development centers: sessions, registrations, technoparks, "
            "clusters, projects, defenses and period reports. Lists are paged by cursor "
            "(`next_cursor`), take `updated_since` for incremental sync; single objects carry an ETag "
            "that updates send back in If-Match. See docs/api.md.",
        },
        "servers": [{"url": current_app.config["BASE_URL"].rstrip("/")}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (Account → API tokens, or the center's «API-токены»).",
                }
            },
            "schemas": definitions.get("$defs", {}),
        },
    }


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None
