"""The HTTP connector against real local servers.

Three ``numrep sandbox-network serve`` processes return 429 and 503 on a share of
calls. pytest-httpserver plays adapters that fail in one fixed way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from numrep.core.db import Database
from numrep.network.base import NetworkError, ReviewOutcome
from numrep.network.config import HttpNetworkConfig, SandboxNetworkConfig
from numrep.network.gateway import NetworkGateway
from numrep.network.http import HttpConnector, parse_retry_after
from numrep.network.retry import RetryPolicy
from numrep.network.sandbox import SandboxConnector
from tests.network.helpers import phone_numbers, review_request
from tests.network.servers import SandboxNetworkServer
from tests.support.databases import SqliteTemplate
from tests.support.live import free_port

ConnectorFactory = Callable[..., HttpConnector]
NETWORKS = ("hiya", "first_orion", "tns")
SEED = "http-test"
HIYA_KEY = "hiya-adapter-token"
# Up to 15 calls per batch: with 40 % of calls failing, a batch fails for good
# about once in a billion.
PATIENT_RETRY = RetryPolicy(attempts=15, base_seconds=0.05, max_delay_seconds=1.5)


@pytest.fixture(scope="module")
def faulty_servers(
    sqlite_template: SqliteTemplate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, SandboxNetworkServer]]:
    """Hiya (bearer auth), First Orion and TNS, failing 40 % of calls (429 or 503)."""
    folder = tmp_path_factory.mktemp("sandbox-networks")
    options = ["--seed", SEED, "--error-rate", "0.2", "--throttle-rate", "0.2"]
    options += ["--retry-after", "0.2"]
    servers = {
        name: SandboxNetworkServer(
            name,
            database_url=sqlite_template.fresh(folder),
            log_path=folder / f"{name}.log",
            options=options,
            api_key=HIYA_KEY if name == "hiya" else None,
        )
        for name in NETWORKS
    }
    for server in servers.values():
        server.start()
    try:
        for server in servers.values():
            server.wait_ready()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def connector_for(server: SandboxNetworkServer, **options: object) -> HttpConnector:
    values: dict[str, object] = {"timeout_seconds": 10.0}
    if server.name == "hiya":
        values["api_key"] = HIYA_KEY
    values.update(options)
    config = HttpNetworkConfig(
        kind="http", name=server.name, base_url=server.base_url, **values
    )
    return HttpConnector(config)


@pytest.fixture
def gateway(
    faulty_servers: dict[str, SandboxNetworkServer],
) -> Iterator[NetworkGateway]:
    connectors = [connector_for(server) for server in faulty_servers.values()]
    yield NetworkGateway(connectors, retry=PATIENT_RETRY)
    for connector in connectors:
        connector.close()


def test_lookup_through_faults(
    gateway: NetworkGateway,
    faulty_servers: dict[str, SandboxNetworkServer],
    sqlite_database: Database,
) -> None:
    numbers = phone_numbers(1000)

    results = gateway.lookup(numbers)

    assert set(results) == set(NETWORKS)
    for name in NETWORKS:
        assert [result.phone_number for result in results[name]] == numbers
        local = SandboxConnector(
            SandboxNetworkConfig(name=name, seed=SEED), sqlite_database
        )
        expected = [local.profile(number) for number in numbers]
        assert [r.flagged for r in results[name]] == [p.flagged for p in expected]
        assert [r.label for r in results[name]] == [p.label for p in expected]
    logs = "".join(server.log() for server in faulty_servers.values())
    assert "simulated 429" in logs
    assert "simulated 503" in logs


def test_reviews_idempotent_over_http(gateway: NetworkGateway) -> None:
    requests = [review_request(n) for n in phone_numbers(120, area="415")]

    first = gateway.open_reviews("hiya", requests)
    second = gateway.open_reviews("hiya", requests)
    collected = gateway.collect("hiya", [status.review_id for status in first])

    assert [s.review_id for s in first] == [s.review_id for s in second]
    assert len({s.review_id for s in first}) == 120
    assert [s.review_id for s in collected] == [s.review_id for s in first]
    assert {s.outcome for s in first} == {ReviewOutcome.PENDING}


def test_escalate_over_http(gateway: NetworkGateway) -> None:
    number = phone_numbers(1, area="646")[0]

    escalated = gateway.escalate("tns", [review_request(number, tier=2, network="tns")])

    assert escalated[0].phone_number == number
    assert escalated[0].review_id.startswith("sbx_")


def test_escalate_refused_is_final(gateway: NetworkGateway) -> None:
    # The connector is configured with escalation, but the server has none.
    request = review_request("+16465550001", tier=2, network="first_orion")

    with pytest.raises(NetworkError) as caught:
        gateway.escalate("first_orion", [request])

    assert caught.value.retryable is False
    assert "422" in str(caught.value)


def test_unknown_review_is_final(gateway: NetworkGateway) -> None:
    with pytest.raises(NetworkError) as caught:
        gateway.collect("tns", ["sbx_unknown"])

    assert caught.value.retryable is False
    assert "404" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.HTTPStatusError)


def test_fetch_info(faulty_servers: dict[str, SandboxNetworkServer]) -> None:
    with connector_for(faulty_servers["hiya"]) as hiya:
        hiya_info = hiya.fetch_info()
    with connector_for(faulty_servers["first_orion"]) as first_orion:
        first_orion_info = first_orion.fetch_info()

    assert hiya_info.name == "hiya"
    assert hiya_info.supports_escalation is True
    assert hiya_info.max_batch == 100
    assert first_orion_info.name == "first_orion"
    assert first_orion_info.supports_escalation is False


def test_missing_bearer_token(faulty_servers: dict[str, SandboxNetworkServer]) -> None:
    connector = connector_for(faulty_servers["hiya"], api_key=None)

    with connector, pytest.raises(NetworkError) as caught:
        connector.fetch_info()

    assert caught.value.retryable is False
    assert "401" in str(caught.value)


def test_wrong_bearer_token(faulty_servers: dict[str, SandboxNetworkServer]) -> None:
    connector = connector_for(faulty_servers["hiya"], api_key="not-the-token")

    with connector, pytest.raises(NetworkError) as caught:
        connector.fetch_info()

    assert caught.value.retryable is False


@pytest.fixture
def local_connector(httpserver: HTTPServer) -> Iterator[ConnectorFactory]:
    """Build HTTP connectors to pytest-httpserver and close them afterwards."""
    built: list[HttpConnector] = []

    def build(**options: object) -> HttpConnector:
        config = HttpNetworkConfig(
            kind="http", name="hiya", base_url=httpserver.url_for("/adapter"), **options
        )
        built.append(HttpConnector(config))
        return built[-1]

    yield build
    for connector in built:
        connector.close()


def test_429_maps_retry_after(
    httpserver: HTTPServer, local_connector: ConnectorFactory
) -> None:
    httpserver.expect_request("/adapter/lookup", method="POST").respond_with_json(
        {"error": {"code": "throttled", "message": "slow down"}},
        status=429,
        headers={"Retry-After": "7"},
    )

    with pytest.raises(NetworkError) as caught:
        local_connector().lookup(["+13125550001"])

    assert caught.value.retryable is True
    assert caught.value.retry_after_seconds == 7.0
    assert isinstance(caught.value.__cause__, httpx.HTTPStatusError)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_retryable(
    httpserver: HTTPServer, local_connector: ConnectorFactory, status: int
) -> None:
    httpserver.expect_request("/adapter/lookup").respond_with_data(
        "down", status=status
    )

    with pytest.raises(NetworkError) as caught:
        local_connector().lookup(["+13125550001"])

    assert caught.value.retryable is True
    assert str(status) in str(caught.value)


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_4xx_final(
    httpserver: HTTPServer, local_connector: ConnectorFactory, status: int
) -> None:
    httpserver.expect_request("/adapter/lookup").respond_with_data("no", status=status)

    with pytest.raises(NetworkError) as caught:
        local_connector().lookup(["+13125550001"])

    assert caught.value.retryable is False
    assert isinstance(caught.value.__cause__, httpx.HTTPStatusError)


def test_timeout_retryable(
    httpserver: HTTPServer, local_connector: ConnectorFactory
) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(0.5)
        return Response('{"results": []}', content_type="application/json")

    httpserver.expect_request("/adapter/lookup").respond_with_handler(slow)
    connector = local_connector(timeout_seconds=0.1)

    with pytest.raises(NetworkError) as caught:
        connector.lookup(["+13125550001"])

    assert caught.value.retryable is True
    assert "timed out" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)


def test_connection_refused_retryable() -> None:
    config = HttpNetworkConfig(
        kind="http", name="tns", base_url=f"http://127.0.0.1:{free_port()}"
    )

    with HttpConnector(config) as connector, pytest.raises(NetworkError) as caught:
        connector.lookup(["+13125550001"])

    assert caught.value.retryable is True
    assert caught.value.network == "tns"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_invalid_body_final(
    httpserver: HTTPServer, local_connector: ConnectorFactory
) -> None:
    httpserver.expect_request("/adapter/lookup").respond_with_json({"rows": []})

    with pytest.raises(NetworkError) as caught:
        local_connector().lookup(["+13125550001"])

    assert caught.value.retryable is False
    assert "invalid /lookup response" in str(caught.value)


def test_review_count_mismatch_final(
    httpserver: HTTPServer, local_connector: ConnectorFactory
) -> None:
    httpserver.expect_request("/adapter/reviews").respond_with_json({"reviews": []})

    with pytest.raises(NetworkError) as caught:
        local_connector().open_reviews([review_request("+13125550001")])

    assert caught.value.retryable is False
    assert "returned 0 items" in str(caught.value)


def test_request_body_and_auth(
    httpserver: HTTPServer, local_connector: ConnectorFactory
) -> None:
    request = review_request("+13125550001")
    httpserver.expect_request(
        "/adapter/reviews",
        method="POST",
        headers={"Authorization": "Bearer adapter-secret"},
        json={
            "reviews": [
                {
                    "phone_number": request.phone_number,
                    "idempotency_key": request.idempotency_key,
                    "tier": 1,
                    "call_purpose": request.call_purpose,
                    "enterprise_name": request.enterprise_name,
                    "contact_email": request.contact_email,
                }
            ]
        },
    ).respond_with_json(
        {
            "reviews": [
                {
                    "review_id": "vendor-1",
                    "idempotency_key": request.idempotency_key,
                    "phone_number": request.phone_number,
                    "outcome": "cleared",
                    "decided_at": "2026-01-02T03:04:05Z",
                }
            ]
        }
    )
    connector = local_connector(api_key="adapter-secret")

    status = connector.open_reviews([request])[0]

    assert status.review_id == "vendor-1"
    assert status.outcome is ReviewOutcome.CLEARED
    assert status.decided_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_parse_retry_after_forms() -> None:
    soon = datetime.now(UTC) + timedelta(seconds=30)

    assert parse_retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert parse_retry_after(httpx.Headers({"Retry-After": "0.5"})) == 0.5
    from_date = parse_retry_after(httpx.Headers({"Retry-After": format_datetime(soon)}))
    assert from_date is not None
    assert 25 <= from_date <= 31
    assert parse_retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert parse_retry_after(httpx.Headers({"Retry-After": "inf"})) is None
    assert parse_retry_after(httpx.Headers()) is None


def test_config_rejects_relative_url() -> None:
    with pytest.raises(ValueError, match="not an absolute"):
        HttpNetworkConfig(kind="http", name="hiya", base_url="adapter.local/v1")


def test_api_key_not_in_repr() -> None:
    config = HttpNetworkConfig(
        kind="http", name="hiya", base_url="http://127.0.0.1:1", api_key="s3cret"
    )

    assert "s3cret" not in repr(config)
