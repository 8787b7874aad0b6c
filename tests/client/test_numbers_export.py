"""``numrep numbers export`` against a live server, with and without history."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx

from numrep.settings import Settings
from tests.client.support import all_pages, client_args, parse_csv, read_csv, run_cli
from tests.conftest import AccountKeys
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers


def refresh(http: httpx.Client, enterprise_id: object, numbers: list[str]) -> None:
    response = http.post(
        f"/v2/enterprises/{enterprise_id}/reputation/numbers/refresh",
        json={"phone_numbers": numbers},
    )
    assert response.status_code == 200, response.text


def test_numbers_export_current_and_history(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
    tmp_path: Path,
) -> None:
    numbers = us_numbers(3, area_code="406")
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    server = live_server_with(NUMREP_RUN_WORKER="false")
    base = f"/v2/enterprises/{enterprise_id}/reputation/numbers"
    with httpx.Client(
        base_url=server.base_url, headers=account.headers(), timeout=60
    ) as http:
        refresh(http, enterprise_id, numbers)
        refresh(http, enterprise_id, numbers[:1])
        listed = all_pages(http, base)
        histories = {
            number: all_pages(http, f"{base}/{number}/history") for number in numbers
        }
    args = ["--enterprise", str(enterprise_id), *client_args(server.base_url, account)]
    output = tmp_path / "numbers.csv"

    current = run_cli("numbers", "export", "--output", str(output), *args)
    history = run_cli("numbers", "export", "--history", *args)

    assert current.exit_code == 0, current.output
    rows = read_csv(output)
    assert [row["phone_number"] for row in rows] == [
        item["phone_number"] for item in listed
    ]
    for row, item in zip(rows, listed, strict=True):
        data = item["reputation_data"]
        assert row["spam_risk"] == (data["spam_risk"] or "")
        assert row["maturity_score"] == str(data["maturity_score"])
        assert row["last_refreshed_at"] == data["last_refreshed_at"]
    assert history.exit_code == 0, history.output
    snapshot_rows = parse_csv(history.stdout)
    expected = [
        (number, snapshot["taken_at"], snapshot["networks"])
        for number in [item["phone_number"] for item in listed]
        for snapshot in histories[number]
    ]
    assert [
        (row["phone_number"], row["taken_at"], json.loads(row["networks"]))
        for row in snapshot_rows
    ] == expected
    assert len(snapshot_rows) == 4
