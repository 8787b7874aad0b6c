"""A 2,000-number request whose scenario reaches every result bucket."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.remediation.test_pipeline import BUCKETS, PURPOSE, wait_for_status
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers

SCENARIO = Path(__file__).resolve().parents[2] / "docs/examples/scenario.json"

# What the example scenario does with a number, by its last digit, on the three
# default networks (first_orion has no escalation, so its tier-2 cases go to an
# operator, who clears those of numbers ending in 4 and 9 in this test).
EXPECTED_BY_SUFFIX = {
    "0": "not_flagged",
    "1": "not_flagged",
    "2": "remediated",
    "3": "remediated",
    "4": "remediated",
    "5": "refused",
    "6": "requires_review",
    "7": "requires_review",
    "8": "remediated",
    "9": "remediated",
}


def _networks(scenario: Path) -> str:
    return json.dumps(
        [
            {"name": name, "kind": "sandbox", "scenario_file": str(scenario)}
            for name in ("hiya", "first_orion", "tns")
        ]
    )


def _bucket_of(results: dict[str, list[str]]) -> dict[str, str]:
    return {number: bucket for bucket in BUCKETS for number in results[bucket]}


def _clear_operator_cases(http: httpx.Client, headers: dict[str, str]) -> int:
    """Clear every open operator case once tier 1 has escalated them."""
    cleared = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = http.get(
            "/v2/operator/review_cases",
            params={"page[size]": 250, "filter[network]": "first_orion"},
            headers=headers,
        ).json()
        ids = [case["id"] for case in page["data"]]
        if not ids and cleared:
            return cleared
        if ids:
            response = http.post(
                "/v2/operator/review_cases/decisions",
                json={"case_ids": ids, "decision": "cleared", "note": "cleared"},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            cleared += len(ids)
        time.sleep(0.3)
    return cleared


@pytest.mark.slow
def test_every_bucket_reached(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
    tmp_path: Path,
) -> None:
    scenario = tmp_path / "scenario.json"
    shutil.copyfile(SCENARIO, scenario)
    numbers = us_numbers(1990)
    cooling = [number for number in us_numbers(100, start=5000) if number[-1] == "2"]
    enterprise_id = approved_enterprise(settings, account.account_id, numbers + cooling)
    server = live_server_with(
        NUMREP_NETWORKS=_networks(scenario),
        NUMREP_TIER2_DEADLINE_HOURS="0.005",
    )
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    with httpx.Client(
        base_url=server.base_url, headers=account.headers(), timeout=60
    ) as http:
        first = http.post(
            path, json={"phone_numbers": cooling, "call_purpose": PURPOSE}
        )
        assert first.status_code == 202, first.text
        first_id = first.json()["data"]["id"]
        done = wait_for_status(
            lambda: http.get(f"{path}/{first_id}").json()["data"], "completed"
        )
        assert done["results"]["remediated"] == cooling

        batch = numbers + cooling
        assert len(batch) == 2000
        created = http.post(
            path, json={"phone_numbers": batch, "call_purpose": PURPOSE}
        )
        assert created.status_code == 202, created.text
        request_id = created.json()["data"]["id"]
        assert created.json()["data"]["phone_numbers_ineligible"] == len(cooling)

        operator = account.headers(operator=True)
        assert _clear_operator_cases(http, operator) > 0
        final: dict[str, Any] = wait_for_status(
            lambda: http.get(f"{path}/{request_id}").json()["data"],
            "completed",
            timeout=180,
        )

    assert final["phone_numbers_count"] == len(batch)
    assert final["phone_numbers_submitted"] == len(numbers)
    assert final["tier1_completed_at"] <= final["tier2_completed_at"]
    placed = _bucket_of(final["results"])
    assert sorted(placed) == sorted(batch)
    assert sum(len(final["results"][bucket]) for bucket in BUCKETS) == len(batch)
    for number in cooling:
        assert placed[number] == "ineligible"
    for number in numbers:
        assert placed[number] == EXPECTED_BY_SUFFIX[number[-1]], number
