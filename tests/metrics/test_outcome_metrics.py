"""Gauges and counters that move when a remediation request runs end to end.

The live server has two sandbox networks: hiya flags every number, so each one
gets a tier-1 case there, and tns fails every call, so its lookups count as
network errors. One request reports to a receiver that accepts webhooks, the
other to one that rejects them until numrep gives up.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from numrep.settings import Settings
from numrep.webhook.service import MAX_ATTEMPTS
from tests.conftest import AccountKeys
from tests.metrics.helpers import NETWORK_ERRORS, NETWORKS, Scrape, scrape, submit
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers
from tests.webhook.helpers import ReceivedRequest, Receiver, Reply

RETRY_ATTEMPTS = 2
NUMBERS = "numrep_remediation_numbers"
WEBHOOKS = "numrep_webhook_attempts_total"


def event_ids(requests: list[ReceivedRequest]) -> set[str]:
    return {json.loads(request.text)["data"]["id"] for request in requests}


def saw_completion(requests: list[ReceivedRequest]) -> bool:
    """Whether the request's last event, ``...remediation.completed``, arrived."""
    types = {json.loads(request.text)["data"]["event_type"] for request in requests}
    return any(event_type.endswith(".completed") for event_type in types)


def wait_for_scrape(
    server: LiveServer, done: Callable[[Scrape], bool], *, timeout: float = 120.0
) -> Scrape:
    deadline = time.monotonic() + timeout
    result = scrape(server.base_url)
    while not done(result) and time.monotonic() < deadline:
        time.sleep(0.5)
        result = scrape(server.base_url)
    return result


def test_remediation_moves_gauges_and_counters(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    account: AccountKeys,
) -> None:
    server = live_server_with(
        NUMREP_NETWORKS=NETWORKS,
        NUMREP_NETWORK_RETRY_ATTEMPTS=str(RETRY_ATTEMPTS),
        NUMREP_NETWORK_RETRY_BASE_SECONDS="0",
        # The eight attempts of an event then fit in about two seconds.
        NUMREP_WEBHOOK_RETRY_SCALE="0.00002",
        NUMREP_METRICS_DATABASE_CACHE_SECONDS="0",
    )
    numbers = us_numbers(4, start=700)
    enterprise_id = str(approved_enterprise(settings, account.account_id, numbers))
    accepting = Receiver(())
    rejecting = Receiver((), default=Reply(status=500))
    before = scrape(server.base_url)
    try:
        with httpx.Client(
            base_url=server.base_url, headers=account.headers(), timeout=30
        ) as http:
            submit(http, enterprise_id, numbers[:2], webhook_url=accepting.url("/ok"))
            submit(http, enterprise_id, numbers[2:], webhook_url=rejecting.url("/down"))

        def settled(result: Scrape) -> bool:
            delivered = len(event_ids(accepting.requests))
            given_up = len(event_ids(rejecting.requests))
            return (
                saw_completion(accepting.requests)
                and saw_completion(rejecting.requests)
                and result.value(WEBHOOKS, outcome="delivered") == delivered
                and result.value(WEBHOOKS, outcome="given_up") == given_up
                and len(rejecting.requests) == given_up * MAX_ATTEMPTS
            )

        after = wait_for_scrape(server, settled)
    finally:
        accepting.stop()
        rejecting.stop()

    assert before.total(NUMBERS, network="hiya") == 0
    assert after.total(NUMBERS, network="hiya", tier="1") == len(numbers)
    assert after.total(NUMBERS, network="tns") == 0

    assert before.total(NETWORK_ERRORS) == 0
    tns_lookups = after.value(NETWORK_ERRORS, network="tns", operation="lookup")
    assert tns_lookups >= 2 * RETRY_ATTEMPTS
    assert after.total(NETWORK_ERRORS, network="hiya") == 0

    delivered = event_ids(accepting.requests)
    rejected = event_ids(rejecting.requests)
    assert delivered
    assert rejected
    assert after.value(WEBHOOKS, outcome="delivered") == len(delivered)
    assert after.value(WEBHOOKS, outcome="given_up") == len(rejected)
    assert after.value(WEBHOOKS, outcome="failed") == len(rejected) * (MAX_ATTEMPTS - 1)
