"""DBOS workflows of webhook delivery: one attempt per workflow, and the sweep.

Importing this module registers the workflows; ``numrep.worker.registry`` does
that before DBOS launches.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime
from typing import Any

from dbos import DBOS

from numrep.settings import Settings
from numrep.webhook import service
from numrep.webhook.delivery import Deliverer, sweep_overdue
from numrep.webhook.signing import signing_key
from numrep.worker import context

SWEEP_SCHEDULE_NAME = "webhook.sweep"
# Every minute, at second 0 (cron with a seconds field).
SWEEP_CRON = "0 * * * * *"

_deliverer: Deliverer | None = None
_deliverer_lock = threading.Lock()


def deliverer() -> Deliverer:
    """Return this worker process's deliverer, created on first use."""
    global _deliverer
    with _deliverer_lock:
        if _deliverer is None:
            _deliverer = Deliverer(context.database(), context.settings())
        return _deliverer


# One step per attempt: its retries cover "database is locked" on SQLite. A
# crash or retry after the POST but before the record sends the attempt again
# with the same data.id and meta.attempt, which receivers de-duplicate.
@DBOS.step(name="webhook.attempt", retries_allowed=True, max_attempts=3)
def run_attempt(event_id: str, attempt: int) -> None:
    deliverer().run(uuid.UUID(event_id), attempt)


@DBOS.workflow(name=service.DELIVER_WORKFLOW)
def deliver(event_id: str, attempt: int) -> None:
    """Make one delivery attempt; a failure enqueues the next attempt."""
    run_attempt(event_id, attempt)


@DBOS.step(name="webhook.sweep_step")
def sweep_step() -> None:
    sweep_overdue(context.database())


@DBOS.workflow(name="webhook.sweep")
def sweep(scheduled_at: datetime, schedule_context: Any) -> None:
    """Re-enqueue overdue attempts whose message was lost."""
    del scheduled_at, schedule_context
    sweep_step()


def on_worker_start(settings: Settings) -> None:
    """Create the signing key file if missing and create or update the sweep.

    Safe to call at every start; creating the key here means the first start
    writes it rather than the first delivery.
    """
    signing_key(settings)
    DBOS.apply_schedules(
        [
            {
                "schedule_name": SWEEP_SCHEDULE_NAME,
                "workflow_fn": sweep,
                "schedule": SWEEP_CRON,
                "queue_name": service.QUEUE,
            }
        ]
    )
