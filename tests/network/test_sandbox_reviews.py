"""Sandbox reviews: idempotency, scaled decision times, clearing and relabels."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.network.base import NetworkError, ReviewOutcome, ReviewStatus
from numrep.network.sandbox import SandboxConnector
from tests.network.helpers import (
    TEST_TIME_SCALE,
    SandboxFactory,
    count_reviews,
    open_database,
    phone_numbers,
    review_request,
    sandbox_factory,
    wait_until,
    write_scenario,
)

NUMBER = "+13125550142"


def scenario_sandbox(
    factory: SandboxFactory, folder: Path, name: str = "hiya", **fields: Any
) -> SandboxConnector:
    """A sandbox where NUMBER has exactly the given scenario fields."""
    path = write_scenario(folder, {"numbers": {NUMBER: fields}})
    return factory(name, scenario_file=path)


def decided(connector: SandboxConnector, status: ReviewStatus) -> ReviewStatus:
    """Poll until the review leaves pending, then return its status."""
    wait_until(
        lambda: (
            connector.collect([status.review_id])[0].outcome
            is not ReviewOutcome.PENDING
        )
    )
    return connector.collect([status.review_id])[0]


def test_open_repeated_key_one_row(sandbox: SandboxFactory, database: Database) -> None:
    connector = sandbox()
    request = review_request(NUMBER)

    first = connector.open_reviews([request])
    second = connector.open_reviews([request])

    assert first[0].review_id == second[0].review_id
    assert count_reviews(database, idempotency_key=request.idempotency_key) == 1


def test_open_repeated_key_in_one_batch(
    sandbox: SandboxFactory, database: Database
) -> None:
    request = review_request(NUMBER)

    statuses = sandbox().open_reviews([request, request])

    assert statuses[0].review_id == statuses[1].review_id
    assert count_reviews(database, idempotency_key=request.idempotency_key) == 1


def test_open_concurrent_same_key_one_row(
    sandbox: SandboxFactory, database: Database
) -> None:
    connector = sandbox()
    request = review_request(NUMBER)
    review_ids: list[str] = []
    start = threading.Barrier(6)

    def open_one() -> None:
        start.wait()
        review_ids.append(connector.open_reviews([request])[0].review_id)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(review_ids) == 6
    assert len(set(review_ids)) == 1
    assert count_reviews(database, idempotency_key=request.idempotency_key) == 1


def test_open_same_key_after_restart(database_url: str) -> None:
    request = review_request(NUMBER)
    first_db = open_database(database_url)
    first = sandbox_factory(first_db)().open_reviews([request])
    first_db.dispose()

    second_db = open_database(database_url)
    try:
        second = sandbox_factory(second_db)().open_reviews([request])
        rows = count_reviews(second_db, idempotency_key=request.idempotency_key)
    finally:
        second_db.dispose()

    assert first[0].review_id == second[0].review_id
    assert rows == 1


def test_open_key_scoped_per_network(
    sandbox: SandboxFactory, database: Database
) -> None:
    request = review_request(NUMBER)

    hiya = sandbox("hiya").open_reviews([request])
    tns = sandbox("tns").open_reviews([request])

    assert hiya[0].review_id != tns[0].review_id
    assert count_reviews(database, idempotency_key=request.idempotency_key) == 2


def test_open_key_reused_for_other_number(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox()
    first = review_request(NUMBER)
    connector.open_reviews([first])
    reused = replace(
        review_request("+13125550199"), idempotency_key=first.idempotency_key
    )

    with pytest.raises(NetworkError) as caught:
        connector.open_reviews([reused])

    assert caught.value.retryable is False
    assert first.idempotency_key in str(caught.value)


def test_review_pending_then_decided(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connector = scenario_sandbox(
        sqlite_sandbox, tmp_path, flagged=True, tier1="upheld", tier1_delay_minutes=20
    )
    opened_at = utcnow()

    status = connector.open_reviews([review_request(NUMBER)])[0]
    pending = connector.collect([status.review_id])[0]
    final = decided(connector, status)

    assert status.outcome is ReviewOutcome.PENDING
    assert pending.outcome is ReviewOutcome.PENDING
    assert pending.decided_at is None
    assert final.outcome is ReviewOutcome.UPHELD
    assert final.decided_at is not None
    scaled_delay = (final.decided_at - opened_at).total_seconds()
    assert scaled_delay == pytest.approx(20 * 60 * TEST_TIME_SCALE, abs=0.3)
    assert final.detail


def test_cleared_number_not_flagged(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connector = scenario_sandbox(
        sqlite_sandbox,
        tmp_path,
        flagged=True,
        label="Scam Likely",
        tier1="cleared",
        tier1_delay_minutes=10,
    )
    before = connector.lookup([NUMBER])[0]

    status = connector.open_reviews([review_request(NUMBER)])[0]
    final = decided(connector, status)
    after = connector.lookup([NUMBER])[0]

    assert before.flagged is True
    assert before.label == "Scam Likely"
    assert final.outcome is ReviewOutcome.CLEARED
    assert after.flagged is False
    assert after.label is None


def test_cleared_stays_cleared_after_restart(database_url: str, tmp_path: Path) -> None:
    fields = {"flagged": True, "tier1": "cleared", "tier1_delay_minutes": 0}
    path = write_scenario(tmp_path, {"numbers": {NUMBER: fields}})
    first_db = open_database(database_url)
    connector = sandbox_factory(first_db)(scenario_file=path)
    decided(connector, connector.open_reviews([review_request(NUMBER)])[0])
    first_db.dispose()

    second_db = open_database(database_url)
    try:
        after = sandbox_factory(second_db)(scenario_file=path).lookup([NUMBER])[0]
    finally:
        second_db.dispose()

    assert after.flagged is False


def test_cleared_only_at_that_network(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    hiya = scenario_sandbox(
        sqlite_sandbox, tmp_path, flagged=True, tier1="cleared", tier1_delay_minutes=0
    )
    tns = sqlite_sandbox("tns", scenario_file=tmp_path / "scenario.json")

    decided(hiya, hiya.open_reviews([review_request(NUMBER)])[0])

    assert hiya.lookup([NUMBER])[0].flagged is False
    assert tns.lookup([NUMBER])[0].flagged is True


def test_upheld_number_stays_flagged(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connector = scenario_sandbox(
        sqlite_sandbox, tmp_path, flagged=True, tier1="upheld", tier1_delay_minutes=0
    )

    decided(connector, connector.open_reviews([review_request(NUMBER)])[0])

    assert connector.lookup([NUMBER])[0].flagged is True


def test_relabel_flags_again(sqlite_sandbox: SandboxFactory, tmp_path: Path) -> None:
    connector = scenario_sandbox(
        sqlite_sandbox,
        tmp_path,
        flagged=True,
        label="Telemarketer",
        tier1="cleared",
        tier1_delay_minutes=10,
        relabel_after_minutes=30,
    )
    status = connector.open_reviews([review_request(NUMBER)])[0]
    final = decided(connector, status)
    assert final.decided_at is not None
    relabel_due = final.decided_at.timestamp() + 30 * 60 * TEST_TIME_SCALE

    cleared = connector.lookup([NUMBER])[0]
    wait_until(lambda: utcnow().timestamp() > relabel_due + 0.05)
    relabeled = connector.lookup([NUMBER])[0]

    assert cleared.flagged is False
    assert relabeled.flagged is True
    assert relabeled.label == "Telemarketer"


def test_relabel_rate_applies(sqlite_sandbox: SandboxFactory, tmp_path: Path) -> None:
    # The scenario fixes the clear, and the relabel comes from the network's rate.
    fields = {"flagged": True, "tier1": "cleared", "tier1_delay_minutes": 0}
    path = write_scenario(tmp_path, {"numbers": {NUMBER: fields}})
    relabeling = sqlite_sandbox(
        scenario_file=path, relabel_rate=1.0, relabel_after_minutes=0
    )
    steady = sqlite_sandbox("tns", scenario_file=path, relabel_rate=0.0)

    decided(relabeling, relabeling.open_reviews([review_request(NUMBER)])[0])
    decided(steady, steady.open_reviews([review_request(NUMBER, network="tns")])[0])

    assert relabeling.lookup([NUMBER])[0].flagged is True
    assert steady.lookup([NUMBER])[0].flagged is False


def test_escalation_decides_tier2(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connector = scenario_sandbox(
        sqlite_sandbox,
        tmp_path,
        flagged=True,
        tier1="upheld",
        tier2="needs_more_information",
        tier1_delay_minutes=0,
        tier2_delay_minutes=10,
    )
    tier1 = decided(connector, connector.open_reviews([review_request(NUMBER)])[0])

    escalated = connector.escalate([review_request(NUMBER, tier=2)])[0]
    tier2 = decided(connector, escalated)

    assert tier1.outcome is ReviewOutcome.UPHELD
    assert escalated.review_id != tier1.review_id
    assert tier2.outcome is ReviewOutcome.NEEDS_INFO


def test_escalation_never_answered(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    # The control review decides at once, which shows that time has passed.
    control_number = "+14155550100"
    numbers = {
        NUMBER: {"tier2": "none", "tier2_delay_minutes": 0},
        control_number: {"tier2": "upheld", "tier2_delay_minutes": 0},
    }
    connector = sqlite_sandbox(
        scenario_file=write_scenario(tmp_path, {"numbers": numbers})
    )
    escalated = connector.escalate([review_request(NUMBER, tier=2)])[0]
    control = connector.escalate([review_request(control_number, tier=2)])[0]
    decided_control = decided(connector, control)

    status = connector.collect([escalated.review_id])[0]

    assert decided_control.outcome is ReviewOutcome.UPHELD
    assert status.outcome is ReviewOutcome.PENDING
    assert status.decided_at is None


def test_escalate_unsupported_network(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox("first_orion")

    with pytest.raises(NetworkError) as caught:
        connector.escalate([review_request(NUMBER, tier=2, network="first_orion")])

    assert connector.info.supports_escalation is False
    assert caught.value.retryable is False
    assert caught.value.network == "first_orion"


def test_collect_unknown_review(sqlite_sandbox: SandboxFactory) -> None:
    with pytest.raises(NetworkError) as caught:
        sqlite_sandbox().collect(["sbx_unknown"])

    assert caught.value.retryable is False
    assert "sbx_unknown" in str(caught.value)


def test_collect_review_of_other_network(sqlite_sandbox: SandboxFactory) -> None:
    status = sqlite_sandbox("hiya").open_reviews([review_request(NUMBER)])[0]

    with pytest.raises(NetworkError) as caught:
        sqlite_sandbox("tns").collect([status.review_id])

    assert caught.value.retryable is False


def test_collect_keeps_order(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox()
    requests = [review_request(number) for number in phone_numbers(20)]
    opened = connector.open_reviews(requests)
    review_ids = [status.review_id for status in reversed(opened)]

    collected = connector.collect(review_ids)

    assert [status.review_id for status in collected] == review_ids
    numbers = [status.phone_number for status in collected]
    assert numbers == [request.phone_number for request in reversed(requests)]
