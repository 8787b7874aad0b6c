"""``GET /metrics`` of a live server: request counts, latency, token, workers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.multiprocess import MultiProcessCollector

from numrep.app import create_app
from numrep.settings import Settings
from tests.conftest import AccountKeys, live_env, make_settings
from tests.metrics.helpers import parse, scrape
from tests.support.live import LiveServer

REQUESTS = "numrep_http_requests_total"
DURATION = "numrep_http_request_duration_seconds"
US_NUMBER = "+15125550143"


def test_requests_counted_by_template(
    live_server: LiveServer, account: AccountKeys
) -> None:
    missing_id = uuid.uuid4()
    with httpx.Client(
        base_url=live_server.base_url, headers=account.headers(), timeout=30
    ) as client:
        assert client.get("/v2/enterprises").status_code == 200
        assert client.get("/v2/enterprises").status_code == 200
        assert client.get(f"/v2/enterprises/{missing_id}").status_code == 404
        assert client.get(f"/v2/enterprises/{US_NUMBER}").status_code == 422
        assert client.get("/v2/no_such_path").status_code == 404
    result = scrape(live_server.base_url)

    listing = {"route": "/v2/enterprises", "method": "GET"}
    one = {"route": "/v2/enterprises/{enterprise_id}", "method": "GET"}
    assert result.value(REQUESTS, **listing, status="200") == 2
    assert result.value(REQUESTS, **one, status="404") == 1
    assert result.value(REQUESTS, **one, status="422") == 1
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert result.value(REQUESTS, **unmatched) == 1
    routes = {sample.labels["route"] for sample in result.samples[REQUESTS]}
    for raw in (str(missing_id), US_NUMBER, "no_such_path"):
        assert not [route for route in routes if raw in route]

    assert result.types[DURATION] == "histogram"
    buckets = result.matching(f"{DURATION}_bucket", **listing)
    assert len(buckets) > 2
    counts = [sample.value for sample in buckets]
    assert counts == sorted(counts)
    infinite = [sample for sample in buckets if sample.labels["le"] == "+Inf"]
    assert infinite[0].value == 2
    assert result.value(f"{DURATION}_count", **listing) == 2
    assert result.value(f"{DURATION}_sum", **listing) > 0
    assert result.value(f"{DURATION}_count", **one) == 2


def test_metrics_absent_from_openapi(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    assert "/metrics" not in paths
    assert "/v2/enterprises" in paths
    assert app_client.get("/metrics").status_code == 200


def test_token_required_when_set(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        database_url, tmp_path / "data", metrics_token="metrics-test-token"
    )
    with TestClient(create_app(settings)) as client:
        missing = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer other"})
        right = client.get(
            "/metrics", headers={"Authorization": "Bearer metrics-test-token"}
        )

    assert missing.status_code == 401
    assert missing.json()["errors"][0]["code"] == "10001"
    assert "NUMREP_METRICS_TOKEN" in missing.json()["errors"][0]["detail"]
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["code"] == "10001"
    assert right.status_code == 200
    assert REQUESTS in right.text


@pytest.fixture
def two_worker_server(settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(
        live_env(settings, NUMREP_LOG_LEVEL="INFO"), tmp_path / "workers.log"
    )
    # Each worker process imports the app on its own, which is slow on a busy host.
    server.start("--workers", "2", "--no-worker", timeout=180)
    yield server
    server.stop()


def per_process_counts(folder: Path, route: str) -> dict[str, float]:
    """Read each process's counter file on its own: pid -> requests of ``route``."""
    counts: dict[str, float] = {}
    for file in folder.glob("counter_*.db"):
        pid = file.stem.removeprefix("counter_")
        for family in MultiProcessCollector.merge([str(file)]):
            for sample in family.samples:
                if sample.name == REQUESTS and sample.labels["route"] == route:
                    counts[pid] = counts.get(pid, 0.0) + sample.value
    return counts


def test_workers_summed_in_one_scrape(
    two_worker_server: LiveServer, settings: Settings, account: AccountKeys
) -> None:
    folder = settings.data_dir / "metrics"

    def request(_: int) -> int:
        # A new connection per request, so the kernel can hand it to either worker.
        response = httpx.get(
            f"{two_worker_server.base_url}/v2/enterprises",
            headers=account.headers(),
            timeout=30,
        )
        return response.status_code

    sent = 0
    counts: dict[str, float] = {}
    # /health succeeded once the first worker was up. The second may still start.
    deadline = time.monotonic() + 180
    with ThreadPoolExecutor(8) as pool:
        while time.monotonic() < deadline:
            statuses = list(pool.map(request, range(16)))
            assert statuses == [200] * 16
            sent += 16
            counts = per_process_counts(folder, "/v2/enterprises")
            if len([count for count in counts.values() if count > 0]) >= 2:
                break
    result = scrape(two_worker_server.base_url)

    assert len([count for count in counts.values() if count > 0]) == 2
    assert sum(counts.values()) == sent
    labels = {"route": "/v2/enterprises", "method": "GET", "status": "200"}
    assert result.value(REQUESTS, **labels) == sent


def test_mount_and_prefix_templates(app_client: TestClient) -> None:
    # The in-process registry is shared by every app of this test run, so the
    # checks compare two scrapes.
    before = parse(app_client.get("/metrics").text)
    assert app_client.get("/console/static/missing.css").status_code == 404
    assert app_client.get("/v2/enterprises").status_code == 401
    after = parse(app_client.get("/metrics").text)

    static = {"route": "/console/static/{path}", "method": "GET", "status": "404"}
    listing = {"route": "/v2/enterprises", "method": "GET", "status": "401"}
    for labels in (static, listing):
        assert after.value(REQUESTS, **labels) == before.value(REQUESTS, **labels) + 1


def test_unknown_method_labelled_other(app_client: TestClient) -> None:
    # uvicorn rejects unknown methods itself, but other ASGI servers pass them on.
    before = parse(app_client.get("/metrics").text)
    assert app_client.request("BREW", "/v2/enterprises").status_code == 405
    after = parse(app_client.get("/metrics").text)

    methods = {sample.labels["method"] for sample in after.samples[REQUESTS]}
    assert "BREW" not in methods
    other = {"route": "/v2/enterprises", "method": "other", "status": "405"}
    assert after.value(REQUESTS, **other) == before.value(REQUESTS, **other) + 1
