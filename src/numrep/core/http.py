"""HTTP edge helpers: the strict JSON route class and the error handlers.

Every error response, including the framework's own 404, 405 and validation
errors, is rendered in the Telnyx envelope. No stack trace reaches a client.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from numrep.core.errors import (
    CODE_INVALID_PARAMETERS,
    CODE_METHOD_NOT_ALLOWED,
    CODE_NOT_FOUND,
    CODE_UNEXPECTED,
    CODE_UNSUPPORTED_MEDIA,
    ErrorItem,
    NumrepError,
    error_body,
    invalid_item,
)
from numrep.core.middleware import unexpected_error_response

log = structlog.get_logger(__name__)

# Operations beyond the Telnyx contract carry this tag, and the OpenAPI document
# marks each of them with ``x-numrep-extension: true``.
EXTENSION_TAG = "numrep extensions"


def _reject_constant(name: str) -> Any:
    # FastAPI turns a JSONDecodeError into a 422 validation error.
    raise json.JSONDecodeError(f"{name} is not a valid JSON number", name, 0)


def _finite_float(text: str) -> float:
    # Python reads 1e999 as infinity, which JSON cannot carry back out.
    value = float(text)
    if not math.isfinite(value):
        raise json.JSONDecodeError(f"{text} is out of the range of a number", text, 0)
    return value


def parse_json(body: bytes) -> Any:
    """Parse a request body strictly; every failure is a ``JSONDecodeError``.

    Besides NaN and Infinity this rejects invalid UTF-8, nesting deep enough to
    exhaust the recursion limit and integers longer than Python converts, which
    would otherwise surface as a bare 400 or a 500.
    """
    try:
        return json.loads(
            body, parse_constant=_reject_constant, parse_float=_finite_float
        )
    except json.JSONDecodeError:
        raise
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError("the body is not UTF-8", "", 0) from error
    except RecursionError as error:
        raise json.JSONDecodeError("arrays or objects nest too deep", "", 0) from error
    except ValueError as error:
        # int() refuses numbers of more than 4,300 digits.
        raise json.JSONDecodeError("a number has too many digits", "", 0) from error


def _is_json_content_type(value: str | None) -> bool:
    if not value:
        return False
    media = value.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class StrictJsonRequest(Request):
    """A request whose JSON body is read by ``parse_json``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class JsonRoute(APIRoute):
    """A route that requires ``application/json`` for a JSON body (415 otherwise)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()
        expects_json = self.body_field is not None and not _is_form_route(self)

        async def handler(request: Request) -> Response:
            if expects_json:
                body = await request.body()
                content_type = request.headers.get("content-type")
                if body and not _is_json_content_type(content_type):
                    raise NumrepError(
                        415,
                        [
                            ErrorItem(
                                CODE_UNSUPPORTED_MEDIA,
                                "Unsupported Media Type",
                                f"Content-Type {content_type or '(none)'} is not "
                                "supported; send the body as application/json.",
                            )
                        ],
                    )
                request = StrictJsonRequest(request.scope, request.receive)
                request._body = body
            return await original(request)

        return handler


def _is_form_route(route: APIRoute) -> bool:
    field = route.body_field
    if field is None:
        return False
    info = getattr(field, "field_info", None)
    return type(info).__name__ in {"Form", "File"}


def loc_to_source(loc: tuple[Any, ...]) -> dict[str, str]:
    """Turn a pydantic error location into a JSON pointer or a parameter name."""
    if not loc:
        return {"pointer": "/"}
    where, *rest = loc
    if where == "body":
        parts = [str(part).replace("~", "~0").replace("/", "~1") for part in rest]
        return {"pointer": "/" + "/".join(parts)}
    if where in {"query", "path", "header"} and rest:
        return {"parameter": str(rest[0])}
    return {"pointer": "/" + "/".join(str(part) for part in loc)}


def _describe(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    message = str(error.get("msg", "Invalid value"))
    if kind == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        return f"The request body is not valid JSON: {reason}".rstrip(": ")
    if kind == "missing" and tuple(error.get("loc", ())) == ("body",):
        return "The request body is missing; send a JSON object."
    if kind == "missing":
        return "This field is required."
    if kind == "value_error" and "error" in error.get("ctx", {}):
        # Drop pydantic's "Value error, " prefix: the message is ours.
        return str(error["ctx"]["error"])
    if kind == "extra_forbidden":
        return "This field is not allowed in this request."
    if kind == "string_pattern_mismatch" and "input" in error:
        return f"{json.dumps(error['input'])} is not a valid value: {message}"
    return message


def validation_items(errors: list[dict[str, Any]]) -> list[ErrorItem]:
    items = []
    for error in errors:
        source = loc_to_source(tuple(error.get("loc", ())))
        if error.get("type") == "json_invalid":
            source = {"pointer": "/"}
        items.append(
            invalid_item(
                _describe(error),
                pointer=source.get("pointer"),
                parameter=source.get("parameter"),
            )
        )
    return items


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NumrepError)
    async def _numrep_error(_request: Request, exc: NumrepError) -> JSONResponse:
        headers = dict(exc.headers)
        if exc.status_code == 409:
            # Every numrep conflict comes from stored state, so a retry returns the
            # same error. Without this header the SDK sends the request twice more.
            headers.setdefault("x-should-retry", "false")
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(
        _request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        items = validation_items(list(exc.errors()))
        return JSONResponse(error_body(items), status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_error(_request: Request, exc: ValidationError) -> JSONResponse:
        # Raised where an endpoint validates a body itself, after reading it raw.
        items = validation_items([dict(error) for error in exc.errors()])
        return JSONResponse(error_body(items), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(
            error_body([_http_item(request, exc)]),
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # RequestContextMiddleware renders the errors that routes raise, so this
        # handler only receives errors from the framework's middleware outside it.
        error_id = str(uuid.uuid4())
        log.error(
            "http.unexpected_error",
            error_id=error_id,
            path=request.url.path,
            exc_info=exc,
        )
        return unexpected_error_response(error_id)


_HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """List the methods that some route serves on the request's path.

    Starlette's own ``Allow`` names only the first route that matched the path,
    but each method of a path is a separate route here. Asking every route about
    each method needs nothing beyond the public ``matches`` interface.
    """
    routes = request.app.router.routes
    allowed = []
    for method in _HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed


def _http_item(request: Request, exc: StarletteHTTPException) -> ErrorItem:
    if exc.status_code == 404:
        return ErrorItem(
            CODE_NOT_FOUND, "Resource not found", f"No resource at {request.url.path}."
        )
    if exc.status_code == 405:
        return ErrorItem(
            CODE_METHOD_NOT_ALLOWED,
            "Method not allowed",
            f"{request.method} is not allowed on {request.url.path}.",
        )
    detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
    return ErrorItem(
        CODE_INVALID_PARAMETERS if exc.status_code < 500 else CODE_UNEXPECTED,
        "Request failed",
        detail,
    )


def mark_extensions(schema: dict[str, Any]) -> dict[str, Any]:
    """Flag every operation tagged as an extension in an OpenAPI document."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and EXTENSION_TAG in operation.get(
                "tags", []
            ):
                operation["x-numrep-extension"] = True
    return schema
