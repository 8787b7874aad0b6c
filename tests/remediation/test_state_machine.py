"""The pipeline's state machine driven step by step, without a worker.

The stages' database functions are called directly with the results a network
would return, so each transition and its invariants are checked on its own.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from numrep.core.db import Database
from numrep.network.base import LookupResult, ReviewOutcome, ReviewStatus
from numrep.remediation import pipeline
from numrep.remediation.advance import Step, advance
from numrep.remediation.models import (
    NumberState,
    RemediationNumber,
    RemediationRequest,
    ReviewCase,
    TerminalStatusError,
)
from numrep.remediation.pipeline import NetworkTraits, Timing
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.onboarding import approved_enterprise, us_numbers

PURPOSE = "Appointment reminders for our dental clinic."
NETWORKS = {
    "hiya": NetworkTraits("hiya", manual=False, supports_escalation=True),
    "first_orion": NetworkTraits(
        "first_orion", manual=False, supports_escalation=False
    ),
    "tns": NetworkTraits("tns", manual=False, supports_escalation=True),
}
TIMING = Timing(
    poll_seconds=60,
    tier1_deadline=timedelta(hours=1),
    tier2_deadline=timedelta(hours=1),
)


def _lookup(network: str, number: str, *, flagged: bool) -> LookupResult:
    return LookupResult(
        phone_number=number,
        network=network,
        flagged=flagged,
        label="Spam Likely" if flagged else None,
    )


def _cases(
    session: Session, request_id: uuid.UUID, tier: int
) -> dict[tuple[str, str], ReviewCase]:
    rows = session.scalars(
        sa.select(ReviewCase).where(
            ReviewCase.request_id == request_id, ReviewCase.tier == tier
        )
    )
    return {(case.phone_number, case.network): case for case in rows}


def _decide(
    db: Database,
    request_id: uuid.UUID,
    tier: int,
    outcomes: dict[tuple[str, str], ReviewOutcome],
) -> None:
    with db.unit_of_work() as session:
        cases = _cases(session, request_id, tier)
        chosen = [cases[key] for key in outcomes]
        statuses = [
            ReviewStatus(
                review_id=f"review-{case.idempotency_key}",
                idempotency_key=case.idempotency_key,
                phone_number=case.phone_number,
                outcome=outcomes[(case.phone_number, case.network)],
            )
            for case in chosen
        ]
        pipeline.record_statuses(session, [case.id for case in chosen], statuses)


def test_request_walks_both_tiers(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    quiet, cleared, manual, mixed = us_numbers(4)
    enterprise_id = approved_enterprise(settings, account.account_id, us_numbers(4))
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = api.post(
        path,
        json={
            "phone_numbers": [quiet, cleared, manual, mixed],
            "call_purpose": PURPOSE,
        },
    )
    assert created.status_code == 202
    request_id = uuid.UUID(created.json()["data"]["id"])

    with db.unit_of_work() as session:
        assert pipeline.start(session, request_id)
        batch = pipeline.queued_numbers(session, request_id, limit=100)
    lookups = {
        "hiya": [
            _lookup("hiya", quiet, flagged=False),
            _lookup("hiya", cleared, flagged=True),
            _lookup("hiya", manual, flagged=False),
            _lookup("hiya", mixed, flagged=True),
        ],
        "first_orion": [_lookup("first_orion", manual, flagged=True)],
        "tns": [_lookup("tns", mixed, flagged=True)],
    }
    with db.unit_of_work() as session:
        pipeline.apply_screening(
            session,
            request_id,
            number_ids=[number_id for number_id, _ in batch],
            lookups=lookups,
            networks=NETWORKS,
            timing=TIMING,
        )
    assert api.get(f"{path}/{request_id}").json()["data"]["status"] == "in_progress"
    assert api.get(f"{path}/{request_id}").json()["data"]["results"] is None

    _decide(
        db,
        request_id,
        1,
        {
            (cleared, "hiya"): ReviewOutcome.CLEARED,
            (manual, "first_orion"): ReviewOutcome.UPHELD,
            (mixed, "hiya"): ReviewOutcome.CLEARED,
            (mixed, "tns"): ReviewOutcome.UPHELD,
        },
    )
    with db.unit_of_work() as session:
        step = advance(
            session,
            request_id,
            tier=1,
            round_number=0,
            networks=NETWORKS,
            timing=TIMING,
        )
        tier2 = _cases(session, request_id, 2)
    assert step is Step.ESCALATING
    assert sorted(tier2) == sorted([(manual, "first_orion"), (mixed, "tns")])
    assert tier2[(manual, "first_orion")].manual is True
    assert tier2[(mixed, "tns")].manual is False

    after_tier1 = api.get(f"{path}/{request_id}").json()["data"]
    assert after_tier1["tier1_completed_at"] is not None
    assert after_tier1["results"]["remediated"] == [cleared]
    assert after_tier1["results"]["not_flagged"] == [quiet]
    assert after_tier1["results"]["requires_review"] == [manual, mixed]

    operator = account.headers(operator=True)
    case_id = tier2[(manual, "first_orion")].id
    decided = api.post(
        f"/v2/operator/review_cases/{case_id}/decision",
        json={"decision": "upheld", "note": "network kept the label"},
        headers=operator,
    )
    assert decided.status_code == 200, decided.text
    assert api.get(f"{path}/{request_id}").json()["data"]["status"] == "in_progress"

    _decide(db, request_id, 2, {(mixed, "tns"): ReviewOutcome.CLEARED})
    with db.unit_of_work() as session:
        step = advance(
            session,
            request_id,
            tier=2,
            round_number=0,
            networks=NETWORKS,
            timing=TIMING,
        )
    assert step is Step.COMPLETED

    final = api.get(f"{path}/{request_id}").json()["data"]
    assert final["status"] == "completed"
    assert final["results"] == {
        "remediated": [cleared, mixed],
        "not_flagged": [quiet],
        "requires_review": [],
        "ineligible": [],
        "refused": [manual],
    }
    assert final["tier1_completed_at"] <= final["tier2_completed_at"]


def test_undecided_operator_case_settles_at_deadline(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    (number,) = us_numbers(1)
    enterprise_id = approved_enterprise(settings, account.account_id, [number])
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = api.post(path, json={"phone_numbers": [number], "call_purpose": PURPOSE})
    request_id = uuid.UUID(created.json()["data"]["id"])
    no_wait = Timing(
        poll_seconds=60, tier1_deadline=timedelta(hours=1), tier2_deadline=timedelta(0)
    )
    with db.unit_of_work() as session:
        pipeline.start(session, request_id)
        batch = pipeline.queued_numbers(session, request_id, limit=10)
        pipeline.apply_screening(
            session,
            request_id,
            number_ids=[batch[0][0]],
            lookups={"first_orion": [_lookup("first_orion", number, flagged=True)]},
            networks=NETWORKS,
            timing=no_wait,
        )
    _decide(db, request_id, 1, {(number, "first_orion"): ReviewOutcome.NEEDS_INFO})
    with db.unit_of_work() as session:
        advance(
            session,
            request_id,
            tier=1,
            round_number=0,
            networks=NETWORKS,
            timing=no_wait,
        )
    with db.unit_of_work() as session:
        step = advance(
            session,
            request_id,
            tier=2,
            round_number=0,
            networks=NETWORKS,
            timing=no_wait,
        )
    assert step is Step.COMPLETED
    final = api.get(f"{path}/{request_id}").json()["data"]
    assert final["results"]["requires_review"] == [number]


def test_terminal_status_cannot_change(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    numbers = us_numbers(2)
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = api.post(path, json={"phone_numbers": numbers, "call_purpose": PURPOSE})
    request_id = created.json()["data"]["id"]
    cancelled = api.post(f"{path}/{request_id}/cancel", json={})
    assert cancelled.status_code == 200
    assert cancelled.json()["data"]["status"] == "cancelled"
    with db.unit_of_work() as session:
        request = session.get(RemediationRequest, uuid.UUID(request_id))
        assert request is not None
        with pytest.raises(TerminalStatusError):
            request.status = "in_progress"
    again = api.post(f"{path}/{request_id}/cancel", json={})
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "10015"


def test_cancel_numbers_keeps_count(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    numbers = us_numbers(3)
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = api.post(path, json={"phone_numbers": numbers, "call_purpose": PURPOSE})
    request_id = created.json()["data"]["id"]

    partial = api.post(
        f"{path}/{request_id}/cancel", json={"phone_numbers": numbers[:1]}
    )
    assert partial.status_code == 200
    assert partial.json()["data"]["status"] == "pending"
    assert partial.json()["data"]["phone_numbers_count"] == 3

    unknown = api.post(
        f"{path}/{request_id}/cancel", json={"phone_numbers": ["+15125559999"]}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/phone_numbers/0"

    again = api.post(path, json={"phone_numbers": numbers[:1], "call_purpose": PURPOSE})
    assert again.status_code == 202

    rest = api.post(f"{path}/{request_id}/cancel", json={"phone_numbers": numbers[1:]})
    assert rest.json()["data"]["status"] == "cancelled"
    with db.unit_of_work(write=False) as session:
        states = session.scalars(
            sa.select(RemediationNumber.state).where(
                RemediationNumber.request_id == uuid.UUID(request_id)
            )
        ).all()
    assert states == [NumberState.CANCELLED] * 3


def test_eligibility_reports_each_reason(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    registered = us_numbers(3)
    enterprise_id = approved_enterprise(settings, account.account_id, registered)
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = api.post(
        path, json={"phone_numbers": registered[:1], "call_purpose": PURPOSE}
    )
    request_id = created.json()["data"]["id"]
    checked = api.post(
        f"{path}/eligibility",
        json={"phone_numbers": [registered[0], registered[1], "+15125558888"]},
    )
    assert checked.status_code == 200
    data = {entry["phone_number"]: entry for entry in checked.json()["data"]}
    assert data[registered[0]]["reason"] == "in_flight"
    assert data[registered[0]]["remediation_id"] == request_id
    assert data[registered[1]]["eligible"] is True
    assert data["+15125558888"]["reason"] == "not_registered"


def test_removed_number_is_cancelled(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    numbers = us_numbers(2)
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    created = api.post(path, json={"phone_numbers": numbers, "call_purpose": PURPOSE})
    request_id = created.json()["data"]["id"]

    removed = api.delete(
        f"/v2/enterprises/{enterprise_id}/reputation/numbers/{numbers[0]}"
    )
    assert removed.status_code == 204
    view = api.get(f"{path}/{request_id}/numbers").json()
    states = {entry["phone_number"]: entry["state"] for entry in view["data"]}
    assert states == {numbers[0]: "cancelled", numbers[1]: "queued"}
    assert view["meta"]["total_results"] == 2

    disabled = api.delete(f"/v2/enterprises/{enterprise_id}/reputation")
    assert disabled.status_code == 204
    final = api.get(f"{path}/{request_id}").json()["data"]
    assert final["status"] == "cancelled"
    assert final["phone_numbers_count"] == 2
