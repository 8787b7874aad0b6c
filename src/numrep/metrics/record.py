"""Counting events where they happen, without importing prometheus_client early.

The import of ``numrep.metrics.instruments`` is deferred to the first event, so
a module that counts can be imported before ``use_metrics_dir`` has run.
"""

from __future__ import annotations

from enum import StrEnum


class WebhookOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    GIVEN_UP = "given_up"


def count_network_error(network: str, operation: str) -> None:
    from numrep.metrics.instruments import NETWORK_ERRORS

    NETWORK_ERRORS.labels(network=network, operation=operation).inc()


def count_webhook_attempt(outcome: WebhookOutcome) -> None:
    from numrep.metrics.instruments import WEBHOOK_ATTEMPTS

    WEBHOOK_ATTEMPTS.labels(outcome=outcome.value).inc()
