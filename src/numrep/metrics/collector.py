"""Gauges read from the database at scrape time: queue depths and review cases.

Each gauge costs one grouped query. Queue depths read DBOS's
``workflow_status`` filtered on the ENQUEUED, PENDING and DELAYED states, which
DBOS 3.4.0 keeps partial indexes for, so PostgreSQL can skip finished
workflows. The values describe the whole deployment, not this host, so a
cluster serves them from one host (setting ``metrics_database_gauges``) or
aggregates them with ``max``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
import structlog
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from numrep.remediation.models import ReviewCase
from numrep.worker.runtime import QUEUES

log = structlog.get_logger(__name__)

# DBOS 3.4.0 statuses of workflows that wait on a queue or run from one.
QUEUE_STATES = ("ENQUEUED", "PENDING", "DELAYED")
# A scrape gives up on a slow query instead of piling up behind it.
STATEMENT_TIMEOUT_MS = 5000

# queue_name, status, count
QueueRow = sa.Row[str, str, int]
# network, tier, state, count
CaseRow = sa.Row[str, int, str, int]


def queue_depth_query(*, sqlite: bool) -> sa.TextClause:
    # DBOS keeps its tables in the "dbos" schema on PostgreSQL and unqualified
    # in the same SQLite file.
    table = "workflow_status" if sqlite else "dbos.workflow_status"
    states = ", ".join(f"'{state}'" for state in QUEUE_STATES)
    return sa.text(
        f"SELECT queue_name, status, COUNT(*) FROM {table} "  # noqa: S608
        f"WHERE status IN ({states}) AND queue_name IS NOT NULL "
        "GROUP BY queue_name, status"
    )


def review_case_query() -> sa.Select[str, int, str, int]:
    # NOTE: this scans every review case ever opened. The result cache of
    # DatabaseCollector and the statement timeout bound what a scrape costs.
    return sa.select(
        ReviewCase.network, ReviewCase.tier, ReviewCase.state, sa.func.count()
    ).group_by(ReviewCase.network, ReviewCase.tier, ReviewCase.state)


class DatabaseCollector(Collector):
    """Read the database gauges, at most once per ``cache_seconds``.

    A failed query is logged and reported as ``numrep_metrics_database_up 0``
    with no other database gauges, so a scrape still returns the counters.
    """

    def __init__(self, engine: sa.Engine, *, cache_seconds: float) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._cached: list[Metric] = []

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            now = time.monotonic()
            if now - self._read_at >= self.cache_seconds:
                self._cached = self._read()
                self._read_at = now
            families = list(self._cached)
        yield from families

    def _read(self) -> list[Metric]:
        up = GaugeMetricFamily(
            "numrep_metrics_database_up",
            "1 when the last read of the database gauges succeeded, else 0.",
        )
        try:
            queues, cases = self._query()
        except sa.exc.SQLAlchemyError as error:
            log.warning("metrics.database_read_failed", error=type(error).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, queue_depths(queues), review_cases(cases)]

    def _query(self) -> tuple[Sequence[QueueRow], Sequence[CaseRow]]:
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.connect() as connection, connection.begin():
            if not sqlite:
                connection.execute(
                    sa.text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
                )
            queues = connection.execute(queue_depth_query(sqlite=sqlite)).all()
            cases = connection.execute(review_case_query()).all()
        return queues, cases


def queue_depths(rows: Sequence[QueueRow]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "numrep_queue_workflows",
        "Workflows on each DBOS queue by state: enqueued (waiting), pending "
        "(running) or delayed (waiting for a start time). Deployment-wide.",
        labels=("queue", "state"),
    )
    counts = {(spec.name, state): 0 for spec in QUEUES for state in QUEUE_STATES}
    for queue, state, count in rows:
        counts[(queue, state)] = count
    # Known queues report 0 rather than vanish, so alerts can tell an empty
    # queue from a missing scrape.
    for (queue, state), count in sorted(counts.items()):
        family.add_metric([queue, state.lower()], count)
    return family


def review_cases(rows: Sequence[CaseRow]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "numrep_remediation_numbers",
        "Remediation numbers in review by network, tier and case state; a number "
        "counts once per network and tier it was sent to. Deployment-wide.",
        labels=("network", "tier", "state"),
    )
    for network, tier, state, count in rows:
        family.add_metric([network, str(tier), state], count)
    return family
