"""Ownership detail and confirmation endpoints, in process, on both databases."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.inventory import service as inventory
from numrep.ownership import baseline
from numrep.ownership.carrier_sandbox import SandboxCarrierLookup, initial_spid
from numrep.ownership.decide import Policy
from numrep.ownership.models import OwnershipHistory
from numrep.reputation.render import render_number
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.documents.samples import b64, sample_pdf
from tests.ownership.helpers import (
    events,
    history,
    number_row,
    other_spid,
    port,
    sweep,
    tracked_enterprise,
)
from tests.support.onboarding import approved_enterprise

NUMBER = "+15125550111"
POLICY = Policy(confirm_window=timedelta(days=3), reverify_after=timedelta(days=365))
REMOVED = "number_reputation.number.removed"


def _path(enterprise_id: uuid.UUID, number: str = NUMBER) -> str:
    return f"/v2/enterprises/{enterprise_id}/reputation/numbers/{number}"


@pytest.fixture
def enterprise_id(settings: Settings, db: Database, account: AccountKeys) -> uuid.UUID:
    """An enterprise whose one number has its baseline recorded."""
    enterprise_id = tracked_enterprise(settings, db, account.account_id, [NUMBER])
    sweep(db, policy=POLICY)
    return enterprise_id


@pytest.fixture
def ported(db: Database, enterprise_id: uuid.UUID) -> uuid.UUID:
    """The enterprise after its number moved carrier and a check flagged it."""
    port(db, NUMBER, other_spid(NUMBER))
    sweep(db, policy=POLICY, now=utcnow() + timedelta(seconds=1))
    assert number_row(db, NUMBER).ownership_status == "pending_confirmation"
    return enterprise_id


def _confirm(api: TestClient, enterprise_id: uuid.UUID, body: Any) -> Any:
    return api.post(f"{_path(enterprise_id)}/ownership_confirm", json=body)


def test_detail_lists_history_newest_first(
    api: TestClient, db: Database, ported: uuid.UUID
) -> None:
    response = api.get(f"{_path(ported)}/ownership")
    assert response.status_code == 200
    data = response.json()["data"]
    row = number_row(db, NUMBER)
    assert data["phone_number"] == NUMBER
    assert data["source"] == "telnyx"
    assert data["ownership_status"] == "pending_confirmation"
    assert data["flag_reason"] == "carrier_changed"
    assert data["baseline_carrier"] == initial_spid(NUMBER)
    assert data["confirm_by"] is not None
    assert data["last_checked_at"] is not None
    assert data["baseline_recorded_at"] is not None
    assert row.confirm_by is not None
    assert data["confirm_by"] == row.confirm_by.isoformat().replace("+00:00", "Z")
    steps = [(item["event_type"], item["outcome"]) for item in data["history"]]
    assert steps == [
        ("flag", "carrier_changed"),
        ("check", "carrier_changed"),
        ("check", "baseline_recorded"),
    ]
    times = [item["occurred_at"] for item in data["history"]]
    assert times == sorted(times, reverse=True)


def test_associate_writes_added_event(
    api: TestClient, settings: Settings, db: Database, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, [])
    with db.unit_of_work() as session:
        inventory.add_numbers(
            session, account_id=account.account_id, phone_numbers=[NUMBER]
        )
    created = api.post(
        f"/v2/enterprises/{enterprise_id}/reputation/numbers",
        json={"phone_numbers": [NUMBER]},
    )
    assert created.status_code == 201, created.text
    row = number_row(db, NUMBER)
    assert history(db, row.id) == [("added", "registered")]
    assert row.baseline_carrier is None

    # The worker runs this job; here the test runs it in place of the worker.
    with db.unit_of_work() as session:
        written = baseline.establish_baselines(
            session, SandboxCarrierLookup(session), number_ids=[row.id], now=utcnow()
        )
    assert written == 1
    detail = api.get(f"{_path(enterprise_id)}/ownership").json()["data"]
    assert detail["baseline_carrier"] == initial_spid(NUMBER)
    assert detail["history"][0]["event_type"] == "added"


def test_confirm_after_port_moves_baseline(
    api: TestClient, db: Database, ported: uuid.UUID
) -> None:
    response = _confirm(api, ported, {"still_own": True})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    row = number_row(db, NUMBER)
    assert data == render_number(row)
    assert data["ownership_status"] == "verified"
    assert data["flag_reason"] is None
    assert data["confirm_by"] is None
    assert row.baseline_carrier == other_spid(NUMBER)
    assert history(db, row.id)[-1] == ("confirm", "still_owned")

    result = sweep(db, policy=POLICY, now=utcnow() + timedelta(minutes=5))
    assert result.outcomes == {"unchanged": 1}


def test_confirm_verified_number_is_400(
    api: TestClient, db: Database, enterprise_id: uuid.UUID
) -> None:
    response = _confirm(api, enterprise_id, {"still_own": True})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "10015"
    assert "verified" in error["detail"]
    assert number_row(db, NUMBER).ownership_status == "verified"


def test_not_owned_after_port_is_ported_away(
    api: TestClient, db: Database, ported: uuid.UUID
) -> None:
    response = _confirm(api, ported, {"still_own": False})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["ownership_status"] == "removed"
    assert data["removal_reason"] == "ported_away"
    assert data["removed_at"] is not None
    assert data["flag_reason"] is None
    row = number_row(db, NUMBER)
    assert row.next_check_at is None
    assert history(db, row.id)[-2:] == [
        ("confirm", "not_owned"),
        ("removed", "ported_away"),
    ]
    [payload] = events(db, REMOVED)
    assert payload["removal_reason"] == "ported_away"
    assert payload["removed_at"] == data["removed_at"]
    assert api.get(f"{_path(ported)}/ownership").status_code == 404
    assert _confirm(api, ported, {"still_own": False}).status_code == 404


def test_not_owned_verified_is_customer_reported(
    api: TestClient, db: Database, enterprise_id: uuid.UUID
) -> None:
    response = _confirm(api, enterprise_id, {"still_own": False})
    assert response.status_code == 200
    assert response.json()["data"]["removal_reason"] == "customer_reported"
    [payload] = events(db, REMOVED)
    assert payload["removal_reason"] == "customer_reported"
    assert payload["source"] == "telnyx"


def test_confirm_flagged_returns_verified(
    api: TestClient, db: Database, enterprise_id: uuid.UUID
) -> None:
    policy = Policy(confirm_window=timedelta(days=3), reverify_after=timedelta(days=1))
    start = utcnow()
    sweep(db, policy=policy, now=start + timedelta(days=2))
    sweep(db, policy=policy, now=start + timedelta(days=6))
    assert number_row(db, NUMBER).ownership_status == "flagged"

    response = _confirm(api, enterprise_id, {"still_own": True})
    assert response.status_code == 200
    assert response.json()["data"]["ownership_status"] == "verified"
    row = number_row(db, NUMBER)
    assert row.baseline_carrier == initial_spid(NUMBER)
    assert row.baseline_recorded_at is not None
    assert row.baseline_recorded_at > start


def test_confirm_stores_evidence_document(
    api: TestClient, db: Database, ported: uuid.UUID
) -> None:
    uploaded = api.post(
        "/v2/documents", json={"file": b64(sample_pdf()), "filename": "bill.pdf"}
    )
    assert uploaded.status_code in (200, 201), uploaded.text
    document_id = uploaded.json()["data"]["id"]
    response = _confirm(
        api, ported, {"still_own": True, "evidence_document_id": document_id}
    )
    assert response.status_code == 200, response.text
    with db.unit_of_work(write=False) as session:
        stored = session.scalar(
            sa.select(OwnershipHistory.document_id).where(
                OwnershipHistory.event_type == "confirm"
            )
        )
    assert str(stored) == document_id


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/still_own"),
        ({"still_own": "true"}, "/still_own"),
        ({"still_own": 1}, "/still_own"),
        ({"still_own": None}, "/still_own"),
        ({"still_own": True, "note": "x"}, "/note"),
        (
            {"still_own": True, "evidence_document_id": str(uuid.uuid4())},
            "/evidence_document_id",
        ),
        ({"still_own": False, "evidence_document_id": "nope"}, "/evidence_document_id"),
    ],
)
def test_bad_confirm_changes_nothing(
    api: TestClient,
    db: Database,
    ported: uuid.UUID,
    body: dict[str, Any],
    pointer: str,
) -> None:
    before = number_row(db, NUMBER)
    steps = history(db, before.id)
    response = _confirm(api, ported, body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["source"]["pointer"] == pointer
    after = number_row(db, NUMBER)
    assert render_number(after) == render_number(before)
    assert after.baseline_carrier == before.baseline_carrier
    assert history(db, before.id) == steps
    assert events(db, REMOVED) == []


def test_other_accounts_document_is_422(
    api: TestClient, db: Database, ported: uuid.UUID, other_account: AccountKeys
) -> None:
    uploaded = api.post(
        "/v2/documents",
        json={"file": b64(sample_pdf()), "filename": "bill.pdf"},
        headers=other_account.headers(),
    )
    document_id = uploaded.json()["data"]["id"]
    response = _confirm(
        api, ported, {"still_own": True, "evidence_document_id": document_id}
    )
    assert response.status_code == 422
    assert number_row(db, NUMBER).ownership_status == "pending_confirmation"


def test_bad_number_or_scope(
    api: TestClient, db: Database, ported: uuid.UUID, other_account: AccountKeys
) -> None:
    malformed = _path(ported, "5125550111")
    response = api.post(f"{malformed}/ownership_confirm", json={"still_own": False})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["parameter"] == "phone_number"
    assert api.get(f"{malformed}/ownership").status_code == 422

    unknown = _path(ported, "+15125550999")
    assert api.get(f"{unknown}/ownership").status_code == 404
    assert _confirm(api, uuid.uuid4(), {"still_own": False}).status_code == 404
    foreign = api.post(
        f"{_path(ported)}/ownership_confirm",
        json={"still_own": False},
        headers=other_account.headers(),
    )
    assert foreign.status_code == 404
    assert number_row(db, NUMBER).ownership_status == "pending_confirmation"


def test_delete_writes_history_without_event(
    api: TestClient, db: Database, ported: uuid.UUID
) -> None:
    assert api.delete(_path(ported)).status_code == 204
    row = number_row(db, NUMBER)
    assert row.removal_reason == "customer_removed"
    assert history(db, row.id)[-1] == ("removed", "customer_removed")
    assert events(db, REMOVED) == []
