"""Crash safety and concurrent submits against a live server."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import sqlalchemy as sa

from numrep.core.db import create_db_engine
from numrep.network.sandbox_models import SandboxReview
from numrep.remediation.models import ReviewCase
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.remediation.test_pipeline import BUCKETS, PURPOSE, wait_for_status
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers


def _count(settings: Settings, query: sa.Select[Any]) -> int:
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(query) or 0)
    finally:
        engine.dispose()


def _submitted_cases(settings: Settings) -> int:
    return _count(
        settings,
        sa.select(sa.func.count())
        .select_from(ReviewCase)
        .where(ReviewCase.submitted_at.is_not(None)),
    )


def test_kill_during_tier1_loses_nothing(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
) -> None:
    numbers = us_numbers(600)
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    # Tier-1 reviews take about 30 simulated minutes: 5 s at this scale, long
    # enough to kill the server while they are open.
    # Operator cases (first_orion has no escalation) settle at a short deadline.
    server = live_server_with(
        NUMREP_SANDBOX_TIME_SCALE="0.003", NUMREP_TIER2_DEADLINE_HOURS="0.003"
    )
    path = f"{server.base_url}/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = httpx.post(
        path,
        json={"phone_numbers": numbers, "call_purpose": PURPOSE},
        headers=account.headers(),
        timeout=60,
    )
    assert created.status_code == 202, created.text
    request_id = created.json()["data"]["id"]

    deadline = time.monotonic() + 60
    while _submitted_cases(settings) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _submitted_cases(settings) > 0
    server.kill()
    server.start()
    with httpx.Client(headers=account.headers(), timeout=60) as http:
        assert http.get(f"{path}/{request_id}").json()["data"]["status"] in (
            "in_progress",
            "completed",
        )
        done = wait_for_status(
            lambda: http.get(f"{path}/{request_id}").json()["data"],
            "completed",
            timeout=240,
        )

    placed = [number for bucket in BUCKETS for number in done["results"][bucket]]
    assert sorted(placed) == sorted(numbers)
    automated_cases = _count(
        settings,
        sa.select(sa.func.count())
        .select_from(ReviewCase)
        .where(ReviewCase.review_id.is_not(None)),
    )
    sandbox_reviews = _count(
        settings, sa.select(sa.func.count()).select_from(SandboxReview)
    )
    assert automated_cases > 0
    assert sandbox_reviews == automated_cases


def test_concurrent_submits_accept_each_number_once(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
) -> None:
    pool = us_numbers(105)
    enterprise_id = approved_enterprise(settings, account.account_id, pool)
    # At this scale no review decides during the test, so nothing is released.
    server = live_server_with(NUMREP_SANDBOX_TIME_SCALE="1")
    path = f"{server.base_url}/v2/enterprises/{enterprise_id}/reputation/remediation"
    batches = [pool[index * 5 : index * 5 + 10] for index in range(20)]

    def submit(batch: list[str]) -> httpx.Response:
        return httpx.post(
            path,
            json={"phone_numbers": batch, "call_purpose": PURPOSE},
            headers=account.headers(),
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=20) as executor:
        responses = list(executor.map(submit, batches))

    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {202, 409}, statuses
    assert statuses[202] >= 1
    accepted: Counter[str] = Counter()
    for batch, response in zip(batches, responses, strict=True):
        if response.status_code == 202:
            accepted.update(batch)
    assert max(accepted.values()) == 1
    for batch, response in zip(batches, responses, strict=True):
        if response.status_code != 409:
            continue
        assert response.headers["x-should-retry"] == "false"
        pointers = [error["source"]["pointer"] for error in response.json()["errors"]]
        conflicting = [batch[int(pointer.rsplit("/", 1)[1])] for pointer in pointers]
        assert conflicting
        assert all(accepted[number] == 1 for number in conflicting)


def test_unreachable_networks_fail_request(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
) -> None:
    numbers = us_numbers(3)
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    # Port 9 on the loopback interface refuses connections, so every lookup fails.
    unreachable = json.dumps(
        [{"name": "hiya", "kind": "http", "base_url": "http://127.0.0.1:9"}]
    )
    server = live_server_with(
        NUMREP_NETWORKS=unreachable,
        NUMREP_NETWORK_RETRY_ATTEMPTS="1",
        NUMREP_NETWORK_RETRY_BASE_SECONDS="0",
    )
    path = f"{server.base_url}/v2/enterprises/{enterprise_id}/reputation/remediation"
    with httpx.Client(headers=account.headers(), timeout=60) as http:
        created = http.post(
            path, json={"phone_numbers": numbers, "call_purpose": PURPOSE}
        )
        assert created.status_code == 202
        request_id = created.json()["data"]["id"]
        failed = wait_for_status(
            lambda: http.get(f"{path}/{request_id}").json()["data"], "failed"
        )
        eligibility = http.post(
            f"{path}/eligibility", json={"phone_numbers": numbers}
        ).json()["data"]
    assert failed["results"] is None
    assert [entry["eligible"] for entry in eligibility] == [True, True, True]
