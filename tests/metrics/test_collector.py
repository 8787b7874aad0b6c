"""The database gauges on SQLite and PostgreSQL, read in this process."""

from __future__ import annotations

import uuid
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from numrep.core.db import Database, create_db_engine
from numrep.metrics.collector import DatabaseCollector
from numrep.worker import jobs
from numrep.worker.runtime import QUEUES
from tests.metrics.helpers import Scrape, parse

DEPTH = "numrep_queue_workflows"


def read(collector: DatabaseCollector) -> Scrape:
    registry = CollectorRegistry()
    registry.register(collector)
    return parse(generate_latest(registry).decode())


def enqueue(db: Database, *, queue: str, delay_seconds: float | None = None) -> None:
    with db.unit_of_work() as session:
        jobs.enqueue(
            session,
            queue=queue,
            workflow="numrep.tests.never_runs",
            workflow_id=f"metrics-test-{uuid.uuid4()}",
            delay_seconds=delay_seconds,
        )


def test_queue_depth_by_state(db: Database) -> None:
    enqueue(db, queue="webhooks")
    enqueue(db, queue="webhooks")
    enqueue(db, queue="remediation", delay_seconds=3600)
    result = read(DatabaseCollector(db.engine, cache_seconds=0))

    assert result.value("numrep_metrics_database_up") == 1
    assert result.value(DEPTH, queue="webhooks", state="enqueued") == 2
    assert result.value(DEPTH, queue="remediation", state="delayed") == 1
    assert result.value(DEPTH, queue="remediation", state="enqueued") == 0
    reported = {sample.labels["queue"] for sample in result.samples[DEPTH]}
    assert reported == {spec.name for spec in QUEUES}


def test_cache_reuses_previous_read(db: Database) -> None:
    collector = DatabaseCollector(db.engine, cache_seconds=3600)
    before = read(collector).value(DEPTH, queue="webhooks", state="enqueued")
    enqueue(db, queue="webhooks")
    cached = read(collector).value(DEPTH, queue="webhooks", state="enqueued")
    fresh = DatabaseCollector(db.engine, cache_seconds=0)

    assert cached == before
    assert read(fresh).value(DEPTH, queue="webhooks", state="enqueued") == before + 1


def test_failed_read_reports_down(tmp_path: Path) -> None:
    # An empty SQLite file has neither DBOS's tables nor numrep's.
    engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        result = read(DatabaseCollector(engine, cache_seconds=0))
    finally:
        engine.dispose()

    assert result.value("numrep_metrics_database_up") == 0
    assert DEPTH not in result.samples
    assert "numrep_remediation_numbers" not in result.samples
