"""The OpenAPI document: shared response schemas and the post-processing pass.

Endpoints return plain dicts, so each one declares its success schema through
``responses=described(...)`` with ``response_model=None``. The schema only
documents the body and never filters or converts it. ``build_openapi`` then adds
what follows from a route's dependencies: the bearer security requirement, the
401, 403, 404, 415 and 422 error responses, and the extension marker.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, ConfigDict

from numrep.core.deps import get_operator, get_principal, get_principal_recording_use
from numrep.core.http import EXTENSION_TAG, mark_extensions

SECURITY_SCHEME = "bearerAuth"
ERROR_SCHEMA_REF = "#/components/schemas/ErrorResponse"

# Tags of the Telnyx API reference for the operations numrep serves compatibly.
TELNYX_TAGS = frozenset(
    {
        "Enterprises",
        "Reputation",
        "Reputation Phone Numbers",
        "Terms of Service",
        "Documents",
    }
)
# Operator-only routes carry this tag next to ``EXTENSION_TAG``.
OPERATOR_TAG = "numrep operator"

_ERROR_DESCRIPTIONS = {
    400: "The request is well formed but the resource's state refuses it.",
    401: "The API key is missing, malformed, unknown or revoked.",
    403: "The account or key may not perform this action.",
    404: "The resource does not exist or belongs to another account.",
    409: "The request conflicts with stored state; a retry gets the same answer.",
    413: "The uploaded file is larger than the configured maximum.",
    415: "The body is not sent as application/json.",
    422: "A path, query or body value is invalid.",
    429: "A rate limit is exceeded; retry after Retry-After seconds.",
    503: "A component of the service is unavailable.",
}


class ErrorSource(BaseModel):
    """The request part an error entry refers to."""

    pointer: str | None = None
    parameter: str | None = None


class ErrorMeta(BaseModel):
    """Extra data of an error entry: the catalogue page of its code."""

    model_config = ConfigDict(extra="allow")

    url: str


class ErrorObject(BaseModel):
    """One entry of the Telnyx error envelope, whose ``code`` is a numeric string."""

    code: str
    title: str
    detail: str
    source: ErrorSource | None = None
    meta: ErrorMeta


class ErrorResponse(BaseModel):
    """The Telnyx error envelope that every 4xx and 5xx body has."""

    errors: list[ErrorObject]


class PaginationMeta(BaseModel):
    """``meta`` of a list response, where ``page_size`` counts the items returned."""

    page_number: int
    page_size: int
    total_pages: int
    total_results: int


def described(
    model: type[BaseModel] | None,
    *errors: int,
    status: int = 200,
    media_types: Sequence[str] = (),
) -> dict[int | str, dict[str, Any]]:
    """Build a route's ``responses``: the success body and its specific errors.

    ``model`` of None with ``media_types`` documents a binary body such as a PDF.
    Errors that every route of a kind returns are added by ``build_openapi``.
    """
    responses: dict[int | str, dict[str, Any]] = {}
    if model is not None:
        responses[status] = {"model": model}
    elif media_types:
        binary = {"schema": {"type": "string", "format": "binary"}}
        responses[status] = {"content": dict.fromkeys(media_types, binary)}
    for code in errors:
        responses[code] = {
            "model": ErrorResponse,
            "description": _ERROR_DESCRIPTIONS[code],
        }
    return responses


# Nested models of the bodies that ``json_body`` describes by hand. They become
# components when the document is built.
_EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """Build ``openapi_extra`` for a route that reads its JSON body as raw data.

    Such routes validate the body themselves, to report each bad value with its
    own pointer, so FastAPI cannot see the model.
    """
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    _EXTRA_SCHEMAS.update(schema.pop("$defs", {}))
    body = {"schema": schema}
    return {"requestBody": {"required": True, "content": {"application/json": body}}}


def operation_id(route: APIRoute) -> str:
    """Name an operation after its endpoint function, e.g. ``list_enterprises``."""
    return route.name


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """Generate the document and add security, common errors and markers."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["ErrorResponse"] = _error_schema(schemas)
    for name, definition in _EXTRA_SCHEMAS.items():
        schemas.setdefault(name, definition)
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created with `numrep accounts`.",
        }
    }
    # Included routers keep their routes nested, and the contexts carry the prefix.
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            _complete_route(schema, route)
    # Every validation error is rendered in the Telnyx envelope instead.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return mark_extensions(schema)


def _error_schema(schemas: dict[str, Any]) -> dict[str, Any]:
    generated = ErrorResponse.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    for name, definition in generated.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    return generated


def _complete_route(schema: dict[str, Any], route: RouteContext) -> None:
    path_item = schema["paths"].get(route.path_format, {})
    calls = set(_dependency_calls(route.dependant))
    for method in route.methods or ():
        operation = path_item.get(method.lower())
        if operation is None:
            continue
        codes = _common_error_codes(route, calls, operation)
        responses = operation.setdefault("responses", {})
        for code in codes:
            responses[str(code)] = _error_response(code)
        if calls & {get_principal, get_principal_recording_use}:
            operation["security"] = [{SECURITY_SCHEME: []}]


def _common_error_codes(
    route: RouteContext, calls: set[Any], operation: dict[str, Any]
) -> list[int]:
    codes = []
    if calls & {get_principal, get_principal_recording_use}:
        codes.append(401)
    if get_operator in calls:
        codes.append(403)
    if route.dependant.path_params:
        codes.append(404)
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        codes.append(415)
    if operation.get("parameters") or "requestBody" in operation:
        codes.append(422)
    return codes


def _error_response(code: int) -> dict[str, Any]:
    return {
        "description": _ERROR_DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA_REF}}},
    }


def _dependency_calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _dependency_calls(dependency)


__all__ = [
    "EXTENSION_TAG",
    "OPERATOR_TAG",
    "TELNYX_TAGS",
    "ErrorResponse",
    "PaginationMeta",
    "build_openapi",
    "described",
    "json_body",
    "operation_id",
]
