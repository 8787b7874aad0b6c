"""Submitting remediation requests: validation order, counters and storage."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.app import create_app
from numrep.core.db import create_db_engine
from numrep.remediation.models import RemediationNumber, RemediationRequest
from numrep.settings import Settings
from numrep.tos.models import TosAgreement
from tests.conftest import AccountKeys, make_settings
from tests.support.factories import enterprise_body
from tests.support.onboarding import approved_enterprise, us_numbers

PURPOSE = "Appointment reminders for our dental clinic."


def _path(enterprise_id: uuid.UUID) -> str:
    return f"/v2/enterprises/{enterprise_id}/reputation/remediation"


def _stored_requests(settings: Settings) -> int:
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            count = connection.scalar(
                sa.select(sa.func.count()).select_from(RemediationRequest)
            )
            return int(count or 0)
    finally:
        engine.dispose()


@pytest.fixture
def enterprise_id(settings: Settings, account: AccountKeys) -> uuid.UUID:
    return approved_enterprise(settings, account.account_id, us_numbers(30))


def test_submit_returns_pending_request(
    api: TestClient, enterprise_id: uuid.UUID
) -> None:
    numbers = us_numbers(2)
    response = api.post(
        _path(enterprise_id),
        json={
            "phone_numbers": numbers,
            "call_purpose": PURPOSE,
            "contact_email": "ops@example.com",
            "webhook_url": "https://example.com/webhooks/remediation",
        },
    )
    assert response.status_code == 202, response.text
    data = response.json()["data"]
    assert data["status"] == "pending"
    assert data["phone_numbers_count"] == 2
    assert data["phone_numbers_submitted"] == 2
    assert data["phone_numbers_ineligible"] == 0
    assert data["results"] is None
    assert data["tier1_completed_at"] is None
    assert data["tier2_completed_at"] is None
    assert data["contact_email"] == "ops@example.com"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"call_purpose": PURPOSE}, "/phone_numbers"),
        ({"phone_numbers": [], "call_purpose": PURPOSE}, "/phone_numbers"),
        ({"phone_numbers": ["+15125500000"]}, "/call_purpose"),
        ({"phone_numbers": ["+15125500000"], "call_purpose": ""}, "/call_purpose"),
        (
            {"phone_numbers": ["+15125500000"], "call_purpose": "x" * 2001},
            "/call_purpose",
        ),
        (
            {"phone_numbers": ["5125500000"], "call_purpose": PURPOSE},
            "/phone_numbers/0",
        ),
        (
            {"phone_numbers": ["+15125500000\n"], "call_purpose": PURPOSE},
            "/phone_numbers/0",
        ),
        (
            {"phone_numbers": ["+1512550000\uff10"], "call_purpose": PURPOSE},
            "/phone_numbers/0",
        ),
        (
            {
                "phone_numbers": ["+15125500000"],
                "call_purpose": PURPOSE,
                "contact_email": "not-an-email",
            },
            "/contact_email",
        ),
        (
            {
                "phone_numbers": ["+15125500000"],
                "call_purpose": PURPOSE,
                "webhook_url": "not a url",
            },
            "/webhook_url",
        ),
        (
            {"phone_numbers": ["+15125500000"], "call_purpose": PURPOSE, "x": 1},
            "/x",
        ),
        (
            {
                "phone_numbers": ["+15125500000", "+15125500001", "+15125500000"],
                "call_purpose": PURPOSE,
            },
            "/phone_numbers/2",
        ),
        (
            {"phone_numbers": ["+15125509999"], "call_purpose": PURPOSE},
            "/phone_numbers/0",
        ),
    ],
)
def test_submit_rejects_bad_body(
    api: TestClient,
    settings: Settings,
    enterprise_id: uuid.UUID,
    body: dict[str, Any],
    pointer: str,
) -> None:
    response = api.post(_path(enterprise_id), json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["code"] == "10005"
    assert pointer in [error["source"].get("pointer") for error in errors]
    assert _stored_requests(settings) == 0


def test_submit_reports_at_most_twenty_errors(
    api: TestClient, enterprise_id: uuid.UUID
) -> None:
    body = {"phone_numbers": ["bad"] * 2000, "call_purpose": PURPOSE}
    response = api.post(_path(enterprise_id), json=body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == 21
    assert "1980 more errors" in errors[-1]["detail"]


def test_submit_rejects_2001_numbers(api: TestClient, enterprise_id: uuid.UUID) -> None:
    body = {"phone_numbers": us_numbers(2001), "call_purpose": PURPOSE}
    response = api.post(_path(enterprise_id), json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/phone_numbers"


def test_submit_in_flight_number_is_409(
    api: TestClient, settings: Settings, enterprise_id: uuid.UUID
) -> None:
    first = api.post(
        _path(enterprise_id),
        json={"phone_numbers": us_numbers(3), "call_purpose": PURPOSE},
    )
    assert first.status_code == 202
    second = api.post(
        _path(enterprise_id),
        json={
            "phone_numbers": [us_numbers(5)[4], us_numbers(3)[1]],
            "call_purpose": PURPOSE,
        },
    )
    assert second.status_code == 409
    assert second.headers["x-should-retry"] == "false"
    errors = second.json()["errors"]
    assert [error["source"]["pointer"] for error in errors] == ["/phone_numbers/1"]
    assert errors[0]["code"] == "10021"
    assert _stored_requests(settings) == 1


def test_submit_unknown_enterprise_is_404_before_body(api: TestClient) -> None:
    response = api.post(_path(uuid.uuid4()), json={"nonsense": True})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10009"


def test_submit_other_account_is_404(
    api: TestClient, enterprise_id: uuid.UUID, other_account: AccountKeys
) -> None:
    response = api.post(
        _path(enterprise_id),
        json={"phone_numbers": us_numbers(1), "call_purpose": PURPOSE},
        headers=other_account.headers(),
    )
    assert response.status_code == 404


def test_submit_rejects_plain_http_webhook(
    database_url: str, tmp_path: Path, account: AccountKeys
) -> None:
    strict = make_settings(
        database_url, tmp_path / "strict", webhook_allow_private_targets=False
    )
    enterprise_id = approved_enterprise(strict, account.account_id, us_numbers(1))
    body = {
        "phone_numbers": us_numbers(1),
        "call_purpose": PURPOSE,
        "webhook_url": "http://example.com/hook",
    }
    with TestClient(create_app(strict)) as client:
        response = client.post(
            _path(enterprise_id), json=body, headers=account.headers()
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/webhook_url"
    assert _stored_requests(strict) == 0


def test_submit_gate_not_approved_is_400(api: TestClient) -> None:
    enterprise = api.post("/v2/enterprises", json=enterprise_body()).json()["data"]
    response = api.post(
        _path(uuid.UUID(enterprise["id"])),
        json={"phone_numbers": us_numbers(1), "call_purpose": PURPOSE},
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "10015"
    assert "not enabled" in error["detail"]


def test_submit_stores_numbers_in_order(
    api: TestClient, settings: Settings, enterprise_id: uuid.UUID
) -> None:
    numbers = list(reversed(us_numbers(10)))
    response = api.post(
        _path(enterprise_id), json={"phone_numbers": numbers, "call_purpose": PURPOSE}
    )
    assert response.status_code == 202
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            stored = connection.scalars(
                sa.select(RemediationNumber.phone_number).order_by(
                    RemediationNumber.position
                )
            ).all()
    finally:
        engine.dispose()
    assert stored == numbers


def test_submit_without_terms_is_403(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, us_numbers(1))
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.delete(TosAgreement))
    finally:
        engine.dispose()
    response = api.post(
        _path(enterprise_id),
        json={"phone_numbers": us_numbers(1), "call_purpose": PURPOSE},
    )
    assert response.status_code == 403
    assert "terms of service" in response.json()["errors"][0]["detail"]
    assert _stored_requests(settings) == 0
