"""Wiring of the DBOS queue engine: launch, queues and transactional enqueue.

Our tables are the source of truth; DBOS only carries "run this stage now"
messages. Its system tables live in the same database (the same SQLite file, or
the ``dbos`` schema on PostgreSQL), so a row and the message that acts on it
commit in one transaction.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from dbos import DBOS, DBOSConfig
from dbos.cli.migration import run_dbos_database_migrations

from numrep.core.db import Database
from numrep.settings import Settings
from numrep.worker import context, jobs
from numrep.worker.heartbeat import HeartbeatThread

log = structlog.get_logger(__name__)

APP_NAME = "numrep"


@dataclass(frozen=True, slots=True)
class QueueSpec:
    name: str
    worker_concurrency: int
    # Polled every queue_poll_seconds when True, else every
    # background_queue_poll_seconds.
    latency_sensitive: bool

    def poll_seconds(self, settings: Settings) -> float:
        if self.latency_sensitive:
            return settings.queue_poll_seconds
        return settings.background_queue_poll_seconds


# Each worker process runs at most this many workflows of a queue at once.
# DBOS 3.4.0 polls each queue on a fixed interval whether or not it has work,
# and each poll runs a few queries. With all four queues at 0.1 s an idle worker
# used about 0.13 of a core on a 2-core AMD EPYC (bench/bench_workers.py), so
# only remediation stages and webhook deliveries, which wait for a poll, get it.
QUEUES: Sequence[QueueSpec] = (
    QueueSpec("remediation", worker_concurrency=4, latency_sensitive=True),
    QueueSpec("networks", worker_concurrency=8, latency_sensitive=False),
    QueueSpec("webhooks", worker_concurrency=16, latency_sensitive=True),
    QueueSpec("monitoring", worker_concurrency=2, latency_sensitive=False),
)


def executor_id(settings: Settings) -> str:
    return settings.executor_id or socket.gethostname()


def migrate_system_tables(database_url: str) -> None:
    """Create or upgrade DBOS's own tables; idempotent."""
    run_dbos_database_migrations(system_database_url=database_url, schema="dbos")


class WorkerRuntime:
    """Runs stage workflows in this process: DBOS launch, queues and schedules."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.database_url = settings.resolved_database_url
        self.executor_id = executor_id(settings)
        self.running = False
        self.heartbeat: HeartbeatThread | None = None
        context.install(database, settings)

    def launch(self, queues: Sequence[str] | None = None) -> None:
        """Start DBOS in this process and serve ``queues`` (default: all)."""
        from numrep.worker import registry

        served = list(queues or self.settings.worker_queues)
        # Built before launch so an invalid timeout fails before DBOS starts.
        heartbeat = self._heartbeat(served)
        registry.import_task_modules()
        config: DBOSConfig = {
            "name": APP_NAME,
            "system_database_url": self.database_url,
            "application_version": self.settings.application_version,
            "executor_id": self.executor_id,
            "log_level": self.settings.log_level.upper(),
            "notification_listener_polling_interval_sec": 0.2,
            "scheduler_polling_interval_sec": 5.0,
        }
        if not self.settings.is_sqlite:
            config["sys_db_pool_size"] = self.settings.dbos_pool_size
        DBOS(config=config)
        DBOS.listen_queues(served)
        DBOS.launch()
        for spec in QUEUES:
            DBOS.register_queue(
                spec.name,
                worker_concurrency=spec.worker_concurrency,
                polling_interval_sec=spec.poll_seconds(self.settings),
            )
        registry.register_schedules(self.settings)
        self.running = True
        self.heartbeat = heartbeat
        heartbeat.start()
        log.info("worker.started", executor_id=self.executor_id, queues=served)

    def _heartbeat(self, served: Sequence[str]) -> HeartbeatThread:
        return HeartbeatThread(
            self.database,
            executor_id=self.executor_id,
            queues=served,
            interval=self.settings.worker_heartbeat_interval_seconds,
            timeout=self.settings.worker_heartbeat_timeout_seconds,
        )

    def shutdown(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
            self.heartbeat = None
        if self.running:
            DBOS.destroy(destroy_registry=False)
            self.running = False
            log.info("worker.stopped", executor_id=self.executor_id)
        jobs.close_clients()
