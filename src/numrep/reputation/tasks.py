"""DBOS workflows of the reputation domain: vetting, refreshes, the sweep."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import structlog
from dbos import DBOS

from numrep.core.clock import utcnow
from numrep.reputation import lookups, monitor, refresh, vetting
from numrep.reputation.numbers import REFRESH_WORKFLOW
from numrep.reputation.service import VETTING_WORKFLOW
from numrep.worker import context

log = structlog.get_logger(__name__)

SWEEP_WORKFLOW = "reputation.monitoring_sweep"
SWEEP_SCHEDULE = "reputation-monitoring"


@DBOS.workflow(name=VETTING_WORKFLOW)
def vet_workflow(settings_id: str) -> None:
    _vet(settings_id)


@DBOS.step(name="reputation.vet.decide", retries_allowed=True, max_attempts=5)
def _vet(settings_id: str) -> None:
    with context.database().unit_of_work() as session:
        vetting.run_vetting(session, settings_id=uuid.UUID(settings_id))


@DBOS.workflow(name=REFRESH_WORKFLOW)
def refresh_workflow(number_ids: list[str]) -> None:
    _refresh(number_ids)


# A repeated run looks the numbers up again and stores one more snapshot, which
# is harmless, so the step may retry after a lock timeout or a crash.
@DBOS.step(name="reputation.refresh.lookup", retries_allowed=True, max_attempts=5)
def _refresh(number_ids: list[str]) -> None:
    database = context.database()
    gateway = lookups.gateway_for(context.settings(), database)
    failed = refresh.refresh_by_ids(
        database, gateway, number_ids=[uuid.UUID(value) for value in number_ids]
    )
    if failed:
        log.warning(
            "reputation.refresh_incomplete",
            numbers=len(number_ids),
            unanswered=len(failed),
        )


@DBOS.workflow(name=SWEEP_WORKFLOW)
def sweep_workflow(scheduled_at: datetime, schedule_context: Any) -> None:
    del schedule_context
    _sweep(scheduled_at.isoformat())


@DBOS.step(name="reputation.sweep.claim", retries_allowed=True, max_attempts=5)
def _sweep(scheduled_at: str) -> None:
    with context.database().unit_of_work() as session:
        batches = monitor.sweep_due_numbers(session, now=utcnow())
    log.debug("reputation.sweep_ran", scheduled_at=scheduled_at, batches=len(batches))


def register_schedule(cron: str) -> None:
    """Create or replace the monitoring sweep's schedule (DBOS must be launched)."""
    DBOS.apply_schedules(
        [
            {
                "schedule_name": SWEEP_SCHEDULE,
                "workflow_fn": sweep_workflow,
                "schedule": cron,
                "queue_name": "monitoring",
            }
        ]
    )
