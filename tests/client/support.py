"""Helpers of the CSV command tests: running the CLI and preparing a server."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner, Result

from numrep.cli.main import app
from tests.conftest import AccountKeys

INVENTORY_BATCH = 1000


def run_cli(*args: str) -> Result:
    """Run ``numrep`` in this process; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def client_args(base_url: str, account: AccountKeys) -> list[str]:
    return ["--base-url", f"{base_url}/v2", "--api-key", account.api_key]


def add_inventory(
    http: httpx.Client, account: AccountKeys, numbers: Sequence[str]
) -> None:
    for start in range(0, len(numbers), INVENTORY_BATCH):
        response = http.post(
            f"/v2/operator/accounts/{account.account_id}/inventory",
            json={"phone_numbers": list(numbers[start : start + INVENTORY_BATCH])},
            headers=account.headers(operator=True),
        )
        assert response.status_code == 201, response.text


def all_pages(http: httpx.Client, path: str) -> list[dict[str, Any]]:
    """Every item of a paginated endpoint, read with the largest page size."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = http.get(path, params={"page[number]": page, "page[size]": 250})
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        if not body["data"] or page >= body["meta"]["total_pages"]:
            return items
        page += 1


def registered(http: httpx.Client, enterprise_id: object) -> set[str]:
    path = f"/v2/enterprises/{enterprise_id}/reputation/numbers"
    return {item["phone_number"] for item in all_pages(http, path)}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


# Outcomes fixed by the last digit of a number, so a request completes within
# seconds: 0-3 remediated, 4-5 not flagged, 6-7 refused, 8-9 requires review.
SCENARIO = {
    "rules": [
        {
            "match": {"pattern": r"\+1[0-9]{9}[0-3]"},
            "flagged": True,
            "tier1": "cleared",
            "tier1_delay_minutes": 1,
        },
        {"match": {"pattern": r"\+1[0-9]{9}[45]"}, "flagged": False},
        {
            "match": {"pattern": r"\+1[0-9]{9}[6-9]"},
            "flagged": True,
            "tier1": "upheld",
            "tier1_delay_minutes": 1,
            "tier2_delay_minutes": 1,
        },
        {"match": {"pattern": r"\+1[0-9]{9}[67]"}, "tier2": "upheld"},
        {"match": {"pattern": r"\+1[0-9]{9}[89]"}, "tier2": "needs_more_information"},
    ]
}


def scenario_networks(tmp_path: Path) -> str:
    """``NUMREP_NETWORKS`` of two escalating sandbox networks using ``SCENARIO``."""
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(SCENARIO))
    return json.dumps(
        [
            {"name": name, "kind": "sandbox", "scenario_file": str(scenario)}
            for name in ("hiya", "tns")
        ]
    )
