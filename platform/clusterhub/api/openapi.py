"""An OpenAPI 3.1 document generated from the URL map: every rule under /api/v1 is described.

Views describe themselves with :func:`doc` (summary, parameters, response schema); the path, its
parameters and methods come from the routing rules, so a new endpoint appears without editing a list.
"""

import re

from flask import current_app

API_PREFIX = "/api/v1"
_CONVERTER_TYPES = {"int": "integer", "float": "number"}


def doc(summary: str, *, tags=None, query=None, response=None, request_body=None, public=False):
    """Describe an API view for the OpenAPI document.

    ``query`` maps query parameter names to ``(type, description)``; ``response`` and ``request_body`` are
    JSON Schemas.
    """

    def decorator(view):
        view.openapi = {
            "summary": summary,
            "tags": tags or [],
            "query": query or {},
            "response": response,
            "request_body": request_body,
            "public": public,
        }
        return view

    return decorator


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
                "schema": {
                    "type": _CONVERTER_TYPES.get(
                        type(conv).__name__.replace("Converter", "").lower(), "string"
                    )
                },
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
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": meta["response"] or {"type": "object"}}},
                    },
                    "401": {"$ref": "#/components/responses/Error"},
                    "404": {"$ref": "#/components/responses/Error"},
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
            "responses": {
                "Error": {
                    "description": "Error",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "error": {
                                        "type": "object",
                                        "properties": {
                                            "code": {"type": "integer"},
                                            "message": {"type": "string"},
                                            "detail": {"type": "string"},
                                        },
                                    }
                                },
                            }
                        }
                    },
                }
            },
        },
    }
