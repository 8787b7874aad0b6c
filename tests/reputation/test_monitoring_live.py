"""The scheduled monitoring sweep refreshes due numbers in a live server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from numrep.app import build_services
from numrep.reputation.models import ReputationNumber
from numrep.settings import Settings
from tests.conftest import TEST_SECRET, AccountKeys
from tests.reputation import flows
from tests.support.live import LiveServer

NUMBERS = flows.US_NUMBERS[:3]


@pytest.fixture
def sweeping_server(settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    """A live server whose monitoring sweep runs every two seconds."""
    server = LiveServer(
        {
            "NUMREP_DATA_DIR": str(settings.data_dir),
            "NUMREP_DATABASE_URL": settings.resolved_database_url,
            "NUMREP_SECRET_KEY": TEST_SECRET,
            "NUMREP_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            "NUMREP_SANDBOX_TIME_SCALE": "0.0005",
            "NUMREP_REPUTATION_MONITORING_CRON": "*/2 * * * * *",
            "NUMREP_LOG_LEVEL": "WARNING",
        },
        tmp_path / "server.log",
    )
    server.start()
    yield server
    server.stop()


def test_sweep_refreshes_due_numbers(
    sweeping_server: LiveServer, account: AccountKeys, settings: Settings
) -> None:
    with httpx.Client(
        base_url=sweeping_server.base_url, headers=account.headers(), timeout=30
    ) as client:
        enterprise_id = _approved(client, account)
        flows.add_inventory(client, account, NUMBERS)
        assert flows.associate(client, enterprise_id, NUMBERS).status_code == 201
        first = _refreshed_at(client, enterprise_id, after=None)

        # Make every number overdue, as if its period had passed.
        services = build_services(settings)
        try:
            with services.db.unit_of_work() as session:
                session.execute(
                    sa.update(ReputationNumber).values(
                        next_check_at=datetime.now(UTC) - timedelta(minutes=1)
                    )
                )
        finally:
            services.db.dispose()

        second = _refreshed_at(client, enterprise_id, after=first)
        assert all(second[number] > first[number] for number in NUMBERS)
        listed = client.get(f"/v2/enterprises/{enterprise_id}/reputation/numbers")
        next_checks = _next_checks(settings)
        assert len(listed.json()["data"]) == len(NUMBERS)
        assert len(next_checks) == len(NUMBERS)
        assert all(moment > datetime.now(UTC) for moment in next_checks)


def _approved(client: httpx.Client, account: AccountKeys) -> str:
    flows.agree_terms(client)
    enterprise_id = flows.create_enterprise(client)
    response = flows.enable(
        client,
        enterprise_id,
        loa_document_id=flows.upload_loa(client),
        check_frequency="daily",
    )
    assert response.status_code == 201
    deadline = time.monotonic() + 30
    path = f"/v2/enterprises/{enterprise_id}/reputation"
    while client.get(path).json()["data"]["status"] != "approved":
        assert time.monotonic() < deadline, "vetting did not approve within 30 s"
        time.sleep(0.1)
    flows.approve_loa(client, account, enterprise_id)
    return enterprise_id


def _refreshed_at(
    client: httpx.Client, enterprise_id: str, *, after: dict[str, str] | None
) -> dict[str, str]:
    """Wait until every number has data newer than ``after``; return the times."""
    deadline = time.monotonic() + 45
    while True:
        rows = client.get(f"/v2/enterprises/{enterprise_id}/reputation/numbers")
        times = {
            row["phone_number"]: row["reputation_data"]["last_refreshed_at"]
            for row in rows.json()["data"]
            if row["reputation_data"] is not None
        }
        fresh = len(times) == len(NUMBERS) and (
            after is None or all(times[number] > after[number] for number in NUMBERS)
        )
        if fresh:
            return times
        assert time.monotonic() < deadline, f"numbers not refreshed: {times}"
        time.sleep(0.2)


def _next_checks(settings: Settings) -> list[datetime]:
    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            return [
                moment
                for moment in session.scalars(sa.select(ReputationNumber.next_check_at))
                if moment is not None
            ]
    finally:
        services.db.dispose()
