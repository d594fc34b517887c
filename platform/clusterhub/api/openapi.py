"""An OpenAPI 3.1 document generated from the URL map: every rule under /api/v1 is described.

Views describe themselves with :func:`doc` (summary, parameters, response schema); the path, its
parameters and methods come from the routing rules, so a new endpoint appears without editing a list.
"""

import re

from flask import current_app
from werkzeug.routing import FloatConverter, IntegerConverter

API_PREFIX = "/api/v1"

# What every operation may answer besides success; writes may also conflict or fail validation.
_ERRORS_OF_EVERY_OPERATION = {
    "400": "Malformed request: invalid JSON or parameters, a NUL character in text",
    "401": "No valid bearer token",
    "403": "The token's user may not do this",
    "404": "No such object in this center (another center's object also answers 404)",
    "405": "Method not allowed; the Allow header lists the accepted ones",
    "429": "Too many requests",
    "500": "Unexpected error",
    "503": "The database cannot be reached for the moment; try again after Retry-After seconds",
}
_ERRORS_OF_WRITES = {
    "409": "Conflict with the object's current state (e.g. scoring is closed)",
    "422": "The data was understood but refused by validation; the message says why",
}
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _path_parameter_type(converter) -> str:
    if isinstance(converter, IntegerConverter):
        return "integer"
    if isinstance(converter, FloatConverter):
        return "number"
    return "string"


def doc(summary: str, *, tags=None, query=None, response=None, request_body=None, public=False, status=200):
    """Describe an API view for the OpenAPI document.

    ``query`` maps query parameter names to ``(type, description)``; ``response`` and ``request_body`` are
    JSON Schemas; ``status`` is the success code (201 for a view that creates).
    """

    def decorator(view):
        view.openapi = {
            "summary": summary,
            "tags": tags or [],
            "query": query or {},
            "response": response,
            "request_body": request_body,
            "public": public,
            "status": status,
        }
        return view

    return decorator


def _error_responses(method: str) -> dict:
    errors = dict(_ERRORS_OF_EVERY_OPERATION)
    if method in _WRITE_METHODS:
        errors |= _ERRORS_OF_WRITES
    return {
        code: {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code, text in sorted(errors.items())
    }


def build_document() -> dict:
    paths: dict = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None) or {
            "summary": (view.__doc__ or rule.endpoint).strip().split("\n")[0],
            "tags": [],
            "query": {},
            "response": None,
            "request_body": None,
            "public": False,
        }
        path = re.sub(r"<(?:(\w+):)?(\w+)>", r"{\2}", rule.rule)
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": _path_parameter_type(conv)},
            }
            for name, conv in rule._converters.items()
        ]
        parameters += [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": kind},
                "description": description,
            }
            for name, (kind, description) in meta["query"].items()
        ]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": meta["summary"],
                "tags": meta["tags"] or [rule.endpoint.split(".")[0]],
                "parameters": parameters,
                "responses": {
                    str(meta.get("status", 200)): {
                        "description": "Created" if meta.get("status") == 201 else "OK",
                        "content": {"application/json": {"schema": meta["response"] or {"type": "object"}}},
                    },
                    **_error_responses(method),
                },
            }
            if meta["request_body"]:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": meta["request_body"]}},
                }
            if meta["public"]:
                operation["security"] = []
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "ClusterHub API", "version": "1"},
        "servers": [{"url": current_app.config["BASE_URL"].rstrip("/")}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (Account → API tokens).",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "properties": {
                                        "code": {"type": "integer"},
                                        "message": {"type": "string"},
                                        "detail": {"type": "string"},
                                        "field": {"type": ["string", "null"]},
                                    },
                                },
                                {"type": "string"},
                            ]
                        }
                    },
                }
            },
        },
    }
