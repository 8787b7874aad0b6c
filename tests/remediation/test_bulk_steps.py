"""Set-based pipeline steps run twice, as after a crash, change nothing twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.core.db import Database
from numrep.network.base import LookupResult, ReviewOutcome, ReviewStatus
from numrep.remediation import pipeline
from numrep.remediation.advance import Step, advance
from numrep.remediation.models import (
    CaseState,
    NumberState,
    RemediationNumber,
    ReviewCase,
)
from numrep.remediation.pipeline import NetworkTraits, Timing
from numrep.reputation.models import ReputationNumber, ReputationSnapshot
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.onboarding import approved_enterprise, us_numbers

PURPOSE = "Appointment reminders for our dental clinic."
COUNT = 300
NETWORKS = {
    "hiya": NetworkTraits("hiya", manual=False, supports_escalation=True),
    "tns": NetworkTraits("tns", manual=False, supports_escalation=True),
}
TIMING = Timing(
    poll_seconds=60,
    tier1_deadline=timedelta(hours=1),
    tier2_deadline=timedelta(hours=1),
)


def _screened_request(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> tuple[uuid.UUID, list[str], dict[str, list[LookupResult]]]:
    numbers = us_numbers(COUNT)
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    created = api.post(
        f"/v2/enterprises/{enterprise_id}/reputation/remediation",
        json={"phone_numbers": numbers, "call_purpose": PURPOSE},
    )
    assert created.status_code == 202, created.text
    request_id = uuid.UUID(created.json()["data"]["id"])
    lookups = {
        network: [
            LookupResult(
                phone_number=number,
                network=network,
                flagged=index % (2 if network == "hiya" else 3) == 0,
                label="Spam Likely",
            )
            for index, number in enumerate(numbers)
        ]
        for network in NETWORKS
    }
    with db.unit_of_work() as session:
        assert pipeline.start(session, request_id)
        batch = pipeline.queued_numbers(session, request_id, limit=COUNT)
    for _ in range(2):
        with db.unit_of_work() as session:
            pipeline.apply_screening(
                session,
                request_id,
                number_ids=[number_id for number_id, _ in batch],
                lookups=lookups,
                networks=NETWORKS,
                timing=TIMING,
            )
    return request_id, numbers, lookups


def _states(db: Database, request_id: uuid.UUID) -> dict[str, str]:
    with db.unit_of_work(write=False) as session:
        rows = session.execute(
            sa.select(RemediationNumber.phone_number, RemediationNumber.state).where(
                RemediationNumber.request_id == request_id
            )
        )
        return {number: state for number, state in rows}


def _cases(db: Database, request_id: uuid.UUID, tier: int) -> list[ReviewCase]:
    with db.unit_of_work(write=False) as session:
        return list(
            session.scalars(
                sa.select(ReviewCase).where(
                    ReviewCase.request_id == request_id, ReviewCase.tier == tier
                )
            )
        )


def test_apply_screening_twice(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    request_id, numbers, _ = _screened_request(api, settings, account, db)
    states = _states(db, request_id)
    expected_cases = 0
    for index, number in enumerate(numbers):
        hits = (index % 2 == 0) + (index % 3 == 0)
        expected_cases += hits
        assert states[number] == ("in_review" if hits else "not_flagged"), number
    assert len(_cases(db, request_id, 1)) == expected_cases
    with db.unit_of_work(write=False) as session:
        snapshots = session.scalar(
            sa.select(sa.func.count()).select_from(ReputationSnapshot)
        )
        flagged = session.scalars(
            sa.select(RemediationNumber.flagged_networks)
            .where(RemediationNumber.request_id == request_id)
            .order_by(RemediationNumber.position)
        ).all()
        risks = session.scalars(
            sa.select(ReputationNumber.spam_risk).where(
                ReputationNumber.phone_number == numbers[0]
            )
        ).all()
    assert snapshots == COUNT
    assert flagged[:7] == [2, 0, 1, 1, 1, 0, 2]
    assert risks == ["high"]


def test_record_statuses_twice(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    request_id, _, _ = _screened_request(api, settings, account, db)
    cases = _cases(db, request_id, 1)
    statuses = [
        ReviewStatus(
            review_id=f"review-{case.idempotency_key}",
            idempotency_key=case.idempotency_key,
            phone_number=case.phone_number,
            outcome=(
                ReviewOutcome.CLEARED
                if case.network == "hiya"
                else ReviewOutcome.PENDING
            ),
        )
        for case in cases
    ]
    case_ids = [case.id for case in cases]
    hiya_cases = sum(case.network == "hiya" for case in cases)
    with db.unit_of_work() as session:
        assert pipeline.record_statuses(session, case_ids, statuses) == hiya_cases
    with db.unit_of_work() as session:
        assert pipeline.record_statuses(session, case_ids, statuses) == 0

    after = _cases(db, request_id, 1)
    for case in after:
        assert case.review_id == f"review-{case.idempotency_key}"
        assert case.submitted_at is not None
        if case.network == "hiya":
            assert case.state == CaseState.CLEARED
            assert case.decided_at is not None
        else:
            assert case.state == CaseState.OPEN
            assert case.decided_at is None


def test_record_failures_settles_at_budget(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    request_id, _, _ = _screened_request(api, settings, account, db)
    case_ids = [case.id for case in _cases(db, request_id, 1)]
    with db.unit_of_work() as session:
        pipeline.record_failures(session, case_ids, error="timed out", budget=2)
    first = _cases(db, request_id, 1)
    assert {case.attempts for case in first} == {1}
    assert {case.state for case in first} == {CaseState.OPEN}
    with db.unit_of_work() as session:
        pipeline.record_failures(session, case_ids, error="timed out", budget=2)
    second = _cases(db, request_id, 1)
    assert {case.attempts for case in second} == {2}
    assert {case.state for case in second} == {CaseState.UNANSWERED}
    assert {case.last_error for case in second} == {"timed out"}


def test_tiers_complete_once(
    api: TestClient, settings: Settings, account: AccountKeys, db: Database
) -> None:
    request_id, numbers, _ = _screened_request(api, settings, account, db)
    cases = _cases(db, request_id, 1)
    # hiya clears every case and tns upholds its cases, so those numbers escalate.
    statuses = [
        ReviewStatus(
            review_id=f"review-{case.idempotency_key}",
            idempotency_key=case.idempotency_key,
            phone_number=case.phone_number,
            outcome=(
                ReviewOutcome.CLEARED
                if case.network == "hiya"
                else ReviewOutcome.UPHELD
            ),
        )
        for case in cases
    ]
    with db.unit_of_work() as session:
        pipeline.record_statuses(session, [case.id for case in cases], statuses)
    steps = []
    for _ in range(2):
        with db.unit_of_work() as session:
            steps.append(
                advance(
                    session,
                    request_id,
                    tier=1,
                    round_number=0,
                    networks=NETWORKS,
                    timing=TIMING,
                )
            )
    assert steps == [Step.ESCALATING, Step.DONE]
    tier2 = _cases(db, request_id, 2)
    assert len(tier2) == sum(case.network == "tns" for case in cases)

    states = _states(db, request_id)
    for index, number in enumerate(numbers):
        if index % 3 == 0:
            expected = NumberState.ESCALATED
        elif index % 2 == 0:
            expected = NumberState.REMEDIATED
        else:
            expected = NumberState.NOT_FLAGGED
        assert states[number] == expected, number

    tier2_statuses = [
        ReviewStatus(
            review_id=f"review-{case.idempotency_key}",
            idempotency_key=case.idempotency_key,
            phone_number=case.phone_number,
            outcome=(
                ReviewOutcome.UPHELD
                if numbers.index(case.phone_number) % 2 == 0
                else ReviewOutcome.CLEARED
            ),
        )
        for case in tier2
    ]
    with db.unit_of_work() as session:
        pipeline.record_statuses(session, [case.id for case in tier2], tier2_statuses)
    for expected_step in (Step.COMPLETED, Step.DONE):
        with db.unit_of_work() as session:
            step = advance(
                session,
                request_id,
                tier=2,
                round_number=0,
                networks=NETWORKS,
                timing=TIMING,
            )
        assert step is expected_step

    final = _states(db, request_id)
    for index, number in enumerate(numbers):
        if index % 3 != 0:
            continue
        expected = NumberState.REFUSED if index % 2 == 0 else NumberState.REMEDIATED
        assert final[number] == expected, number
    with db.unit_of_work(write=False) as session:
        undecided = session.scalar(
            sa.select(sa.func.count()).where(
                RemediationNumber.request_id == request_id,
                RemediationNumber.decided_at.is_(None),
            )
        )
    assert undecided == 0
