"""Ownership tracking end to end: a live server with its scheduled checks, the
official SDK, a real local webhook receiver and a running remediation request."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa

from numrep.core.db import Database
from numrep.inventory import service as inventory
from numrep.remediation.models import RemediationNumber
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.ownership.helpers import other_spid
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise
from tests.webhook.helpers import ReceivedRequest, Receiver

PORTED = "+19493253498"
KEPT = "+12134445566"
# Twenty seconds: long enough to confirm in time, short enough to wait out.
CONFIRM_DAYS = 20 / 86400


def _wait(check: Callable[[], Any], what: str, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _events(receiver: Receiver, event_type: str) -> list[ReceivedRequest]:
    with receiver.lock:
        received = list(receiver.requests)
    return [
        request
        for request in received
        if request.path == "/ownership"
        and json.loads(request.text)["data"]["event_type"] == event_type
    ]


def _sdk(server: LiveServer, api_key: str, public_key: str | None = None) -> Any:
    import telnyx

    return telnyx.Telnyx(
        api_key=api_key,
        public_key=public_key,
        base_url=f"{server.base_url}/v2",
        max_retries=0,
    )


def test_port_confirm_port_removed(
    live_server_with: Callable[..., LiveServer],
    settings: Settings,
    db: Database,
    account: AccountKeys,
) -> None:
    from telnyx.types import (
        NumberReputationNumberFlaggedWebhookEvent,
        NumberReputationNumberRemovedWebhookEvent,
    )

    receiver = Receiver(())
    try:
        enterprise_id = str(
            approved_enterprise(
                settings,
                account.account_id,
                [],
                webhook_url=receiver.url("/ownership"),
            )
        )
        with db.unit_of_work() as session:
            inventory.add_numbers(
                session, account_id=account.account_id, phone_numbers=[PORTED, KEPT]
            )
        server = live_server_with(
            NUMREP_OWNERSHIP_CHECK_CRON="* * * * * *",
            NUMREP_OWNERSHIP_CONFIRM_DAYS=str(CONFIRM_DAYS),
            NUMREP_OWNERSHIP_REVERIFY_DAYS="0",
            # Real-time sandbox reviews keep the remediation request in flight.
            NUMREP_SANDBOX_TIME_SCALE="1",
        )
        with httpx.Client(
            base_url=server.base_url, headers=account.headers(operator=True), timeout=30
        ) as operator:
            public_key = operator.get("/v2/webhook_signing_key").json()["data"][
                "public_key"
            ]
            sdk = _sdk(server, account.api_key, public_key)
            numbers = sdk.enterprises.reputation.numbers
            numbers.associate(enterprise_id, phone_numbers=[PORTED, KEPT])
            request = sdk.enterprises.reputation.remediation.create(
                enterprise_id,
                call_purpose="Appointment reminders for our dental clinic.",
                phone_numbers=[PORTED, KEPT],
                contact_email="ops@example.com",
                webhook_url=receiver.url("/remediation"),
            )

            def ownership() -> Any:
                return numbers.retrieve_ownership(
                    PORTED, enterprise_id=enterprise_id
                ).data

            def ownership_when(test: Callable[[Any], bool]) -> Any:
                current = ownership()
                return current if test(current) else None

            first = _wait(
                lambda: ownership_when(lambda data: data.baseline_carrier),
                "the baseline carrier",
            )
            assert first.ownership_status == "verified"
            assert [item.event_type for item in first.history][-1] == "added"

            # First port: flagged, confirmed, back to verified.
            new_carrier = other_spid(PORTED)
            ported = operator.post(
                "/v2/operator/sandbox/carrier_events",
                json={"phone_number": PORTED, "kind": "port", "spid": new_carrier},
            )
            assert ported.status_code == 201, ported.text
            pending = _wait(
                lambda: ownership_when(
                    lambda data: data.ownership_status == "pending_confirmation"
                ),
                "pending_confirmation after the first port",
            )
            assert pending.flag_reason == "carrier_changed"
            assert pending.confirm_by is not None
            # Checks run every second, so later check events may come first.
            flags = [item for item in pending.history if item.event_type == "flag"]
            assert [item.outcome for item in flags] == ["carrier_changed"]

            [flagged] = _wait(
                lambda: _events(receiver, "number_reputation.number.flagged"),
                "the flagged event",
            )
            event = sdk.webhooks.unwrap(
                flagged.text, headers=flagged.headers, key=public_key
            )
            assert isinstance(event, NumberReputationNumberFlaggedWebhookEvent)
            assert event.data.event_type == "number_reputation.number.flagged"
            assert event.data.payload.phone_number == PORTED
            assert event.data.payload.enterprise_id == enterprise_id
            assert event.data.payload.source == "telnyx"
            assert event.data.payload.ownership_status == "pending_confirmation"
            assert event.data.payload.flag_reason == "carrier_changed"
            assert event.data.payload.confirm_by == pending.confirm_by
            assert event.meta.delivered_to == receiver.url("/ownership")

            confirmed = numbers.ownership_confirm(
                PORTED, enterprise_id=enterprise_id, still_own=True
            )
            assert confirmed.data.ownership_status == "verified"
            assert confirmed.data.confirm_by is None
            assert ownership().baseline_carrier == new_carrier

            # Second port: without a confirmation the deadline removes the number.
            third_carrier = next(
                spid
                for spid in ("S001", "S002", "S003", "S004")
                if spid not in (new_carrier, first.baseline_carrier)
            )
            operator.post(
                "/v2/operator/sandbox/carrier_events",
                json={"phone_number": PORTED, "kind": "port", "spid": third_carrier},
            ).raise_for_status()
            [removed] = _wait(
                lambda: _events(receiver, "number_reputation.number.removed"),
                "the removed event",
            )
            event = sdk.webhooks.unwrap(
                removed.text, headers=removed.headers, key=public_key
            )
            assert isinstance(event, NumberReputationNumberRemovedWebhookEvent)
            assert event.data.payload.phone_number == PORTED
            assert event.data.payload.ownership_status == "removed"
            assert event.data.payload.removal_reason == "unconfirmed_ownership"
            assert event.data.payload.source == "telnyx"
            assert len(_events(receiver, "number_reputation.number.flagged")) == 2

            listed = numbers.list(enterprise_id, filter_ownership_status="removed")
            [gone] = listed.data
            assert gone.phone_number == PORTED
            assert gone.removal_reason == "unconfirmed_ownership"
            assert gone.removed_at == event.data.payload.removed_at
            kept_ownership = numbers.retrieve_ownership(
                KEPT, enterprise_id=enterprise_id
            )
            assert kept_ownership.data.ownership_status == "verified"

            # A cancelled number leaves every result bucket. The request may
            # complete once KEPT is settled, because PORTED no longer counts.
            after = sdk.enterprises.reputation.remediation.retrieve(
                request.data.id, enterprise_id=enterprise_id
            )
            results = after.data.results
            buckets = {} if results is None else results.model_dump()
            placed = [number for bucket in buckets.values() for number in bucket or []]
            assert PORTED not in placed
    finally:
        receiver.stop()

    with db.unit_of_work(write=False) as session:
        states = dict(
            session.execute(
                sa.select(
                    RemediationNumber.phone_number, RemediationNumber.state
                ).where(RemediationNumber.request_id == uuid.UUID(request.data.id))
            ).all()
        )
    assert states[PORTED] == "cancelled"
    assert states[KEPT] != "cancelled"
