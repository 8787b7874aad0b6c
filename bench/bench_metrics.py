"""Per-request cost of the HTTP metrics middleware on a trivial endpoint.

Calls one FastAPI app in process through ASGI, with and without
``HttpMetricsMiddleware``, in prometheus_client's multiprocess mode (files in a
temporary folder), as ``numrep serve`` runs it. Prints microseconds per
request and the ratio, and appends the result with the machine to
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI

from bench import report
from numrep.core.logging import configure_logging
from numrep.core.middleware import RequestContextMiddleware
from numrep.metrics.multiprocess import use_metrics_dir

HEADING = "## HTTP request metrics"
REQUESTS_PER_ROUND = 5_000
ROUNDS = 5


def build_app(*, with_metrics: bool) -> FastAPI:
    router = APIRouter()

    @router.get("/things/{thing_id}")
    def get_thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    app = FastAPI()
    app.include_router(router, prefix="/v2")
    app.add_middleware(RequestContextMiddleware)
    if with_metrics:
        from numrep.metrics.middleware import HttpMetricsMiddleware

        app.add_middleware(HttpMetricsMiddleware)
    return app


async def call(app: FastAPI, path: str) -> int:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def microseconds_per_request(app: FastAPI, count: int) -> float:
    assert await call(app, "/v2/things/warm-up") == 200
    started = time.perf_counter()
    for index in range(count):
        await call(app, f"/v2/things/{index}")
    return (time.perf_counter() - started) / count * 1e6


def measure(count: int, rounds: int) -> tuple[float, float]:
    """Return the median microseconds per request without and with metrics."""
    plain = build_app(with_metrics=False)
    metered = build_app(with_metrics=True)
    without: list[float] = []
    with_metrics: list[float] = []
    # Alternating rounds spreads the noise of a shared machine over both.
    for _ in range(rounds):
        without.append(asyncio.run(microseconds_per_request(plain, count)))
        with_metrics.append(asyncio.run(microseconds_per_request(metered, count)))
    return statistics.median(without), statistics.median(with_metrics)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=REQUESTS_PER_ROUND, help="Requests per round."
    )
    parser.add_argument(
        "--no-report", action="store_true", help="Do not append to the report."
    )
    args = parser.parse_args(argv)
    configure_logging(log_format="json", level="WARNING")

    with tempfile.TemporaryDirectory(prefix="numrep-bench-metrics-") as folder:
        use_metrics_dir(Path(folder), remove_stale=False)
        without, with_metrics = measure(args.requests, ROUNDS)

    ratio = with_metrics / without
    print(f"without metrics: {without:8.1f} us/request")
    print(f"with metrics:    {with_metrics:8.1f} us/request")
    print(f"ratio with / without: {ratio:.3f}")
    if not args.no_report:
        append_report(args.requests, without, with_metrics)
        print(f"appended to {report.REPORT}")


def append_report(requests: int, without: float, with_metrics: float) -> None:
    ratio = with_metrics / without
    report.append(
        HEADING,
        [
            f"- command: `{report.command('bench_metrics')}`",
            f"- machine: {report.machine()}",
            f"- workload: median of {ROUNDS} rounds of {requests} GET requests "
            "to a trivial endpoint, called in process through ASGI with "
            "RequestContextMiddleware, prometheus_client in multiprocess mode",
            "",
            "| middleware | us/request |",
            "|---|---|",
            f"| without metrics | {without:.1f} |",
            f"| with metrics | {with_metrics:.1f} |",
            "",
            f"Ratio with / without: {ratio:.3f} "
            f"(+{with_metrics - without:.1f} us per request).",
        ],
        source="bench/bench_metrics.py",
    )


if __name__ == "__main__":
    main()
