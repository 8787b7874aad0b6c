"""HTTP edge helpers: the strict JSON route class and the error handlers.

Every error a client sees, including the framework's own 404, 405 and validation
errors, is rendered in the Telnyx envelope. No stack trace reaches a client.
"""

from __future__ import annotations

import json
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

log = structlog.get_logger(__name__)


def _reject_constant(name: str) -> Any:
    # FastAPI turns a JSONDecodeError into a 422 validation error.
    raise json.JSONDecodeError(f"{name} is not a valid JSON number", name, 0)


def _is_json_content_type(value: str | None) -> bool:
    if not value:
        return False
    media = value.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class StrictJsonRequest(Request):
    """A request whose JSON body rejects ``NaN`` and ``Infinity``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            self._json = json.loads(body, parse_constant=_reject_constant)
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
    if kind == "missing":
        return "This field is required."
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
        return JSONResponse(
            exc.body(), status_code=exc.status_code, headers=dict(exc.headers)
        )

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
        return JSONResponse(
            error_body([_http_item(request, exc)]),
            status_code=exc.status_code,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        error_id = str(uuid.uuid4())
        log.exception("http.unexpected_error", error_id=error_id, path=request.url.path)
        item = ErrorItem(
            CODE_UNEXPECTED,
            "Unexpected error",
            f"The server failed to handle the request; error id {error_id}.",
        )
        return JSONResponse(error_body([item]), status_code=500)


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
