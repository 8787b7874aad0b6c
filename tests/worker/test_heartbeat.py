"""Heartbeat rows, dead-executor claims and ``numrep worker`` on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from numrep.app import build_services
from numrep.core.clock import utcnow
from numrep.settings import Settings
from numrep.worker.heartbeat import (
    check_timing,
    claim_dead_executors,
    record_heartbeat,
    release_claim,
)
from numrep.worker.models import WorkerHeartbeat
from tests.conftest import TEST_SECRET
from tests.support.live import LiveServer

TIMEOUT = timedelta(seconds=30)


def _age(settings: Settings, executor_id: str, seconds: float) -> None:
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            session.execute(
                sa.update(WorkerHeartbeat)
                .where(WorkerHeartbeat.executor_id == executor_id)
                .values(last_seen_at=utcnow() - timedelta(seconds=seconds))
            )
    finally:
        services.db.dispose()


def test_claim_goes_to_one_sweeper(settings: Settings) -> None:
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            for executor_id in ("dead", "alive", "sweeper-1"):
                record_heartbeat(
                    session,
                    executor_id=executor_id,
                    queues=["remediation"],
                    started_at=utcnow(),
                )
        _age(settings, "dead", 31)
        with services.db.unit_of_work() as session:
            first = claim_dead_executors(session, claimer="sweeper-1", timeout=TIMEOUT)
        with services.db.unit_of_work() as session:
            second = claim_dead_executors(session, claimer="sweeper-2", timeout=TIMEOUT)
        with services.db.unit_of_work() as session:
            row = session.get(WorkerHeartbeat, "dead")
            assert row is not None
            recovered_by = row.recovered_by
    finally:
        services.db.dispose()
    assert first == ["dead"]
    assert second == []
    assert recovered_by == "sweeper-1"


def test_claim_skips_own_row(settings: Settings) -> None:
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            record_heartbeat(
                session, executor_id="self", queues=["webhooks"], started_at=utcnow()
            )
        _age(settings, "self", 300)
        with services.db.unit_of_work() as session:
            claimed = claim_dead_executors(session, claimer="self", timeout=TIMEOUT)
    finally:
        services.db.dispose()
    assert claimed == []


def test_beat_and_release_reopen_claim(settings: Settings) -> None:
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            record_heartbeat(
                session, executor_id="flaky", queues=["networks"], started_at=utcnow()
            )
        _age(settings, "flaky", 60)
        with services.db.unit_of_work() as session:
            assert claim_dead_executors(session, claimer="a", timeout=TIMEOUT) == [
                "flaky"
            ]
        with services.db.unit_of_work() as session:
            release_claim(session, executor_id="flaky", claimer="a")
        with services.db.unit_of_work() as session:
            assert claim_dead_executors(session, claimer="b", timeout=TIMEOUT) == [
                "flaky"
            ]
        # The executor comes back: its beat clears the claim and it is alive.
        with services.db.unit_of_work() as session:
            record_heartbeat(
                session, executor_id="flaky", queues=["networks"], started_at=utcnow()
            )
        with services.db.unit_of_work() as session:
            row = session.get(WorkerHeartbeat, "flaky")
            assert row is not None
            recovered_by = row.recovered_by
            reclaimed = claim_dead_executors(session, claimer="c", timeout=TIMEOUT)
    finally:
        services.db.dispose()
    assert recovered_by is None
    assert reclaimed == []


def test_worker_rejects_sqlite(sqlite_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NUMREP_DATABASE_URL": sqlite_url,
        "NUMREP_DATA_DIR": str(tmp_path / "data"),
        "NUMREP_SECRET_KEY": TEST_SECRET,
    }
    result = subprocess.run(
        [sys.executable, "-m", "numrep.cli.main", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "numrep worker failed: the database is SQLite" in result.stderr
    assert "PostgreSQL" in result.stderr
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            beats = connection.scalar(
                sa.select(sa.func.count()).select_from(WorkerHeartbeat)
            )
    finally:
        engine.dispose()
    assert beats == 0


def test_serve_records_heartbeat(live_server: LiveServer, settings: Settings) -> None:
    assert live_server.process is not None
    engine = sa.create_engine(settings.resolved_database_url)
    query = sa.select(WorkerHeartbeat.pid, WorkerHeartbeat.queues)
    rows: Sequence[sa.Row[int, str]] = ()
    deadline = time.monotonic() + 30
    try:
        while not rows and time.monotonic() < deadline:
            with engine.connect() as connection:
                rows = connection.execute(query).all()
            time.sleep(0.2)
    finally:
        engine.dispose()
    assert len(rows) == 1
    assert rows[0].pid == live_server.process.pid
    assert rows[0].queues == "remediation,networks,webhooks,monitoring"


def test_timing_rejects_short_timeout() -> None:
    with pytest.raises(ValueError, match=r"heartbeat timeout 10\.0 s"):
        check_timing(interval=5.0, timeout=10.0)
    check_timing(interval=5.0, timeout=10.5)
