"""Worker heartbeats and recovery of the pending workflows of dead workers.

DBOS 3.4.0 recovers a process's PENDING workflows only when a process with the
same executor id starts again. A worker that never comes back would strand its
work, so every worker records a heartbeat and recovers the workflows of
executors whose heartbeat is older than the timeout.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from dbos import DBOS
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.worker.models import WorkerHeartbeat

log = structlog.get_logger(__name__)


def record_heartbeat(
    session: Session,
    *,
    executor_id: str,
    queues: Sequence[str],
    started_at: datetime,
) -> None:
    """Insert or refresh the heartbeat row of ``executor_id``.

    A beat also clears ``recovered_by``, so an executor that comes back can be
    recovered again if it dies a second time.
    """
    now = utcnow()
    values = {
        "queues": ",".join(queues),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": started_at,
        "last_seen_at": now,
        "recovered_by": None,
        "recovered_at": None,
    }
    updated = session.execute(
        sa.update(WorkerHeartbeat)
        .where(WorkerHeartbeat.executor_id == executor_id)
        .values(**values)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.add(WorkerHeartbeat(executor_id=executor_id, **values))
    session.flush()


def claim_dead_executors(
    session: Session, *, claimer: str, timeout: timedelta
) -> list[str]:
    """Claim the executors silent for longer than ``timeout`` and return their ids.

    The claim is a conditional UPDATE, so when two live workers sweep at once
    each dead executor goes to exactly one of them.
    """
    cutoff = utcnow() - timeout
    stale = session.scalars(
        sa.select(WorkerHeartbeat.executor_id).where(
            WorkerHeartbeat.last_seen_at < cutoff,
            WorkerHeartbeat.recovered_by.is_(None),
            WorkerHeartbeat.executor_id != claimer,
        )
    ).all()
    claimed: list[str] = []
    for executor_id in stale:
        result = session.execute(
            sa.update(WorkerHeartbeat)
            .where(
                WorkerHeartbeat.executor_id == executor_id,
                WorkerHeartbeat.last_seen_at < cutoff,
                WorkerHeartbeat.recovered_by.is_(None),
            )
            .values(recovered_by=claimer, recovered_at=utcnow())
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(executor_id)
    return claimed


def release_claim(session: Session, *, executor_id: str, claimer: str) -> None:
    """Undo a claim whose recovery failed, so the next sweep tries again."""
    session.execute(
        sa.update(WorkerHeartbeat)
        .where(
            WorkerHeartbeat.executor_id == executor_id,
            WorkerHeartbeat.recovered_by == claimer,
        )
        .values(recovered_by=None, recovered_at=None)
    )


def check_timing(*, interval: float, timeout: float) -> None:
    """Raise ``ValueError`` unless ``timeout`` is more than twice ``interval``."""
    if timeout <= 2 * interval:
        raise ValueError(
            f"invalid worker heartbeat timeout {timeout} s: it must be more "
            f"than twice the interval {interval} s, or live workers are taken "
            "for dead. Raise NUMREP_WORKER_HEARTBEAT_TIMEOUT_SECONDS or lower "
            "NUMREP_WORKER_HEARTBEAT_INTERVAL_SECONDS."
        )


class HeartbeatThread(threading.Thread):
    """Background thread that records this executor's heartbeat and sweeps.

    Every ``interval`` seconds it beats, then recovers the executors that have
    been silent for longer than ``timeout`` seconds.
    """

    def __init__(
        self,
        database: Database,
        *,
        executor_id: str,
        queues: Sequence[str],
        interval: float,
        timeout: float,
    ) -> None:
        check_timing(interval=interval, timeout=timeout)
        super().__init__(name=f"heartbeat-{executor_id}", daemon=True)
        self.database = database
        self.executor_id = executor_id
        self.queues = list(queues)
        self.interval = interval
        self.timeout = timedelta(seconds=timeout)
        self.started_at = utcnow()
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.tick()
            except Exception as error:
                # A failed beat must not end the thread: the next one may succeed,
                # and a thread that stopped would get this worker taken for dead.
                log.error(
                    "worker.heartbeat_failed",
                    executor_id=self.executor_id,
                    error=str(error),
                )
            self._stopped.wait(self.interval)

    def stop(self) -> None:
        self._stopped.set()
        if self.is_alive():
            self.join(timeout=self.interval + 5)

    def tick(self) -> None:
        """Beat once, then recover the executors that went silent."""
        with self.database.unit_of_work() as session:
            record_heartbeat(
                session,
                executor_id=self.executor_id,
                queues=self.queues,
                started_at=self.started_at,
            )
        with self.database.unit_of_work() as session:
            claimed = claim_dead_executors(
                session, claimer=self.executor_id, timeout=self.timeout
            )
        for dead in claimed:
            self._recover(dead)

    def _recover(self, dead: str) -> None:
        try:
            handles = DBOS._recover_pending_workflows([dead])
        except Exception as error:
            # Any failure, not only a database error, must free the claim.
            log.error(
                "worker.recovery_failed",
                executor_id=self.executor_id,
                dead_executor_id=dead,
                error=str(error),
            )
            with self.database.unit_of_work() as session:
                release_claim(session, executor_id=dead, claimer=self.executor_id)
            return
        log.warning(
            "worker.recovered_dead_executor",
            executor_id=self.executor_id,
            dead_executor_id=dead,
            workflows=len(handles),
        )
