"""ASGI application factory: routers, error handlers, middleware and lifespan."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import sqlalchemy as sa
import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from numrep import __version__
from numrep.core.db import Database, create_db_engine
from numrep.core.deps import Services
from numrep.core.http import JsonRoute, install_error_handlers
from numrep.core.logging import configure_logging
from numrep.core.secrets_store import read_or_create_secret
from numrep.settings import Settings, get_settings

log = structlog.get_logger(__name__)

API_PREFIX = "/v2"


def build_services(settings: Settings) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(
        settings.resolved_database_url,
        busy_timeout=settings.sqlite_busy_timeout_seconds,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    secret = (
        settings.secret_key
        or read_or_create_secret(settings.data_dir / "secret.key").decode().strip()
    )
    return Services(settings=settings, db=Database(engine), secret_key=secret)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from numrep.worker.runtime import WorkerRuntime

        runtime = WorkerRuntime(settings, services.db)
        services.worker = runtime
        if settings.run_worker:
            # DBOS.launch() is synchronous and refuses to run on the event loop.
            await anyio.to_thread.run_sync(runtime.launch)
        log.info("server.started", worker=settings.run_worker, version=__version__)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(runtime.shutdown)
            services.db.dispose()
            log.info("server.stopped")

    app = FastAPI(
        title="numrep",
        version=__version__,
        summary="Spam reputation and remediation of outbound calling numbers, "
        "wire-compatible with the Telnyx Number Reputation API.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.router.route_class = JsonRoute
    install_error_handlers(app)
    app.middleware("http")(_request_context)
    _include_routers(app)
    app.add_api_route("/health", _health, methods=["GET"], tags=["Health"])
    return app


def _include_routers(app: FastAPI) -> None:
    from numrep.enterprise.api import router as enterprise_router
    from numrep.tos.api import router as tos_router

    for router in (tos_router, enterprise_router):
        app.include_router(router, prefix=API_PREFIX)


async def _request_context(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
    structlog.contextvars.bind_contextvars(request_id=request_id)
    started = time.perf_counter()
    try:
        response = await call_next(request)
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    response.headers["x-request-id"] = request_id
    log.debug(
        "http.request",
        method=request.method,
        path=request.url.path,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
        request_id=request_id,
    )
    return response


def _health(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    database = "ok"
    try:
        with services.db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        log.warning("health.database_failed", error=str(error))
        database = "unavailable"
    worker: dict[str, Any] = {"enabled": services.settings.run_worker}
    if services.worker is not None:
        worker["running"] = services.worker.running
        worker["executor_id"] = services.worker.executor_id
    healthy = database == "ok" and (
        not services.settings.run_worker or worker.get("running", False)
    )
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "database": database,
        "worker": worker,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
