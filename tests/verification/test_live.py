"""External verification through the official SDK against a live server, with
the status_changed webhook delivered to a real local receiver."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.reputation import flows
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise
from tests.verification.steps import EXTERNAL_NUMBERS, STATUS_CHANGED
from tests.webhook.helpers import ReceivedRequest, Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(())
    yield server
    server.stop()


def _upload(sdk: Any) -> str:
    upload = sdk.documents.upload_json(
        document={
            "file": base64.b64encode(flows.loa_pdf()).decode("ascii"),
            "filename": "carrier-invoice.pdf",
        }
    )
    document_id: str = upload.data.id
    return document_id


def _unwrap(delivery: ReceivedRequest, public_key: str) -> Any:
    import telnyx

    client = telnyx.Telnyx(
        api_key="unused",
        public_key=public_key,
        base_url="http://127.0.0.1:9/v2",
        max_retries=0,
    )
    return client.webhooks.unwrap(
        delivery.text, headers=delivery.headers, key=public_key
    )


def test_approval_unlocks_external_numbers(
    sdk: Any,
    http: httpx.Client,
    live_server: LiveServer,
    receiver: Receiver,
    settings: Settings,
    account: AccountKeys,
) -> None:
    import telnyx
    from telnyx.types import (
        NumberReputationExternalVerificationStatusChangedWebhookEvent as StatusChanged,
    )

    enterprise_id = str(approved_enterprise(settings, account.account_id, []))
    hook_url = receiver.url("/verification")
    sdk.enterprises.reputation.update_webhook(enterprise_id, webhook_url=hook_url)
    public_key = http.get("/v2/webhook_signing_key").json()["data"]["public_key"]
    verification = sdk.enterprises.reputation.external_verification
    numbers = sdk.enterprises.reputation.numbers

    with pytest.raises(telnyx.NotFoundError):
        verification.list(enterprise_id)
    document_id = _upload(sdk)
    created = verification.create(
        enterprise_id, document_ids=[document_id], phone_numbers=EXTERNAL_NUMBERS[:1]
    ).data
    assert created.status == "pending"
    assert created.document_ids == [document_id]
    assert created.phone_numbers == EXTERNAL_NUMBERS[:1]
    assert created.reviewed_at is None
    assert verification.list(enterprise_id).data.status == "pending"
    settings_data = sdk.enterprises.reputation.retrieve(enterprise_id).data
    assert settings_data.external_verification_status == "pending"

    with pytest.raises(telnyx.BadRequestError) as refused:
        numbers.associate(enterprise_id, phone_numbers=EXTERNAL_NUMBERS[:1])
    assert "external_verification_required" in json.dumps(refused.value.body)
    assert list(numbers.list(enterprise_id)) == []

    approved = http.post(
        f"/v2/operator/external_verifications/{enterprise_id}/approve",
        headers=account.headers(operator=True),
    )
    assert approved.status_code == 200, approved.text

    delivery = receiver.wait_for(1, timeout=60)[0]
    event = _unwrap(delivery, public_key)
    assert event.data.event_type == STATUS_CHANGED
    parsed = StatusChanged.model_validate(json.loads(delivery.text))
    assert parsed.data.payload.status == "approved"
    assert parsed.data.payload.enterprise_id == enterprise_id
    assert parsed.meta.delivered_to == hook_url

    associated = numbers.associate(enterprise_id, phone_numbers=EXTERNAL_NUMBERS[:1])
    assert [row.source for row in associated.data] == ["external"]
    assert [row.phone_number for row in associated.data] == EXTERNAL_NUMBERS[:1]
    reviewed = verification.list(enterprise_id).data
    assert reviewed.status == "approved"
    assert isinstance(reviewed.reviewed_at, datetime)
    assert reviewed.reviewed_at == parsed.data.payload.reviewed_at
    settings_data = sdk.enterprises.reputation.retrieve(enterprise_id).data
    assert settings_data.external_verification_status == "approved"


def test_rejection_event_parses(
    sdk: Any,
    http: httpx.Client,
    live_server: LiveServer,
    receiver: Receiver,
    settings: Settings,
    account: AccountKeys,
) -> None:
    from telnyx.types import (
        NumberReputationExternalVerificationStatusChangedWebhookEvent as StatusChanged,
    )

    enterprise_id = str(approved_enterprise(settings, account.account_id, []))
    hook_url = receiver.url("/rejected")
    sdk.enterprises.reputation.update_webhook(enterprise_id, webhook_url=hook_url)
    public_key = http.get("/v2/webhook_signing_key").json()["data"]["public_key"]
    sdk.enterprises.reputation.external_verification.create(
        enterprise_id, document_ids=[_upload(sdk)]
    )
    reason = "The statement is addressed to another company."
    rejected = http.post(
        f"/v2/operator/external_verifications/{enterprise_id}/reject",
        json={"reason": reason},
        headers=account.headers(operator=True),
    )
    assert rejected.status_code == 200, rejected.text

    delivery = receiver.wait_for(1, timeout=60)[0]
    _unwrap(delivery, public_key)
    parsed = StatusChanged.model_validate(json.loads(delivery.text))
    assert parsed.data.record_type == "event"
    assert parsed.data.event_type == STATUS_CHANGED
    assert parsed.meta.attempt == 1
    assert parsed.meta.delivered_to == hook_url
    payload = parsed.data.payload
    assert payload.record_type == "reputation_external_verification"
    assert payload.enterprise_id == enterprise_id
    assert payload.status == "rejected"
    assert payload.rejection_reason == reason
    assert (
        payload.reviewed_at.isoformat().replace("+00:00", "Z")
        == (rejected.json()["data"]["reviewed_at"])
    )
    assert parsed.data.occurred_at == payload.reviewed_at
    assert set(json.loads(delivery.text)["data"]["payload"]) == {
        "record_type",
        "enterprise_id",
        "status",
        "rejection_reason",
        "reviewed_at",
    }
