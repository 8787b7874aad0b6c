"""Remediation status webhooks, delivered to a real local receiver and verified
with the official SDK."""

from __future__ import annotations

import json
from typing import Any

import httpx

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.remediation.test_pipeline import EXAMPLE_NUMBERS, PURPOSE, wait_for_status
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise
from tests.webhook.helpers import Receiver


def _verify(body: str, headers: dict[str, str], public_key: str) -> Any:
    import telnyx

    client = telnyx.Telnyx(
        api_key="unused",
        public_key=public_key,
        base_url="http://127.0.0.1:9/v2",
        max_retries=0,
    )
    return client.webhooks.unwrap(body, headers=headers, key=public_key)


def test_request_events_arrive_signed(
    live_server: LiveServer, settings: Settings, account: AccountKeys
) -> None:
    receiver = Receiver(())
    try:
        enterprise_id = approved_enterprise(
            settings, account.account_id, EXAMPLE_NUMBERS
        )
        with httpx.Client(
            base_url=live_server.base_url, headers=account.headers(), timeout=30
        ) as http:
            public_key = http.get("/v2/webhook_signing_key").json()["data"][
                "public_key"
            ]
            path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
            created = http.post(
                path,
                json={
                    "phone_numbers": EXAMPLE_NUMBERS,
                    "call_purpose": PURPOSE,
                    "webhook_url": receiver.url("/remediation"),
                },
            )
            assert created.status_code == 202
            request_id = created.json()["data"]["id"]
            wait_for_status(
                lambda: http.get(f"{path}/{request_id}").json()["data"], "completed"
            )
        deliveries = receiver.wait_for(2)
    finally:
        receiver.stop()

    # Deliveries run concurrently, so they may arrive out of order; receivers
    # order them by occurred_at.
    events = []
    for delivery in deliveries:
        _verify(delivery.text, delivery.headers, public_key)
        envelope = json.loads(delivery.text)
        assert envelope["meta"]["attempt"] == 1
        assert envelope["meta"]["delivered_to"] == receiver.url("/remediation")
        payload = envelope["data"]["payload"]
        assert payload["id"] == request_id
        assert payload["record_type"] == "reputation_remediation"
        assert payload["enterprise_id"] == str(enterprise_id)
        events.append((envelope["data"]["occurred_at"], envelope))
    events.sort(key=lambda item: item[0])
    event_types = [envelope["data"]["event_type"] for _, envelope in events]
    assert event_types == [
        "number_reputation.remediation.tier1_complete",
        "number_reputation.remediation.completed",
    ]
    completed = events[-1][1]["data"]["payload"]
    assert completed["status"] == "completed"
    placed = sorted(n for bucket in completed["results"].values() for n in bucket)
    assert placed == sorted(EXAMPLE_NUMBERS)
