"""Next-check times per frequency and the monitoring sweep."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.app import build_services
from numrep.reputation import monitor, schedule
from numrep.reputation.models import ReputationNumber
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.reputation import flows

# A Friday at noon UTC.
FRIDAY = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("frequency", "moment", "expected"),
    [
        ("business_daily", FRIDAY, datetime(2026, 2, 2, 12, 0, tzinfo=UTC)),
        ("business_daily", FRIDAY - timedelta(days=1), FRIDAY),
        ("daily", FRIDAY, FRIDAY + timedelta(days=1)),
        ("weekly", FRIDAY, FRIDAY + timedelta(days=7)),
        ("biweekly", FRIDAY, FRIDAY + timedelta(days=14)),
        ("monthly", FRIDAY, datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
        (
            "monthly",
            datetime(2026, 12, 15, tzinfo=UTC),
            datetime(2027, 1, 15, tzinfo=UTC),
        ),
        ("never", FRIDAY, None),
    ],
)
def test_next_check_after(
    frequency: str, moment: datetime, expected: datetime | None
) -> None:
    assert schedule.next_check_after(frequency, moment) == expected


@pytest.fixture
def enterprise_id(api: TestClient, account: AccountKeys, settings: Settings) -> str:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    numbers = [f"+1212556{line:04d}" for line in range(150)]
    for start in (0, 100):
        chunk = numbers[start : start + 100]
        flows.add_inventory(api, account, chunk)
        assert flows.associate(api, enterprise_id, chunk).status_code == 201
    return enterprise_id


def test_sweep_claims_due_numbers_once(settings: Settings, enterprise_id: str) -> None:
    services = build_services(settings)
    later = datetime.now(UTC) + timedelta(seconds=schedule.CLAIM_SECONDS + 1)
    try:
        with services.db.unit_of_work() as session:
            early = monitor.sweep_due_numbers(session, now=datetime.now(UTC))
        assert early == []

        with services.db.unit_of_work() as session:
            batches = monitor.sweep_due_numbers(session, now=later)
        assert [len(batch.number_ids) for batch in batches] == [100, 50]
        assert {batch.enterprise_id for batch in batches} == {uuid.UUID(enterprise_id)}
        assert len({batch.workflow_id for batch in batches}) == 2

        with services.db.unit_of_work() as session:
            again = monitor.sweep_due_numbers(session, now=later)
        assert again == []

        with services.db.unit_of_work(write=False) as session:
            pending = session.scalar(
                sa.select(sa.func.count()).where(
                    ReputationNumber.next_check_at <= later
                )
            )
        assert pending == 0
    finally:
        services.db.dispose()


def test_sweep_skips_never_frequency(
    api: TestClient, settings: Settings, enterprise_id: str
) -> None:
    response = api.patch(
        f"/v2/enterprises/{enterprise_id}/reputation/frequency",
        json={"check_frequency": "never"},
    )
    assert response.status_code == 200
    services = build_services(settings)
    far = datetime.now(UTC) + timedelta(days=60)
    try:
        with services.db.unit_of_work() as session:
            assert monitor.sweep_due_numbers(session, now=far) == []
            scheduled = session.scalar(
                sa.select(sa.func.count()).where(
                    ReputationNumber.next_check_at.is_not(None)
                )
            )
        assert scheduled == 0
    finally:
        services.db.dispose()

    back = api.patch(
        f"/v2/enterprises/{enterprise_id}/reputation/frequency",
        json={"check_frequency": "weekly"},
    )
    assert back.status_code == 200
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            batches = monitor.sweep_due_numbers(session, now=far)
        assert sum(len(batch.number_ids) for batch in batches) == 150
    finally:
        services.db.dispose()
