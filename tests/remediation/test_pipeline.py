"""Remediation end to end: a live server, its worker and the sandbox networks."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.onboarding import approved_enterprise

EXAMPLE_NUMBERS = ["+19493253498", "+12134445566"]
PURPOSE = "Appointment reminders for our dental clinic."
BUCKETS = ("remediated", "not_flagged", "requires_review", "ineligible", "refused")


def wait_for_status(
    fetch: Any, wanted: str, *, timeout: float = 90.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = fetch()
        if last["status"] == wanted:
            return last
        time.sleep(0.3)
    raise AssertionError(f"status stayed {last.get('status')!r}: {last}")


def assert_one_bucket_each(data: dict[str, Any], numbers: list[str]) -> None:
    results = data["results"]
    assert results is not None
    assert sorted(results) == sorted(BUCKETS)
    placed = [number for bucket in BUCKETS for number in results[bucket]]
    assert sorted(placed) == sorted(numbers)


def test_sdk_example_completes(
    sdk: Any, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, EXAMPLE_NUMBERS)
    created = sdk.enterprises.reputation.remediation.create(
        str(enterprise_id),
        call_purpose=PURPOSE,
        phone_numbers=EXAMPLE_NUMBERS,
        contact_email="ops@example.com",
        webhook_url="https://example.com/webhooks/remediation",
    )
    assert created.data.status == "pending"
    assert created.data.results is None

    def fetch() -> dict[str, Any]:
        found = sdk.enterprises.reputation.remediation.retrieve(
            created.data.id, enterprise_id=str(enterprise_id)
        )
        return dict(found.data.model_dump())

    done = wait_for_status(fetch, "completed")
    assert_one_bucket_each(done, EXAMPLE_NUMBERS)
    assert done["tier1_completed_at"] is not None
    assert done["phone_numbers_count"] == 2


def test_list_shows_request_slim(
    http: httpx.Client, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, EXAMPLE_NUMBERS)
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = http.post(
        path, json={"phone_numbers": EXAMPLE_NUMBERS, "call_purpose": PURPOSE}
    )
    assert created.status_code == 202
    listed = http.get(path).json()
    assert listed["meta"]["total_results"] == 1
    item = listed["data"][0]
    assert item["id"] == created.json()["data"]["id"]
    assert "results" not in item
    assert "webhook_url" not in item
    assert "phone_numbers_submitted" not in item
    request_id = uuid.UUID(item["id"])
    wait_for_status(
        lambda: http.get(f"{path}/{request_id}").json()["data"], "completed"
    )
