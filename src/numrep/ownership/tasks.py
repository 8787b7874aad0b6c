"""DBOS workflows of ownership tracking: baselines and the scheduled sweep."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import structlog
from dbos import DBOS

from numrep.core.clock import utcnow
from numrep.ownership import baseline, sweep
from numrep.ownership.carrier import lookup_for
from numrep.ownership.decide import Policy
from numrep.worker import context

log = structlog.get_logger(__name__)

SWEEP_WORKFLOW = "ownership.check_sweep"
SWEEP_SCHEDULE = "ownership-checks"


@DBOS.workflow(name=baseline.BASELINE_WORKFLOW)
def baseline_workflow(number_ids: list[str]) -> None:
    _baseline(number_ids)


# A repeated run only fills baselines that are still missing.
@DBOS.step(name="ownership.baseline.lookup", retries_allowed=True, max_attempts=3)
def _baseline(number_ids: list[str]) -> None:
    database = context.database()
    with database.unit_of_work() as session:
        written = baseline.establish_baselines(
            session,
            lookup_for(context.settings().carrier_lookup, session),
            number_ids=[uuid.UUID(value) for value in number_ids],
            now=utcnow(),
        )
    log.debug("ownership.baselines_recorded", numbers=len(number_ids), written=written)


@DBOS.workflow(name=SWEEP_WORKFLOW)
def sweep_workflow(scheduled_at: datetime, schedule_context: Any) -> None:
    del schedule_context
    _sweep(scheduled_at.isoformat())


# A repeated run checks only numbers not checked since it started.
@DBOS.step(name="ownership.sweep.check", retries_allowed=True, max_attempts=3)
def _sweep(scheduled_at: str) -> None:
    settings = context.settings()
    result = sweep.run_sweep(
        context.database(), settings.carrier_lookup, Policy.from_settings(settings)
    )
    log.debug("ownership.sweep_ran", scheduled_at=scheduled_at, checked=result.checked)


def register_schedule(cron: str) -> None:
    """Create or replace the ownership sweep's schedule (DBOS must be launched)."""
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
