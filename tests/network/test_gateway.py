"""The gateway: batching, concurrency, retries and the retry budget."""

from __future__ import annotations

import time

import pytest
from structlog.testing import capture_logs

from numrep.network.base import NetworkError, ReviewOutcome
from numrep.network.gateway import NetworkGateway
from numrep.network.retry import RetryPolicy
from tests.network.helpers import SandboxFactory, phone_numbers, review_request

FAST_RETRY = RetryPolicy(attempts=30, base_seconds=0.001, max_delay_seconds=0.01)


def test_lookup_every_number_every_network(sqlite_sandbox: SandboxFactory) -> None:
    connectors = [sqlite_sandbox(name) for name in ("hiya", "first_orion", "tns")]
    gateway = NetworkGateway(connectors)
    numbers = phone_numbers(250)

    results = gateway.lookup(numbers)

    assert set(results) == {"hiya", "first_orion", "tns"}
    for name, found in results.items():
        assert [result.phone_number for result in found] == numbers
        assert {result.network for result in found} == {name}


def test_lookup_matches_direct_calls(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox()
    numbers = phone_numbers(150)

    through_gateway = NetworkGateway([connector]).lookup(numbers)["hiya"]
    direct = connector.lookup(numbers[:100]) + connector.lookup(numbers[100:])

    flags = [result.flagged for result in through_gateway]
    assert flags == [result.flagged for result in direct]


def test_lookup_drops_duplicates(sqlite_sandbox: SandboxFactory) -> None:
    numbers = phone_numbers(3)

    results = NetworkGateway([sqlite_sandbox()]).lookup(numbers + numbers[::-1])

    assert [result.phone_number for result in results["hiya"]] == numbers


def test_lookup_empty_input(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway([sqlite_sandbox("hiya"), sqlite_sandbox("tns")])

    assert gateway.lookup([]) == {"hiya": [], "tns": []}


def test_lookup_chosen_networks(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway([sqlite_sandbox("hiya"), sqlite_sandbox("tns")])

    results = gateway.lookup(phone_numbers(5), networks=["tns"])

    assert list(results) == ["tns"]


def test_lookup_unknown_network(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway([sqlite_sandbox("hiya")])

    with pytest.raises(ValueError, match="'att' is not configured"):
        gateway.lookup(phone_numbers(5), networks=["att"])


def test_batches_run_concurrently(sqlite_sandbox: SandboxFactory) -> None:
    # 20 batches of 100 at 100 ms each would take 2 s one after another.
    gateway = NetworkGateway([sqlite_sandbox(latency_ms=100, max_concurrency=8)])
    numbers = phone_numbers(2000)

    started = time.perf_counter()
    results = gateway.lookup(numbers)
    elapsed = time.perf_counter() - started

    assert len(results["hiya"]) == 2000
    assert elapsed < 1.0


def test_networks_run_in_parallel(sqlite_sandbox: SandboxFactory) -> None:
    # 3 networks x 5 batches at 100 ms would take 1.5 s one after another.
    connectors = [
        sqlite_sandbox(name, latency_ms=100, max_concurrency=5)
        for name in ("hiya", "first_orion", "tns")
    ]

    started = time.perf_counter()
    results = NetworkGateway(connectors).lookup(phone_numbers(500))
    elapsed = time.perf_counter() - started

    assert all(len(found) == 500 for found in results.values())
    assert elapsed < 0.75


def test_concurrency_bound_holds(sqlite_sandbox: SandboxFactory) -> None:
    # With 2 calls in flight, 8 batches at 100 ms need at least 4 rounds.
    gateway = NetworkGateway([sqlite_sandbox(latency_ms=100, max_concurrency=2)])

    started = time.perf_counter()
    gateway.lookup(phone_numbers(800))
    elapsed = time.perf_counter() - started

    assert elapsed >= 0.4


def test_retries_until_success(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(error_rate=0.3, throttle_rate=0.2)
    gateway = NetworkGateway([connector], retry=FAST_RETRY)
    numbers = phone_numbers(1000)

    results = gateway.lookup(numbers)

    assert [result.phone_number for result in results["hiya"]] == numbers


def test_retry_logged(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(error_rate=1.0)
    gateway = NetworkGateway([connector], retry=RetryPolicy(2, 0.001, 0.01))

    with capture_logs() as logs, pytest.raises(NetworkError):
        gateway.lookup(phone_numbers(30))

    retries = [entry for entry in logs if entry["event"] == "network.retry"]
    failures = [
        entry for entry in logs if entry["event"] == "network.retries_exhausted"
    ]
    assert len(retries) == 1
    assert retries[0]["network"] == "hiya"
    assert retries[0]["batch_size"] == 30
    assert retries[0]["attempt"] == 1
    assert "503" in retries[0]["error"]
    assert len(failures) == 1
    assert failures[0]["attempt"] == 2


def test_budget_exhausted_not_retryable(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway(
        [sqlite_sandbox("tns", error_rate=1.0)], retry=RetryPolicy(3, 0.001, 0.01)
    )

    with pytest.raises(NetworkError) as caught:
        gateway.lookup(phone_numbers(10))

    assert caught.value.retryable is False
    assert caught.value.network == "tns"
    assert "tns" in str(caught.value)
    assert "3 attempts" in str(caught.value)
    assert isinstance(caught.value.__cause__, NetworkError)
    assert caught.value.__cause__.retryable is True


def test_budget_exhausted_in_reviews(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway(
        [sqlite_sandbox(error_rate=1.0)], retry=RetryPolicy(2, 0.001, 0.01)
    )
    requests = [review_request(number) for number in phone_numbers(3)]

    with pytest.raises(NetworkError) as caught:
        gateway.open_reviews("hiya", requests)

    assert caught.value.retryable is False
    assert caught.value.network == "hiya"


def test_retry_after_honoured(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(throttle_rate=1.0, throttle_retry_after_seconds=0.3)
    gateway = NetworkGateway([connector], retry=RetryPolicy(2, 0.001, 5.0))

    started = time.perf_counter()
    with pytest.raises(NetworkError):
        gateway.lookup(phone_numbers(5))
    elapsed = time.perf_counter() - started

    assert elapsed >= 0.3


def test_retry_after_capped(sqlite_sandbox: SandboxFactory) -> None:
    connector = sqlite_sandbox(throttle_rate=1.0, throttle_retry_after_seconds=60)
    gateway = NetworkGateway([connector], retry=RetryPolicy(2, 0.001, 0.2))

    started = time.perf_counter()
    with pytest.raises(NetworkError):
        gateway.lookup(phone_numbers(5))
    elapsed = time.perf_counter() - started

    assert elapsed < 5


def test_non_retryable_not_retried(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway([sqlite_sandbox()], retry=RetryPolicy(5, 0.5, 1.0))

    started = time.perf_counter()
    with pytest.raises(NetworkError) as caught:
        gateway.collect("hiya", ["sbx_unknown"])
    elapsed = time.perf_counter() - started

    assert caught.value.retryable is False
    assert elapsed < 0.5


def test_open_reviews_batches_keep_order(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway([sqlite_sandbox(max_batch=40)])
    requests = [review_request(number) for number in phone_numbers(250)]

    opened = gateway.open_reviews("hiya", requests)
    collected = gateway.collect("hiya", [status.review_id for status in opened])

    assert [s.idempotency_key for s in opened] == [r.idempotency_key for r in requests]
    assert [s.review_id for s in collected] == [s.review_id for s in opened]
    assert {s.outcome for s in opened} == {ReviewOutcome.PENDING}


def test_escalate_without_support(sqlite_sandbox: SandboxFactory) -> None:
    gateway = NetworkGateway([sqlite_sandbox("first_orion")])
    request = review_request(phone_numbers(1)[0], tier=2, network="first_orion")

    with pytest.raises(NetworkError) as caught:
        gateway.escalate("first_orion", [request])

    assert caught.value.retryable is False
    assert caught.value.network == "first_orion"


def test_duplicate_network_names(sqlite_sandbox: SandboxFactory) -> None:
    with pytest.raises(ValueError, match="distinct"):
        NetworkGateway([sqlite_sandbox("hiya"), sqlite_sandbox("hiya")])


def test_retry_policy_delay_bounds() -> None:
    policy = RetryPolicy(attempts=5, base_seconds=0.2, max_delay_seconds=1.0)

    first = [policy.delay(1) for _ in range(50)]
    third = [policy.delay(3) for _ in range(50)]
    late = [policy.delay(10) for _ in range(50)]

    assert all(0.1 <= delay <= 0.2 for delay in first)
    assert all(0.4 <= delay <= 0.8 for delay in third)
    assert all(0.5 <= delay <= 1.0 for delay in late)
    assert len(set(first)) > 1
    assert policy.delay(1, retry_after_seconds=0.7) == 0.7
    assert policy.delay(1, retry_after_seconds=30) == 1.0
