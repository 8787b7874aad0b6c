"""Separate API and worker processes on one PostgreSQL database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from numrep.core.db import create_db_engine
from numrep.network.sandbox_models import SandboxReview
from numrep.remediation.models import ReviewCase
from numrep.settings import Settings
from numrep.worker.models import WorkerHeartbeat
from tests.conftest import AccountKeys, create_test_account, live_env, make_settings
from tests.remediation.test_pipeline import BUCKETS, PURPOSE
from tests.support.databases import POSTGRES_ENV, PostgresTemplate
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers
from tests.support.workers import WorkerProcess


@pytest.fixture
def pg_settings(
    postgres_template: PostgresTemplate | None, tmp_path: Path
) -> Iterator[Settings]:
    """Settings on a fresh PostgreSQL database; several processes need a server."""
    if postgres_template is None:
        pytest.skip(
            f"several worker processes need PostgreSQL: set {POSTGRES_ENV} "
            "(scripts/pg-test-server start)"
        )
    url = postgres_template.fresh()
    yield make_settings(url, tmp_path / "data")
    postgres_template.drop(url)


@pytest.fixture
def pg_account(pg_settings: Settings) -> AccountKeys:
    return create_test_account(pg_settings)


class Cluster:
    """An API process without a worker plus worker processes on one database."""

    def __init__(self, settings: Settings, folder: Path, **env: str) -> None:
        self.env = live_env(settings, **env)
        self.folder = folder
        self.api = LiveServer(self.env, folder / "api.log")
        self.workers: list[WorkerProcess] = []

    def start(self, *executor_ids: str) -> None:
        self.api.start("--no-worker")
        for executor_id in executor_ids:
            worker = WorkerProcess(
                self.env, executor_id, self.folder / f"{executor_id}.log"
            )
            self.workers.append(worker)
            worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.api.stop()


def _rows(settings: Settings, query: sa.Select[Any]) -> list[Any]:
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(query).all())
    finally:
        engine.dispose()


WORKFLOWS = sa.table(
    "workflow_status",
    sa.column("workflow_uuid"),
    sa.column("status"),
    sa.column("executor_id"),
    sa.column("queue_name"),
    schema="dbos",
)


def _submit_all(
    cluster: Cluster, enterprise_id: Any, account: AccountKeys, batches: list[list[str]]
) -> tuple[str, list[str]]:
    path = (
        f"{cluster.api.base_url}/v2/enterprises/{enterprise_id}/reputation/remediation"
    )
    request_ids: list[str] = []
    with httpx.Client(headers=account.headers(), timeout=120) as http:
        for batch in batches:
            created = http.post(
                path, json={"phone_numbers": batch, "call_purpose": PURPOSE}
            )
            assert created.status_code == 202, created.text
            request_ids.append(created.json()["data"]["id"])
    return path, request_ids


def _wait_all_completed(
    path: str, account: AccountKeys, request_ids: list[str], timeout: float
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    done: dict[str, dict[str, Any]] = {}
    with httpx.Client(headers=account.headers(), timeout=60) as http:
        while len(done) < len(request_ids) and time.monotonic() < deadline:
            for request_id in request_ids:
                if request_id in done:
                    continue
                data = http.get(f"{path}/{request_id}").json()["data"]
                if data["status"] in ("completed", "failed"):
                    done[request_id] = data
            time.sleep(1.0)
    missing = [request_id for request_id in request_ids if request_id not in done]
    assert not missing, f"requests not finished after {timeout} s: {missing}"
    return [done[request_id] for request_id in request_ids]


def _assert_results(
    results: list[dict[str, Any]], batches: list[list[str]], settings: Settings
) -> None:
    for data, batch in zip(results, batches, strict=True):
        assert data["status"] == "completed", data
        placed = [number for bucket in BUCKETS for number in data["results"][bucket]]
        assert sorted(placed) == sorted(batch)
    automated_cases = _rows(
        settings,
        sa.select(sa.func.count())
        .select_from(ReviewCase)
        .where(ReviewCase.review_id.is_not(None)),
    )[0][0]
    sandbox_reviews = _rows(
        settings, sa.select(sa.func.count()).select_from(SandboxReview)
    )[0][0]
    assert automated_cases > 0
    # Each automated case opens exactly one review at its network.
    assert sandbox_reviews == automated_cases


def test_two_workers_share_remediation(
    pg_settings: Settings, pg_account: AccountKeys, tmp_path: Path
) -> None:
    numbers = us_numbers(20 * 500)
    batches = [numbers[index * 500 : (index + 1) * 500] for index in range(20)]
    enterprise_id = approved_enterprise(pg_settings, pg_account.account_id, numbers)
    cluster = Cluster(pg_settings, tmp_path, NUMREP_TIER2_DEADLINE_HOURS="0.003")
    try:
        cluster.start("worker-a", "worker-b")
        path, request_ids = _submit_all(cluster, enterprise_id, pg_account, batches)
        results = _wait_all_completed(path, pg_account, request_ids, timeout=420)
    finally:
        cluster.stop()

    _assert_results(results, batches, pg_settings)
    per_executor = dict(
        _rows(
            pg_settings,
            sa.select(WORKFLOWS.c.executor_id, sa.func.count())
            .where(WORKFLOWS.c.queue_name == "remediation")
            .group_by(WORKFLOWS.c.executor_id),
        )
    )
    assert set(per_executor) == {"worker-a", "worker-b"}, per_executor
    assert per_executor["worker-a"] > 0
    assert per_executor["worker-b"] > 0
    exit_codes = [worker.stop() for worker in cluster.workers]
    assert exit_codes == [0, 0]


def _pending_on(settings: Settings, executor_id: str) -> set[str]:
    rows = _rows(
        settings,
        sa.select(WORKFLOWS.c.workflow_uuid).where(
            WORKFLOWS.c.executor_id == executor_id, WORKFLOWS.c.status == "PENDING"
        ),
    )
    return {row[0] for row in rows}


def test_killed_worker_work_is_recovered(
    pg_settings: Settings, pg_account: AccountKeys, tmp_path: Path
) -> None:
    numbers = us_numbers(6 * 300)
    batches = [numbers[index * 300 : (index + 1) * 300] for index in range(6)]
    enterprise_id = approved_enterprise(pg_settings, pg_account.account_id, numbers)
    # Tier-1 reviews take about 5 s at this scale, so stages are still in
    # flight when the worker dies. A 4 s heartbeat timeout keeps the wait short.
    cluster = Cluster(
        pg_settings,
        tmp_path,
        NUMREP_SANDBOX_TIME_SCALE="0.003",
        NUMREP_TIER2_DEADLINE_HOURS="0.003",
        NUMREP_WORKER_HEARTBEAT_INTERVAL_SECONDS="1",
        NUMREP_WORKER_HEARTBEAT_TIMEOUT_SECONDS="4",
    )
    try:
        cluster.start("worker-a", "worker-b")
        victim, survivor = cluster.workers
        path, request_ids = _submit_all(cluster, enterprise_id, pg_account, batches)
        deadline = time.monotonic() + 60
        while not _pending_on(pg_settings, "worker-a"):
            assert time.monotonic() < deadline, "worker-a never ran a workflow"
            time.sleep(0.05)
        victim.kill()
        orphaned = _pending_on(pg_settings, "worker-a")
        results = _wait_all_completed(path, pg_account, request_ids, timeout=300)
    finally:
        cluster.stop()

    assert orphaned, "worker-a finished its workflows before the kill"
    _assert_results(results, batches, pg_settings)
    heartbeat = _rows(
        pg_settings,
        sa.select(WorkerHeartbeat.recovered_by).where(
            WorkerHeartbeat.executor_id == "worker-a"
        ),
    )
    assert heartbeat == [("worker-b",)]
    finished = _rows(
        pg_settings,
        sa.select(
            WORKFLOWS.c.workflow_uuid, WORKFLOWS.c.status, WORKFLOWS.c.executor_id
        ).where(WORKFLOWS.c.workflow_uuid.in_(sorted(orphaned))),
    )
    assert {row[0] for row in finished} == orphaned
    assert {row[1] for row in finished} == {"SUCCESS"}
    assert {row[2] for row in finished} == {"worker-b"}
    assert survivor.stop() == 0
