"""ASGI application factory: routers, error handlers, middleware and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import structlog
from fastapi import FastAPI

from numrep import __version__
from numrep.core.db import Database, create_db_engine
from numrep.core.deps import Services
from numrep.core.health import HealthStatus, health
from numrep.core.http import EXTENSION_TAG, JsonRoute, install_error_handlers
from numrep.core.logging import configure_logging
from numrep.core.middleware import RequestContextMiddleware
from numrep.core.openapi import described, operation_id
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
        generate_unique_id_function=operation_id,
    )
    app.state.services = services
    app.router.route_class = JsonRoute
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    _install_metrics(app, services)
    _include_routers(app)
    app.add_api_route(
        "/health",
        health,
        methods=["GET"],
        tags=[EXTENSION_TAG, "Health"],
        response_model=None,
        responses=described(HealthStatus, 503),
    )
    _install_openapi(app)
    return app


def _install_metrics(app: FastAPI, services: Services) -> None:
    # Imported here because importing prometheus_client fixes where it keeps
    # values, and the CLI sets that up before it creates the app.
    from numrep.metrics.api import install

    install(app, services)


def _install_openapi(app: FastAPI) -> None:
    from numrep.core.openapi import build_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _include_routers(app: FastAPI) -> None:
    from numrep.console.web import install as install_console
    from numrep.documents.api import router as documents_router
    from numrep.documents.loa.api import router as loa_router
    from numrep.enterprise.api import router as enterprise_router
    from numrep.ownership.api import operator_router as ownership_operator
    from numrep.ownership.api import router as ownership_router
    from numrep.remediation.api import extensions as remediation_extensions
    from numrep.remediation.api import router as remediation_router
    from numrep.reputation.history_api import router as history_router
    from numrep.review.api import router as review_router
    from numrep.tos.api import pages_router as tos_pages_router
    from numrep.tos.api import router as tos_router
    from numrep.webhook.api import router as webhook_router

    for router in (
        tos_router,
        enterprise_router,
        documents_router,
        loa_router,
        webhook_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    for router in (remediation_router, remediation_extensions, review_router):
        app.include_router(router, prefix=API_PREFIX)
    _include_reputation_routers(app)
    app.include_router(history_router, prefix=API_PREFIX)
    for router in (ownership_router, ownership_operator):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(tos_pages_router)
    install_console(app)


def _include_reputation_routers(app: FastAPI) -> None:
    from numrep.inventory.api import router as inventory_router
    from numrep.reputation.api import router as reputation_router
    from numrep.reputation.numbers_api import router as numbers_router
    from numrep.reputation.operator_api import router as loa_operator_router
    from numrep.verification.api import operator_router as verification_operator
    from numrep.verification.api import router as verification_router

    for router in (
        reputation_router,
        numbers_router,
        inventory_router,
        loa_operator_router,
        verification_router,
        verification_operator,
    ):
        app.include_router(router, prefix=API_PREFIX)
