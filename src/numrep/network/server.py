"""One sandbox network served over the adapter protocol, for tests and demos.

Simulated failures leave as HTTP errors: a throttled call as 429 with
Retry-After, an unavailable network as 503, so the HTTP connector meets them
over a real socket.
"""

from __future__ import annotations

import hmac
import math
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse

from numrep.network.base import NetworkError, ReviewStatus
from numrep.network.sandbox import ReviewNotFoundError, SandboxConnector
from numrep.network.schemas import (
    ErrorDetail,
    ErrorResponse,
    InfoResponse,
    LookupBody,
    LookupItem,
    LookupResponse,
    ReviewsBody,
    ReviewsResponse,
    ReviewStatusBody,
    ReviewStatusItem,
)

log = structlog.get_logger(__name__)


def create_sandbox_app(connector: SandboxConnector, *, api_key: str | None) -> FastAPI:
    """Build the app. With ``api_key`` set, every call needs it as a bearer token."""
    app = FastAPI(
        title=f"numrep sandbox network {connector.name}",
        summary="A simulated call-analytics network speaking the adapter protocol.",
    )

    def authorize(authorization: Annotated[str | None, Header()] = None) -> None:
        if api_key is None:
            return
        presented = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(presented.encode(), api_key.encode()):
            raise UnauthorizedError

    guarded = [Depends(authorize)]

    @app.get("/info", dependencies=guarded)
    def info() -> InfoResponse:
        return InfoResponse.of(connector.info)

    @app.post("/lookup", dependencies=guarded)
    def lookup(body: LookupBody) -> LookupResponse:
        results = connector.lookup(body.phone_numbers)
        return LookupResponse(results=[LookupItem.of(result) for result in results])

    @app.post("/reviews", dependencies=guarded)
    def open_reviews(body: ReviewsBody) -> ReviewsResponse:
        requests = [item.to_request() for item in body.reviews]
        return _reviews(connector.open_reviews(requests))

    @app.post("/reviews/status", dependencies=guarded)
    def collect(body: ReviewStatusBody) -> ReviewsResponse:
        return _reviews(connector.collect(body.review_ids))

    @app.post("/escalations", dependencies=guarded)
    def escalate(body: ReviewsBody) -> ReviewsResponse:
        requests = [item.to_request() for item in body.reviews]
        return _reviews(connector.escalate(requests))

    @app.exception_handler(NetworkError)
    async def network_error(request: Request, error: NetworkError) -> JSONResponse:
        return _network_error(request, error)

    @app.exception_handler(UnauthorizedError)
    async def unauthorized(_request: Request, _exc: UnauthorizedError) -> JSONResponse:
        return _error(401, "unauthorized", "missing or invalid bearer token")

    return app


class UnauthorizedError(Exception):
    """A call without the bearer token that the server was started with."""


def _reviews(statuses: list[ReviewStatus]) -> ReviewsResponse:
    return ReviewsResponse(reviews=[ReviewStatusItem.of(status) for status in statuses])


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = ErrorResponse(error=ErrorDetail(code=code, message=message))
    return JSONResponse(body.model_dump(), status_code=status)


def _network_error(request: Request, error: NetworkError) -> JSONResponse:
    log.info("sandbox_network.error_sent", path=request.url.path, error=str(error))
    if isinstance(error, ReviewNotFoundError):
        return _error(404, "review_not_found", str(error))
    if not error.retryable:
        return _error(422, "rejected", str(error))
    if error.retry_after_seconds is None:
        return _error(503, "unavailable", str(error))
    response = _error(429, "throttled", str(error))
    # Retry-After takes whole seconds.
    response.headers["Retry-After"] = str(math.ceil(error.retry_after_seconds))
    return response
