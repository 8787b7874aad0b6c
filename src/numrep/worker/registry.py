"""The one place where task modules and schedules are registered."""

from __future__ import annotations

import importlib

from numrep.settings import Settings

# Modules whose import declares DBOS workflows; DBOS needs them before launch.
TASK_MODULES: tuple[str, ...] = (
    "numrep.webhook.tasks",
    "numrep.remediation.tasks",
    "numrep.ownership.tasks",
)


def import_task_modules() -> None:
    for name in TASK_MODULES:
        importlib.import_module(name)


def register_schedules(settings: Settings) -> None:
    """Create the periodic workflows (monitoring, sweeps) once DBOS is launched."""
    from numrep.ownership import tasks as ownership_tasks
    from numrep.reputation import tasks as reputation_tasks
    from numrep.webhook import tasks as webhook_tasks

    reputation_tasks.register_schedule(settings.reputation_monitoring_cron)
    ownership_tasks.register_schedule(settings.ownership_check_cron)
    webhook_tasks.on_worker_start(settings)
