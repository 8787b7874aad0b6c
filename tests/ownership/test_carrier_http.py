"""The HTTP carrier lookup against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from numrep.ownership.carrier import CarrierLookupError, CarrierRecord
from numrep.ownership.carrier_http import HttpCarrierLookup
from numrep.ownership.config import HttpCarrierConfig

NUMBERS = ["+15125550001", "+15125550002", "+15125550003"]


def _lookup(httpserver: HTTPServer, **options: object) -> HttpCarrierLookup:
    config = HttpCarrierConfig.model_validate(
        {
            "kind": "http",
            "url": httpserver.url_for("/lookup"),
            "token": "lookup-token",
            "retry_base_seconds": 0,
            **options,
        }
    )
    return HttpCarrierLookup(config)


def _answer(request: Request) -> Response:
    numbers = json.loads(request.get_data())["phone_numbers"]
    data = [
        {
            "phone_number": number,
            "spid": "A" + number[-3:],
            "carrier_name": f"Carrier {number[-1]}",
            "disconnected": number.endswith("3"),
        }
        for number in numbers
        if not number.endswith("9")
    ]
    return Response(json.dumps({"data": data}), content_type="application/json")


def test_lookup_parses_answers(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/lookup",
        method="POST",
        headers={"Authorization": "Bearer lookup-token"},
    ).respond_with_handler(_answer)
    found = _lookup(httpserver).lookup([*NUMBERS, "+15125550009"])
    assert found == {
        "+15125550001": CarrierRecord("A001", "Carrier 1", False),
        "+15125550002": CarrierRecord("A002", "Carrier 2", False),
        "+15125550003": CarrierRecord("A003", "Carrier 3", True),
    }
    [(request, _)] = httpserver.log
    assert json.loads(request.get_data()) == {
        "phone_numbers": [*NUMBERS, "+15125550009"]
    }


def test_lookup_splits_batches(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/lookup", method="POST").respond_with_handler(_answer)
    found = _lookup(httpserver, max_batch=2).lookup(NUMBERS)
    assert sorted(found) == NUMBERS
    sent = [
        json.loads(request.get_data())["phone_numbers"] for request, _ in httpserver.log
    ]
    assert sent == [NUMBERS[:2], NUMBERS[2:]]


def test_lookup_retries_5xx(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/lookup").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/lookup").respond_with_data("down", status=502)
    httpserver.expect_ordered_request("/lookup").respond_with_handler(_answer)
    found = _lookup(httpserver, max_attempts=3).lookup(NUMBERS[:1])
    assert found["+15125550001"].spid == "A001"
    assert len(httpserver.log) == 3


def test_lookup_gives_up_after_attempts(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/lookup").respond_with_data("busy", status=503)
    with pytest.raises(CarrierLookupError, match="after 2 attempts"):
        _lookup(httpserver, max_attempts=2).lookup(NUMBERS)
    assert len(httpserver.log) == 2


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A server that serves the retry while the first request still sleeps."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_lookup_retries_timeout(threaded_server: HTTPServer) -> None:
    released = threading.Event()
    calls: list[int] = []

    def slow_then_fast(request: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            # Hold the first reply until the client has given up on it.
            released.wait(30)
        else:
            released.set()
        return _answer(request)

    threaded_server.expect_request("/lookup").respond_with_handler(slow_then_fast)
    lookup = _lookup(threaded_server, timeout_seconds=0.3, max_attempts=2)
    found = lookup.lookup(NUMBERS[:1])
    assert found["+15125550001"].spid == "A001"
    assert len(calls) == 2


@pytest.mark.parametrize("status", [400, 401, 404])
def test_lookup_4xx_fails_at_once(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/lookup").respond_with_data("no", status=status)
    with pytest.raises(CarrierLookupError, match=f"HTTP {status}"):
        _lookup(httpserver, max_attempts=3).lookup(NUMBERS)
    assert len(httpserver.log) == 1


@pytest.mark.parametrize(
    "body",
    ["not json", '{"data": [{"phone_number": "+15125550001"}]}', '{"items": []}'],
)
def test_lookup_malformed_body_fails(httpserver: HTTPServer, body: str) -> None:
    httpserver.expect_request("/lookup").respond_with_data(body, status=200)
    with pytest.raises(CarrierLookupError, match="malformed"):
        _lookup(httpserver).lookup(NUMBERS)


def test_config_rejects_non_http_url() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        HttpCarrierConfig.model_validate({"kind": "http", "url": "ftp://x/lookup"})
