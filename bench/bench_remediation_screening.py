"""Screening one 2,000-number request with 250 ms of latency per network call.

Runs the screening stage in process (lookup on three sandbox networks, storing
the results, opening the tier-1 reviews), without DBOS, so the time is the
stage's own. The goal is under 2 seconds: with batches of 100 and 8 calls in
flight per network, latency is paid about three times per call kind, not 20.
A run at 0 ms is the floor the ratio is taken against.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from bench import report
from bench.remediation_setup import fresh_database, tenant_with_numbers, us_numbers
from numrep.enterprise.models import Enterprise
from numrep.network.config import SandboxNetworkConfig
from numrep.remediation import pipeline, submit, tasks
from numrep.remediation.schemas import RemediationCreate
from numrep.settings import Settings
from numrep.worker import context

HEADING = "## Remediation screening of 2,000 numbers"
BATCH = 2000


def _screen_once(folder: Path, latency_ms: float) -> float:
    url = f"sqlite:///{folder}/screen-{int(latency_ms)}.db"
    database = fresh_database(url)
    numbers = us_numbers(BATCH)
    tenant = tenant_with_numbers(database, numbers)
    settings = Settings(
        data_dir=folder,
        database_url=url,
        networks=[
            SandboxNetworkConfig(name=name, latency_ms=latency_ms)
            for name in ("hiya", "first_orion", "tns")
        ],
        log_level="WARNING",
    )
    context.install(database, settings)
    tasks._gateway.cache_clear()
    with database.unit_of_work() as session:
        enterprise = session.get(Enterprise, tenant.enterprise_id)
        assert enterprise is not None
        request = submit.submit(
            session,
            account_id=tenant.account_id,
            enterprise=enterprise,
            body=RemediationCreate(phone_numbers=numbers, call_purpose="bench"),
            options=submit.SubmitOptions(
                cooldown=timedelta(days=30), allow_private_webhooks=True
            ),
        )
        request_id = str(request.id)

    started = time.perf_counter()
    with database.unit_of_work() as session:
        pipeline.start(session, uuid.UUID(request_id))
    while tasks.screen_batch(request_id) > 0:
        pass
    tasks.submit_cases(request_id, 1)
    elapsed = time.perf_counter() - started
    database.dispose()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="numrep-bench-") as folder:
        floor = _screen_once(Path(folder), 0)
        slow = _screen_once(Path(folder), 250)
    print(
        f"screening {BATCH} numbers: {floor:.2f} s at 0 ms, {slow:.2f} s at 250 ms "
        f"per call (goal < 2 s), ratio {slow / floor:.2f}"
    )
    report.append(
        HEADING,
        [
            "- command: `make bench` (`python -m bench.bench_remediation_screening`)",
            f"- machine: {report.machine()}, SQLite in a temporary folder",
            f"- workload: one request of {BATCH} numbers: lookups on 3 sandbox "
            "networks, storing the results and opening the tier-1 reviews",
            "",
            "| latency per call | seconds |",
            "|---|---|",
            f"| 0 ms (floor) | {floor:.2f} |",
            f"| 250 ms | {slow:.2f} |",
            "",
            f"Ratio of 250 ms to 0 ms: {slow / floor:.2f}; goal at 250 ms: under 2 s.",
        ],
        source="bench/bench_remediation_screening.py",
    )


if __name__ == "__main__":
    main()
