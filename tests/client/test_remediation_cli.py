"""``numrep remediation submit`` and ``export`` against live servers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from numrep.settings import Settings
from tests.client.support import (
    all_pages,
    client_args,
    parse_csv,
    read_csv,
    run_cli,
    scenario_networks,
)
from tests.conftest import AccountKeys
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers

PURPOSE = "Appointment reminders for our dental clinic."
CREATED = re.compile(r"created remediation request (\S+)")


@contextmanager
def http_client(server: LiveServer, account: AccountKeys) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.base_url, headers=account.headers(), timeout=60
    ) as client:
        yield client


def remediation_path(enterprise_id: object) -> str:
    return f"/v2/enterprises/{enterprise_id}/reputation/remediation"


def submit(http: httpx.Client, enterprise_id: object, numbers: list[str]) -> str:
    response = http.post(
        remediation_path(enterprise_id),
        json={"phone_numbers": numbers, "call_purpose": PURPOSE},
    )
    assert response.status_code == 202, response.text
    request_id: str = response.json()["data"]["id"]
    return request_id


def wait_completed(
    http: httpx.Client, enterprise_id: object, request_id: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    data: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = http.get(f"{remediation_path(enterprise_id)}/{request_id}")
        data = response.json()["data"]
        if data["status"] == "completed":
            return data
        time.sleep(0.5)
    raise AssertionError(f"request {request_id} stayed {data.get('status')!r}")


def per_number_view(
    http: httpx.Client, enterprise_id: object, request_id: str
) -> list[dict[str, Any]]:
    path = f"{remediation_path(enterprise_id)}/{request_id}/numbers"
    return all_pages(http, path)


def completed_request(
    server: LiveServer, account: AccountKeys, enterprise_id: object, numbers: list[str]
) -> tuple[str, list[dict[str, Any]]]:
    with http_client(server, account) as http:
        request_id = submit(http, enterprise_id, numbers)
        wait_completed(http, enterprise_id, request_id)
        return request_id, per_number_view(http, enterprise_id, request_id)


def test_submit_skips_cooldown_and_in_flight(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
    tmp_path: Path,
) -> None:
    numbers = us_numbers(14, area_code="303")
    earlier, in_flight = numbers[:10], numbers[10:12]
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    worker = live_server_with(NUMREP_NETWORKS=scenario_networks(tmp_path))
    _, reviewed = completed_request(worker, account, enterprise_id, earlier)
    worker.stop()
    cooling = {
        item["phone_number"]: item["next_eligible_at"]
        for item in reviewed
        if item["next_eligible_at"] is not None
    }
    assert cooling, "no number of the first request was reviewed by a network"
    # Without a worker the second request stays pending, so its numbers stay
    # in flight while the command runs.
    idle = live_server_with(NUMREP_RUN_WORKER="false")
    with http_client(idle, account) as http:
        pending_id = submit(http, enterprise_id, in_flight)
    csv_path = tmp_path / "submit.csv"
    csv_path.write_text("phone\n" + "\n".join(n[2:] for n in numbers) + "\nbad\n")
    report = tmp_path / "skipped.csv"

    result = run_cli(
        "remediation",
        "submit",
        str(csv_path),
        "--enterprise",
        str(enterprise_id),
        "--purpose",
        PURPOSE,
        "--contact-email",
        "ops@example.com",
        "--report",
        str(report),
        *client_args(idle.base_url, account),
    )

    assert result.exit_code == 0, result.output
    created = CREATED.findall(result.stdout)
    assert len(created) == 1
    expected = [n for n in numbers if n not in cooling and n not in in_flight]
    with http_client(idle, account) as http:
        sent = per_number_view(http, enterprise_id, created[0])
    assert [item["phone_number"] for item in sent] == expected
    rows = {row["phone_number"]: row for row in read_csv(report)}
    assert set(rows) == set(cooling) | set(in_flight) | {""}
    for number, eligible_from in cooling.items():
        assert rows[number]["reason"] == "cooldown"
        assert rows[number]["eligible_from"] == eligible_from
        assert f"skipped {number}: cooldown, eligible from" in result.stdout
    for number in in_flight:
        assert rows[number]["reason"] == "in_flight"
        assert rows[number]["remediation_id"] == pending_id
    assert rows[""]["input"] == "bad"
    assert f"submitted: {len(expected)}, skipped: {len(cooling) + 2}" in result.stdout


def test_submit_nothing_eligible_fails(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
    tmp_path: Path,
) -> None:
    numbers = us_numbers(2, area_code="303")
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    idle = live_server_with(NUMREP_RUN_WORKER="false")
    with http_client(idle, account) as http:
        pending_id = submit(http, enterprise_id, numbers)
    csv_path = tmp_path / "again.csv"
    csv_path.write_text("\n".join(numbers) + "\n" + us_numbers(1, start=50)[0] + "\n")

    result = run_cli(
        "remediation",
        "submit",
        str(csv_path),
        "--enterprise",
        str(enterprise_id),
        "--purpose",
        PURPOSE,
        *client_args(idle.base_url, account),
    )

    assert result.exit_code == 1
    assert "no number could be submitted" in result.stderr
    assert f"in_flight (request {pending_id})" in result.stdout
    assert "not_registered" in result.stdout
    with http_client(idle, account) as http:
        listed = http.get(remediation_path(enterprise_id)).json()
    assert listed["meta"]["total_results"] == 1


def test_export_matches_per_number_view(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
    tmp_path: Path,
) -> None:
    numbers = us_numbers(10, area_code="720")
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    server = live_server_with(NUMREP_NETWORKS=scenario_networks(tmp_path))
    request_id, view = completed_request(server, account, enterprise_id, numbers)
    states = {item["state"] for item in view}
    assert states == {"remediated", "not_flagged", "refused", "requires_review"}
    args = client_args(server.base_url, account)
    json_path = tmp_path / "export.json"

    as_json = run_cli(
        "remediation", "export", request_id, "--format", "json",
        "--output", str(json_path), *args,
    )  # fmt: skip
    as_csv = run_cli("remediation", "export", request_id, "--format", "csv", *args)

    assert as_json.exit_code == 0, as_json.output
    assert json.loads(json_path.read_text()) == view
    assert as_csv.exit_code == 0, as_csv.output
    rows = parse_csv(as_csv.stdout)
    expected_rows = [
        (item["phone_number"], item["state"], review["network"], str(review["tier"]))
        for item in view
        for review in item["networks"]
    ] + [
        (item["phone_number"], item["state"], "", "")
        for item in view
        if not item["networks"]
    ]
    assert sorted(
        (row["phone_number"], row["outcome"], row["network"], row["tier"])
        for row in rows
    ) == sorted(expected_rows)
    assert {row["phone_number"] for row in rows} == set(numbers)


def test_export_unknown_request(
    live_server: LiveServer, settings: Settings, account: AccountKeys
) -> None:
    approved_enterprise(settings, account.account_id, [])
    missing = "00000000-0000-4000-8000-000000000000"
    result = run_cli(
        "remediation", "export", missing, *client_args(live_server.base_url, account)
    )
    assert result.exit_code == 2
    assert f"remediation request {missing} was not found" in result.stderr
