"""The outermost numrep middleware: request ids, access logs and the 500 envelope.

It is plain ASGI rather than ``BaseHTTPMiddleware``, so it catches an unexpected
exception while the request id is still bound to the log context. The trace is
logged with that id, and the client gets the Telnyx envelope with an error id
and the ``x-request-id`` header, never the trace.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from numrep.core.errors import CODE_UNEXPECTED, ErrorItem, error_body

log = structlog.get_logger(__name__)

REQUEST_ID_HEADER = "x-request-id"
# Paths polled by monitoring every few seconds. Logging each successful poll
# would bury the requests that matter, so only failed polls are logged.
QUIET_PATHS = frozenset({"/metrics"})
# A caller's request id is kept only when it is short and plain, so it cannot
# forge log lines or bloat them.
_REQUEST_ID_RE = re.compile(r"\A[A-Za-z0-9._:\-]{1,128}\Z")


def request_id_from(headers: Headers) -> str:
    """Return the caller's ``x-request-id`` when it is well formed, else a new one."""
    incoming = headers.get(REQUEST_ID_HEADER, "")
    if _REQUEST_ID_RE.match(incoming):
        return incoming
    return str(uuid.uuid4())


def unexpected_error_response(error_id: str) -> JSONResponse:
    item = ErrorItem(
        CODE_UNEXPECTED,
        "Unexpected error",
        f"The server failed to handle the request; report error id {error_id} "
        "to the operator of this service.",
    )
    return JSONResponse(error_body([item]), status_code=500)


class RequestContextMiddleware:
    """Bind a request id to every log line of a request and log the request once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = request_id_from(Headers(scope=scope))
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                error_id = str(uuid.uuid4())
                log.exception(
                    "http.unexpected_error",
                    error_id=error_id,
                    method=scope["method"],
                    path=scope["path"],
                )
                if response_started:
                    # Part of the response is on the wire; the server closes it.
                    raise
                await unexpected_error_response(error_id)(scope, receive, send_with_id)
            finally:
                if status >= 400 or scope["path"] not in QUIET_PATHS:
                    log.info(
                        "http.request",
                        method=scope["method"],
                        path=scope["path"],
                        status=status,
                        duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    )
