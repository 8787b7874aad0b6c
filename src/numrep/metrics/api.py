"""``GET /metrics``: the Prometheus text format, optionally behind a bearer token."""

from __future__ import annotations

import hmac

from fastapi import FastAPI, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from numrep.core.deps import Services
from numrep.core.errors import AuthenticationError
from numrep.metrics.collector import DatabaseCollector
from numrep.metrics.middleware import HttpMetricsMiddleware
from numrep.metrics.multiprocess import is_multiprocess

METRICS_PATH = "/metrics"


def install(app: FastAPI, services: Services) -> None:
    """Add the request metrics middleware and ``GET /metrics`` to ``app``."""
    settings = services.settings
    database = CollectorRegistry()
    if settings.metrics_database_gauges:
        database.register(
            DatabaseCollector(
                services.db.engine,
                cache_seconds=settings.metrics_database_cache_seconds,
            )
        )
    token = settings.metrics_token.get_secret_value()

    def read_metrics(request: Request) -> Response:
        if token:
            check_token(request.headers.get("authorization", ""), token)
        body = generate_latest(process_registry()) + generate_latest(database)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(HttpMetricsMiddleware)
    app.add_api_route(
        METRICS_PATH, read_metrics, methods=["GET"], include_in_schema=False
    )


def process_registry() -> CollectorRegistry:
    """Return the counters of every process of this host, or of this one alone."""
    if not is_multiprocess():
        return REGISTRY
    # A fresh registry per scrape reads the files of processes started since.
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def check_token(header: str, token: str) -> None:
    scheme, _, supplied = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not supplied.strip():
        raise AuthenticationError(
            "GET /metrics requires 'Authorization: Bearer <metrics token>'. The "
            "token is the NUMREP_METRICS_TOKEN setting of this server."
        )
    if not hmac.compare_digest(supplied.strip().encode(), token.encode()):
        raise AuthenticationError(
            "The metrics token is invalid. Send the NUMREP_METRICS_TOKEN setting "
            "of this server."
        )
