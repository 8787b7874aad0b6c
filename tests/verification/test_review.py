"""Operator review of external verifications: endpoints, events and audit."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from numrep.app import build_services
from numrep.core.clock import utcnow
from numrep.settings import Settings
from numrep.verification.models import ExternalVerification
from tests.conftest import AccountKeys
from tests.reputation import flows
from tests.verification import steps

# Port 9 (discard) on loopback: the in-process app has no worker, so events are
# stored but never delivered.
WEBHOOK_URL = "http://127.0.0.1:9/verification"


@pytest.fixture
def enterprise_id(api: TestClient, account: AccountKeys, settings: Settings) -> str:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    webhook = api.patch(
        f"/v2/enterprises/{enterprise_id}/reputation/webhook",
        json={"webhook_url": WEBHOOK_URL},
    )
    assert webhook.status_code == 200, webhook.text
    submitted = steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    assert submitted.status_code == 201, submitted.text
    return enterprise_id


def test_list_shows_pending_only(
    api: TestClient, account: AccountKeys, settings: Settings, enterprise_id: str
) -> None:
    second = flows.approved_enterprise(api, account, settings)
    steps.submit(api, second, document_ids=[flows.upload_loa(api)])
    steps.decide(api, account, second, "approve")

    response = api.get(
        "/v2/operator/external_verifications", headers=account.headers(operator=True)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [row["enterprise_id"] for row in body["data"]] == [enterprise_id]
    assert body["meta"]["total_results"] == 1


def test_customer_key_is_403(
    api: TestClient, account: AccountKeys, enterprise_id: str
) -> None:
    listed = api.get("/v2/operator/external_verifications")
    approved = api.post(f"/v2/operator/external_verifications/{enterprise_id}/approve")
    assert listed.status_code == 403
    assert approved.status_code == 403
    assert steps.settings_status(api, enterprise_id) == "pending"


def test_approve_emits_event(
    api: TestClient, account: AccountKeys, settings: Settings, enterprise_id: str
) -> None:
    response = steps.decide(api, account, enterprise_id, "approve")
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "approved"
    assert data["rejection_reason"] is None
    assert data["reviewed_at"] is not None
    assert steps.settings_status(api, enterprise_id) == "approved"

    events = steps.stored_events(settings)
    assert len(events) == 1
    assert events[0].url == WEBHOOK_URL
    assert events[0].payload == {
        "record_type": "reputation_external_verification",
        "enterprise_id": enterprise_id,
        "status": "approved",
        "rejection_reason": None,
        "reviewed_at": data["reviewed_at"],
    }
    assert steps.audit_actions(settings, enterprise_id) == [
        "external_verification.approved"
    ]


def test_reject_emits_event(
    api: TestClient, account: AccountKeys, settings: Settings, enterprise_id: str
) -> None:
    reason = "The invoice names another company."
    response = steps.decide(api, account, enterprise_id, "reject", reason)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "rejected"
    assert data["rejection_reason"] == reason
    assert steps.settings_status(api, enterprise_id) == "rejected"

    events = steps.stored_events(settings)
    assert [event.payload for event in events] == [
        {
            "record_type": "reputation_external_verification",
            "enterprise_id": enterprise_id,
            "status": "rejected",
            "rejection_reason": reason,
            "reviewed_at": data["reviewed_at"],
        }
    ]
    assert steps.audit_actions(settings, enterprise_id) == [
        "external_verification.rejected"
    ]


def test_pending_is_never_sent(
    api: TestClient, account: AccountKeys, settings: Settings, enterprise_id: str
) -> None:
    steps.decide(api, account, enterprise_id, "reject", "Blurred scan.")
    replaced = steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    assert replaced.status_code == 200
    steps.decide(api, account, enterprise_id, "approve")

    statuses = [event.payload["status"] for event in steps.stored_events(settings)]
    assert statuses == ["rejected", "approved"]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_needs_reason(
    api: TestClient,
    account: AccountKeys,
    settings: Settings,
    enterprise_id: str,
    reason: str | None,
) -> None:
    response = steps.decide(api, account, enterprise_id, "reject", reason)
    assert response.status_code == 422, response.text
    assert steps.settings_status(api, enterprise_id) == "pending"
    assert steps.stored_events(settings) == []
    assert steps.audit_actions(settings, enterprise_id) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [("approve", "approve"), ("approve", "reject"), ("reject", "approve")],
)
def test_decided_is_400(
    api: TestClient,
    account: AccountKeys,
    settings: Settings,
    enterprise_id: str,
    first: str,
    second: str,
) -> None:
    done = steps.decide(api, account, enterprise_id, first, "Unreadable.")
    assert done.status_code == 200, done.text
    again = steps.decide(api, account, enterprise_id, second, "Unreadable.")
    assert again.status_code == 400
    error = again.json()["errors"][0]
    assert error["code"] == "10015"
    assert "not 'pending'" in error["detail"]
    assert api.get(steps.path(enterprise_id)).json()["data"] == done.json()["data"]
    assert len(steps.stored_events(settings)) == 1


def test_nothing_submitted_is_404(
    api: TestClient, account: AccountKeys, settings: Settings
) -> None:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    response = steps.decide(api, account, enterprise_id, "approve")
    assert response.status_code == 404
    assert steps.audit_actions(settings, enterprise_id) == []


def test_no_webhook_no_event(
    api: TestClient, account: AccountKeys, settings: Settings
) -> None:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    assert steps.decide(api, account, enterprise_id, "approve").status_code == 200
    assert steps.stored_events(settings) == []


def _update_row(settings: Settings, enterprise_id: str, **values: object) -> None:
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            session.execute(
                sa.update(ExternalVerification)
                .where(ExternalVerification.enterprise_id == uuid.UUID(enterprise_id))
                .values(**values)
            )
    finally:
        services.db.dispose()


NOW: datetime = utcnow()

INVALID_ROWS: list[tuple[str, dict[str, object]]] = [
    ("unknown status", {"status": "cancelled"}),
    ("reason while pending", {"rejection_reason": "Blurred."}),
    ("reviewed while pending", {"reviewed_at": NOW}),
    ("rejected without reason", {"status": "rejected", "reviewed_at": NOW}),
    ("approved without review time", {"status": "approved"}),
    (
        "approved with reason",
        {"status": "approved", "reviewed_at": NOW, "rejection_reason": "x"},
    ),
    ("reviewer while pending", {"reviewer_key_id": uuid.uuid4()}),
]


@pytest.mark.parametrize(
    "values",
    [values for _, values in INVALID_ROWS],
    ids=[case for case, _ in INVALID_ROWS],
)
def test_check_constraints(
    settings: Settings, enterprise_id: str, values: dict[str, object]
) -> None:
    with pytest.raises(IntegrityError):
        _update_row(settings, enterprise_id, **values)
