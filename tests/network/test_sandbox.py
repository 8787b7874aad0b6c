"""Sandbox lookups: derived results, determinism and simulated faults."""

from __future__ import annotations

import time

import pytest

from numrep.network.base import NetworkError
from numrep.network.sandbox_profile import LABELS
from tests.network.helpers import (
    SandboxFactory,
    answers,
    open_database,
    phone_numbers,
    sandbox_factory,
)

SCORE_FIELDS = ("maturity_score", "connection_score", "engagement_score")


def test_lookup_one_result_per_number(sqlite_sandbox: SandboxFactory) -> None:
    numbers = phone_numbers(100)

    results = sqlite_sandbox().lookup(numbers)

    assert [result.phone_number for result in results] == numbers
    assert {result.network for result in results} == {"hiya"}
    assert all(result.checked_at is not None for result in results)


def test_lookup_flags_about_thirty_percent(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox()
    numbers = phone_numbers(2000)

    results = [
        result
        for start in range(0, len(numbers), 100)
        for result in connector.lookup(numbers[start : start + 100])
    ]

    share = sum(result.flagged for result in results) / len(results)
    assert 0.25 <= share <= 0.35


def test_lookup_labels_only_flagged(sqlite_sandbox: SandboxFactory) -> None:
    known_labels = {label for label, _weight in LABELS}

    results = sqlite_sandbox().lookup(phone_numbers(100))

    flagged = [result for result in results if result.flagged]
    clean = [result for result in results if not result.flagged]
    assert flagged
    assert clean
    assert {result.label for result in flagged} <= known_labels
    assert {result.label for result in clean} == {None}


def test_lookup_scores_in_range(sqlite_sandbox: SandboxFactory) -> None:
    results = sqlite_sandbox().lookup(phone_numbers(100))

    for result in results:
        scores = [getattr(result, field) for field in SCORE_FIELDS]
        scores.append(result.sentiment_score)
        assert all(score is not None and 0 <= score <= 100 for score in scores)


def test_lookup_same_across_instances(sqlite_sandbox: SandboxFactory) -> None:
    numbers = phone_numbers(100)

    first = sqlite_sandbox(seed="alpha").lookup(numbers)
    second = sqlite_sandbox(seed="alpha").lookup(numbers)

    assert answers(first) == answers(second)


def test_lookup_same_after_reopen(database_url: str) -> None:
    numbers = phone_numbers(100)
    before_db = open_database(database_url)
    before = sandbox_factory(before_db)(seed="alpha").lookup(numbers)
    before_db.dispose()

    after_db = open_database(database_url)
    try:
        after = sandbox_factory(after_db)(seed="alpha").lookup(numbers)
    finally:
        after_db.dispose()

    assert answers(before) == answers(after)


def test_lookup_differs_by_seed(sqlite_sandbox: SandboxFactory) -> None:
    numbers = phone_numbers(100)

    alpha = sqlite_sandbox(seed="alpha").lookup(numbers)
    beta = sqlite_sandbox(seed="beta").lookup(numbers)

    changed = [a for a, b in zip(alpha, beta, strict=True) if a.flagged != b.flagged]
    assert changed
    assert answers(alpha) != answers(beta)


def test_lookup_differs_by_network(sqlite_sandbox: SandboxFactory) -> None:
    numbers = phone_numbers(100)

    hiya = sqlite_sandbox("hiya").lookup(numbers)
    tns = sqlite_sandbox("tns").lookup(numbers)

    flags_hiya = [result.flagged for result in hiya]
    flags_tns = [result.flagged for result in tns]
    assert flags_hiya != flags_tns


def test_integer_seed_equals_text(sqlite_sandbox: SandboxFactory) -> None:
    numbers = phone_numbers(50)

    as_int = sqlite_sandbox(seed=7).lookup(numbers)
    as_text = sqlite_sandbox(seed="7").lookup(numbers)

    assert answers(as_int) == answers(as_text)


def test_lookup_rejects_oversized_batch(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(max_batch=10)

    with pytest.raises(NetworkError) as caught:
        connector.lookup(phone_numbers(11))

    assert caught.value.retryable is False
    assert "at most 10" in str(caught.value)


def test_fault_error_rate_raises_retryable(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(error_rate=1.0)

    with pytest.raises(NetworkError) as caught:
        connector.lookup(phone_numbers(1))

    assert caught.value.retryable is True
    assert caught.value.retry_after_seconds is None
    assert caught.value.network == "hiya"


def test_fault_throttle_sets_retry_after(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(throttle_rate=1.0, throttle_retry_after_seconds=2.5)

    with pytest.raises(NetworkError) as caught:
        connector.lookup(phone_numbers(1))

    assert caught.value.retryable is True
    assert caught.value.retry_after_seconds == 2.5


def test_fault_rate_limit_throttles_burst(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(rate_limit_per_second=2)
    numbers = phone_numbers(1)
    connector.lookup(numbers)
    connector.lookup(numbers)

    with pytest.raises(NetworkError) as caught:
        connector.lookup(numbers)

    assert caught.value.retryable is True
    assert caught.value.retry_after_seconds is not None
    assert 0 < caught.value.retry_after_seconds <= 0.5


def test_fault_rate_limit_refills(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(rate_limit_per_second=20)
    numbers = phone_numbers(1)
    for _ in range(20):
        connector.lookup(numbers)

    time.sleep(0.2)

    assert len(connector.lookup(numbers)) == 1


def test_fault_latency_delays_call(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(latency_ms=150)

    started = time.perf_counter()
    connector.lookup(phone_numbers(5))
    elapsed = time.perf_counter() - started

    assert elapsed >= 0.15
