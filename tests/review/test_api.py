"""Operator review endpoints: bad input and permissions change nothing."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.core.db import Database
from numrep.remediation.models import (
    CaseState,
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.onboarding import approved_enterprise, us_numbers
from tests.support.remediation import open_review_case


def _open_case(db: Database, settings: Settings, account: AccountKeys) -> uuid.UUID:
    (number,) = us_numbers(1)
    enterprise_id = approved_enterprise(settings, account.account_id, [number])
    return open_review_case(db, account.account_id, enterprise_id, number)


def _case_state(db: Database, case_id: uuid.UUID) -> str:
    with db.unit_of_work(write=False) as session:
        state = session.scalar(
            sa.select(ReviewCase.state).where(ReviewCase.id == case_id)
        )
        assert state is not None
        return state


def test_decision_rejects_unknown_value(
    app_client: TestClient, db: Database, settings: Settings, account: AccountKeys
) -> None:
    case_id = _open_case(db, settings, account)
    response = app_client.post(
        f"/v2/operator/review_cases/{case_id}/decision",
        json={"decision": "maybe"},
        headers=account.headers(operator=True),
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "10005"
    assert error["source"]["pointer"] == "/decision"
    assert _case_state(db, case_id) == CaseState.OPEN


def test_decision_needs_operator_key(
    app_client: TestClient, db: Database, settings: Settings, account: AccountKeys
) -> None:
    case_id = _open_case(db, settings, account)
    response = app_client.post(
        f"/v2/operator/review_cases/{case_id}/decision",
        json={"decision": "cleared"},
        headers=account.headers(),
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "10010"
    assert _case_state(db, case_id) == CaseState.OPEN


def test_bulk_decision_unknown_case_is_404(
    app_client: TestClient, db: Database, settings: Settings, account: AccountKeys
) -> None:
    case_id = _open_case(db, settings, account)
    response = app_client.post(
        "/v2/operator/review_cases/decisions",
        json={"case_ids": [str(case_id), str(uuid.uuid4())], "decision": "upheld"},
        headers=account.headers(operator=True),
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10009"
    assert _case_state(db, case_id) == CaseState.OPEN


def test_last_decision_completes_request(
    app_client: TestClient, db: Database, settings: Settings, account: AccountKeys
) -> None:
    case_id = _open_case(db, settings, account)
    response = app_client.post(
        f"/v2/operator/review_cases/{case_id}/decision",
        json={"decision": "cleared", "note": "dispute accepted"},
        headers=account.headers(operator=True),
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["state"] == "cleared"
    with db.unit_of_work(write=False) as session:
        status = session.scalar(sa.select(RemediationRequest.status))
        state = session.scalar(sa.select(RemediationNumber.state))
    assert status == RequestStatus.COMPLETED
    assert state == NumberState.REMEDIATED
