"""Batched, concurrent and retried calls to every configured network.

The gateway splits work into batches of each network's ``info.max_batch``, runs
them in threads with at most ``info.max_concurrency`` calls in flight per network
(networks run side by side), and retries retryable errors within the budget of
its ``RetryPolicy``. A batch that exhausts the budget raises a non-retryable
``NetworkError`` naming the network, so the caller can settle that work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from functools import partial
from typing import Any, TypeVar

import structlog

from numrep.metrics import record as metrics
from numrep.network.base import (
    Connector,
    LookupResult,
    NetworkError,
    NetworkInfo,
    ReviewRequest,
    ReviewStatus,
)
from numrep.network.retry import RetryPolicy

log = structlog.get_logger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
Call = Callable[[Sequence[Item]], list[Result]]


class NetworkGateway:
    """Thread-safe entry point for every call from numrep to the networks.

    The concurrency bound applies across every call made through one gateway
    instance, so share one gateway per process (``registry.build_gateway``).
    """

    def __init__(
        self, connectors: Sequence[Connector], *, retry: RetryPolicy | None = None
    ) -> None:
        names = [connector.info.name for connector in connectors]
        if len(set(names)) != len(names):
            raise ValueError(f"network names must be distinct, got {names}")
        self.retry = retry or RetryPolicy()
        self._connectors = {connector.info.name: connector for connector in connectors}
        self._slots = {
            connector.info.name: threading.BoundedSemaphore(
                connector.info.max_concurrency
            )
            for connector in connectors
        }

    @property
    def networks(self) -> list[NetworkInfo]:
        return [connector.info for connector in self._connectors.values()]

    def connector(self, network: str) -> Connector:
        """Return the connector of ``network``, or raise ValueError if unknown."""
        connector = self._connectors.get(network)
        if connector is None:
            raise ValueError(
                f"network {network!r} is not configured. "
                f"Configured networks: {', '.join(self._connectors) or 'none'}"
            )
        return connector

    def lookup(
        self, phone_numbers: Sequence[str], *, networks: Collection[str] | None = None
    ) -> dict[str, list[LookupResult]]:
        """Look every number up on every network (or on ``networks``).

        Returns one result per distinct number per network, in input order. If a
        network fails for good, raises its NetworkError and drops the results of
        the others, so call again with ``networks`` to get those.
        """
        unique = list(dict.fromkeys(phone_numbers))
        names = list(self._connectors) if networks is None else list(networks)
        connectors = [self.connector(name) for name in names]
        jobs = {
            connector.info.name: self._plan(
                connector, "lookup", connector.lookup, unique
            )
            for connector in connectors
        }
        results = _run_all(jobs, self._connectors)
        for name, found in results.items():
            _check_numbers(name, unique, [result.phone_number for result in found])
        return results

    def open_reviews(
        self, network: str, requests: Sequence[ReviewRequest]
    ) -> list[ReviewStatus]:
        """Open tier-1 reviews and return one status per request, in order."""
        connector = self.connector(network)
        return self._run(connector, "open_reviews", connector.open_reviews, requests)

    def collect(self, network: str, review_ids: Sequence[str]) -> list[ReviewStatus]:
        """Return the current status of each review, in the order of the ids."""
        connector = self.connector(network)
        return self._run(connector, "collect", connector.collect, review_ids)

    def escalate(
        self, network: str, requests: Sequence[ReviewRequest]
    ) -> list[ReviewStatus]:
        """Open tier-2 reviews, or raise a non-retryable error without escalation."""
        connector = self.connector(network)
        if not connector.info.supports_escalation:
            raise NetworkError(
                f"{network} offers no escalated review. Open an operator case instead.",
                network=network,
                retryable=False,
            )
        return self._run(connector, "escalate", connector.escalate, requests)

    def _run(
        self,
        connector: Connector,
        operation: str,
        call: Call[Item, Result],
        items: Sequence[Item],
    ) -> list[Result]:
        jobs = {connector.info.name: self._plan(connector, operation, call, items)}
        return _run_all(jobs, self._connectors)[connector.info.name]

    def _plan(
        self,
        connector: Connector,
        operation: str,
        call: Call[Item, Result],
        items: Sequence[Item],
    ) -> list[Callable[[], list[Result]]]:
        size = connector.info.max_batch
        name = connector.info.name
        return [
            partial(
                self._call_with_retries,
                name,
                operation,
                call,
                items[start : start + size],
            )
            for start in range(0, len(items), size)
        ]

    def _call_with_retries(
        self,
        network: str,
        operation: str,
        call: Call[Item, Result],
        batch: Sequence[Item],
    ) -> list[Result]:
        attempt = 1
        while True:
            try:
                # The slot is held for the call only, never during the backoff.
                with self._slots[network]:
                    return call(batch)
            except NetworkError as error:
                delay = self._retry_delay(network, operation, batch, attempt, error)
            time.sleep(delay)
            attempt += 1

    def _retry_delay(
        self,
        network: str,
        operation: str,
        batch: Sequence[Any],
        attempt: int,
        error: NetworkError,
    ) -> float:
        """Return how long to wait before the next attempt, or raise the final error."""
        metrics.count_network_error(network, operation)
        context = {
            "network": network,
            "operation": operation,
            "batch_size": len(batch),
            "attempt": attempt,
            "error": str(error),
        }
        if not error.retryable:
            log.error("network.call_failed", retryable=False, **context)
            raise error
        if attempt >= self.retry.attempts:
            log.error("network.retries_exhausted", **context)
            raise NetworkError(
                f"{network} {operation} failed after {attempt} attempts, which is "
                f"the retry budget. Last error: {error}",
                network=network,
                retryable=False,
            ) from error
        delay = self.retry.delay(attempt, error.retry_after_seconds)
        log.warning("network.retry", delay_seconds=round(delay, 3), **context)
        return delay


def _run_all(
    jobs: dict[str, list[Callable[[], list[Result]]]],
    connectors: dict[str, Connector],
) -> dict[str, list[Result]]:
    """Run the batches, each network in its own pool, and join results per network.

    A pool per network keeps one slow or throttled network from taking the
    threads another network needs.
    """
    with ExitStack() as stack:
        futures: dict[str, list[Future[list[Result]]]] = {}
        for name, batches in jobs.items():
            if not batches:
                futures[name] = []
                continue
            workers = min(len(batches), connectors[name].info.max_concurrency)
            pool = stack.enter_context(
                ThreadPoolExecutor(workers, thread_name_prefix=f"network-{name}")
            )
            futures[name] = [pool.submit(batch) for batch in batches]
        every = [future for pending in futures.values() for future in pending]
        wait(every, return_when=FIRST_EXCEPTION)
        for future in every:
            if future.done() and future.exception() is not None:
                for other in every:
                    other.cancel()
                raise _exception(future)
    return {
        name: [result for future in pending for result in future.result()]
        for name, pending in futures.items()
    }


def _exception(future: Future[Any]) -> BaseException:
    error = future.exception()
    if error is None:
        raise RuntimeError("a future without an exception was treated as failed")
    return error


def _check_numbers(network: str, expected: list[str], returned: list[str]) -> None:
    if returned == expected:
        return
    missing = set(expected) - set(returned)
    raise NetworkError(
        f"{network} returned {len(returned)} lookup results for {len(expected)} "
        f"numbers ({len(missing)} missing). The connector must return one result "
        "per number in request order.",
        network=network,
        retryable=False,
    )
