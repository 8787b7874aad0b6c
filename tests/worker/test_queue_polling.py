"""Polling interval of each queue, as a running worker registers it with DBOS."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from numrep.core.db import create_db_engine
from numrep.settings import Settings
from numrep.worker.runtime import QUEUES
from tests.support.live import LiveServer


def _registered_intervals(settings: Settings) -> dict[str, float]:
    """Return the polling interval of each queue in DBOS's queue table, by name."""
    engine = create_db_engine(settings.resolved_database_url)
    # DBOS keeps its tables in the schema "dbos" on PostgreSQL and unqualified
    # in numrep's own file on SQLite.
    schema = None if settings.is_sqlite else "dbos"
    queues = sa.table(
        "queues",
        sa.column("name"),
        sa.column("polling_interval_sec"),
        schema=schema,
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(queues.c.name, queues.c.polling_interval_sec)
            ).all()
    finally:
        engine.dispose()
    return {str(name): float(seconds) for name, seconds in rows}


def test_worker_polls_background_queues_less(
    settings: Settings, live_server_with: Callable[..., LiveServer]
) -> None:
    live_server_with(
        NUMREP_QUEUE_POLL_SECONDS="0.2", NUMREP_BACKGROUND_QUEUE_POLL_SECONDS="0.7"
    )

    intervals = _registered_intervals(settings)

    for spec in QUEUES:
        assert spec.name in intervals, intervals
    assert intervals["remediation"] == 0.2
    assert intervals["webhooks"] == 0.2
    assert intervals["networks"] == 0.7
    assert intervals["monitoring"] == 0.7


def test_background_poll_default_is_longer() -> None:
    defaults = Settings()

    assert defaults.background_queue_poll_seconds > defaults.queue_poll_seconds
