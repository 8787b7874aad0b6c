"""Log output of a live server: one JSON formatter, request ids and masking."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from numrep.core.logging import scrub_event
from numrep.phone.e164 import mask
from tests.conftest import AccountKeys
from tests.support.factories import enterprise_body
from tests.support.live import LiveServer

US_NUMBER = "+15125550143"
UK_NUMBER = "+442071838750"


@pytest.fixture
def json_log_server(live_server: LiveServer) -> tuple[LiveServer, int]:
    """Restart the live server with JSON logs at INFO; yield it and a log offset."""
    live_server.stop()
    live_server.env["NUMREP_LOG_FORMAT"] = "json"
    live_server.env["NUMREP_LOG_LEVEL"] = "INFO"
    offset = live_server.log_path.stat().st_size
    live_server.start()
    return live_server, offset


def read_lines(server: LiveServer, offset: int) -> list[str]:
    """Stop the server so every line is flushed, then return its new lines."""
    server.stop()
    text = server.log_path.read_bytes()[offset:].decode()
    return [line for line in text.splitlines() if line.strip()]


def parse(lines: list[str]) -> list[dict[str, Any]]:
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"log line is not JSON: {line!r}")
    return records


def test_library_lines_share_the_formatter(
    json_log_server: tuple[LiveServer, int],
) -> None:
    server, offset = json_log_server
    records = parse(read_lines(server, offset))

    for record in records:
        assert {"event", "level", "timestamp", "logger"} <= set(record)
    loggers = {record["logger"] for record in records}
    assert "dbos" in loggers
    assert "uvicorn.error" in loggers
    assert "numrep.app" in loggers
    # DBOS's own console handler would print its lines a second time.
    launched = [record for record in records if record["event"] == "DBOS launched!"]
    assert len(launched) == 1
    # numrep sets no Conductor key, so DBOS's hint at its hosted console is noise.
    assert not [record for record in records if "dbos.dev" in record["event"]]


def test_request_id_is_logged_and_returned(
    json_log_server: tuple[LiveServer, int], account: AccountKeys
) -> None:
    server, offset = json_log_server
    with httpx.Client(base_url=server.base_url, headers=account.headers()) as client:
        supplied = client.get(
            "/v2/enterprises", headers={"x-request-id": "rid-supplied-1"}
        )
        generated = client.get("/v2/no_such_path")
    assert supplied.headers["x-request-id"] == "rid-supplied-1"
    new_id = generated.headers["x-request-id"]
    assert new_id != "rid-supplied-1"

    requests = [
        r for r in parse(read_lines(server, offset)) if r["event"] == "http.request"
    ]
    by_id = {record["request_id"]: record for record in requests}
    assert by_id["rid-supplied-1"]["status"] == 200
    assert by_id["rid-supplied-1"]["path"] == "/v2/enterprises"
    assert by_id[new_id]["status"] == 404


def test_numbers_masked_and_keys_absent(
    json_log_server: tuple[LiveServer, int], account: AccountKeys
) -> None:
    server, offset = json_log_server
    with httpx.Client(base_url=server.base_url, headers=account.headers()) as client:
        created = client.post("/v2/enterprises", json=enterprise_body())
        assert created.status_code == 201
        assert client.get(f"/v2/enterprises/{US_NUMBER}").status_code == 422
        assert client.get(f"/v2/enterprises/{UK_NUMBER}").status_code == 422
        unknown_key = client.get(
            "/v2/enterprises", headers={"Authorization": f"Bearer {account.api_key}x"}
        )
        assert unknown_key.status_code == 401
    text = "\n".join(read_lines(server, offset))

    assert US_NUMBER not in text
    assert UK_NUMBER not in text
    assert US_NUMBER[2:] not in text
    assert mask(US_NUMBER) in text
    assert mask(UK_NUMBER) in text
    assert account.api_key not in text
    assert account.api_key.split("_", 2)[2] not in text
    assert "ana@example.com" not in text


def scrub(**event: Any) -> dict[str, Any]:
    return dict(scrub_event(None, "info", dict(event)))


def test_scrub_masks_numbers_everywhere() -> None:
    event = scrub(
        event=f"lookup of {US_NUMBER} and {UK_NUMBER}",
        path=f"/v2/numbers/{US_NUMBER}",
        numbers=[US_NUMBER, {"nested": "5125550143"}],
    )
    assert event["event"] == f"lookup of {mask(US_NUMBER)} and {mask(UK_NUMBER)}"
    assert event["path"] == f"/v2/numbers/{mask(US_NUMBER)}"
    assert event["numbers"] == [mask(US_NUMBER), {"nested": mask("5125550143")}]


def test_scrub_keeps_ids_with_digit_runs() -> None:
    request_id = "d5407b48-3557-4358-b9ae-2795056031a2"
    all_digits = "d5407b48-3557-4358-b9ae-279505603142"
    event = scrub(request_id=request_id, enterprise_id=all_digits)
    assert event["request_id"] == request_id
    assert event["enterprise_id"] == all_digits


def test_scrub_removes_keys_and_secrets() -> None:
    key = "nrk_0123abcd_Zm9vYmFyYmF6cXV4-_abc"
    event = scrub(
        event=f"Authorization: Bearer {key}",
        detail=f"bad key {key}",
        api_key=key,
        contact_email="ana@example.com",
    )
    assert event["event"] == "Authorization: Bearer [redacted]"
    assert event["detail"] == "bad key [redacted key]"
    assert event["api_key"] == "[redacted]"
    assert event["contact_email"] == "[redacted]"
