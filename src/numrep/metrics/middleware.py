"""ASGI middleware that counts HTTP requests and times them by route template."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from numrep.metrics import instruments

# The label of requests that matched no route. Raw paths would give every
# scanner's probe its own time series.
UNMATCHED_ROUTE = "unmatched"
# Any other method is labelled "other", since a client can send any token there.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    """Return the path template of the route that served the request.

    FastAPI 0.165 puts the route as declared in its router into
    ``scope["route"]``, without the prefix it was included with. The prefix is
    the part of the path in front of the segments the template matched.
    NOTE: a prefix with parameters would put their values in the label, but
    numrep's prefixes are fixed.
    """
    route: Any = scope.get("route")
    if route is None:
        return mount_template(scope)
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return UNMATCHED_ROUTE
    if ":path}" in template:
        # A path parameter spans a variable number of segments.
        return template
    segments = scope["path"].split("/")
    extra = len(segments) - len(template.split("/"))
    if extra <= 0:
        return template
    return "/".join(segments[: extra + 1]) + template


def mount_template(scope: Scope) -> str:
    """Return ``<mount path>/{path}`` for a mounted app, else ``unmatched``.

    A mount sets ``endpoint`` and extends ``root_path`` by its path, but sets
    no ``route``. NOTE: a mount path with parameters would put their values in
    the label, but numrep mounts only fixed paths.
    """
    if scope.get("endpoint") is None:
        return UNMATCHED_ROUTE
    mounted = scope.get("root_path", "").removeprefix(scope.get("app_root_path", ""))
    return f"{mounted}/{{path}}" if mounted else UNMATCHED_ROUTE


class HttpMetricsMiddleware:
    """Count each HTTP request by route template, method and status, and time it.

    The route is known only after the router ran, so the labels are set when the
    response is complete. A request that raises counts as a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Labelled children by label values, because looking one up in
        # prometheus_client costs about as much as the update itself. Routes are
        # templates, so the number of keys is bounded.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = route_template(scope)
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            self._timer(route, method).observe(time.perf_counter() - started)
            self._counter(route, method, status).inc()

    def _counter(self, route: str, method: str, status: int) -> Any:
        key = (route, method, status)
        child = self._counters.get(key)
        if child is None:
            child = instruments.HTTP_REQUESTS.labels(route, method, str(status))
            self._counters[key] = child
        return child

    def _timer(self, route: str, method: str) -> Any:
        key = (route, method)
        child = self._timers.get(key)
        if child is None:
            child = instruments.HTTP_REQUEST_DURATION.labels(route, method)
            self._timers[key] = child
        return child
