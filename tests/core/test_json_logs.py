"""``NUMREP_LOG_FORMAT=json``: every stderr line of ``numrep serve`` is JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from numrep.phone.e164 import mask
from numrep.settings import Settings
from tests.conftest import AccountKeys, live_env
from tests.support.live import LiveServer

US_NUMBER = "+15125550143"
REQUIRED_KEYS = {"timestamp", "level", "event", "request_id"}


@pytest.fixture(params=["one-process", "two-workers"])
def json_server(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> Iterator[LiveServer]:
    env = live_env(settings, NUMREP_LOG_FORMAT="json", NUMREP_LOG_LEVEL="INFO")
    server = LiveServer(
        env, tmp_path / "stderr.log", stdout_path=tmp_path / "stdout.log"
    )
    args = ("--workers", "2", "--no-worker") if request.param == "two-workers" else ()
    server.start(*args, timeout=180)
    yield server
    server.stop()


def stderr_records(server: LiveServer) -> list[dict[str, Any]]:
    """Stop the server so every line is written, then parse each stderr line."""
    server.stop()
    records = []
    for line in server.log_path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"stderr line is not JSON: {line!r}")
    return records


def test_stderr_json_and_masked(json_server: LiveServer, account: AccountKeys) -> None:
    with httpx.Client(
        base_url=json_server.base_url, headers=account.headers(), timeout=30
    ) as client:
        listed = client.get("/v2/enterprises", headers={"x-request-id": "rid-json-1"})
        invalid = client.get(f"/v2/enterprises/{US_NUMBER}")
    assert listed.status_code == 200
    assert invalid.status_code == 422
    records = stderr_records(json_server)

    assert records
    for record in records:
        assert set(record) >= REQUIRED_KEYS, record
    loggers = {record.get("logger") for record in records}
    assert "uvicorn.error" in loggers
    assert "numrep.app" in loggers
    requests = {
        record["request_id"]: record
        for record in records
        if record["event"] == "http.request"
    }
    assert requests["rid-json-1"]["status"] == 200
    rejected = requests[invalid.headers["x-request-id"]]
    assert rejected["status"] == 422
    assert rejected["path"] == f"/v2/enterprises/{mask(US_NUMBER)}"
    text = json_server.log_path.read_text()
    assert US_NUMBER not in text
    assert US_NUMBER[2:] not in text
