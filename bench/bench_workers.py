"""Pipeline throughput with one and then two ``numrep worker`` processes.

Each run gets a fresh database on the local PostgreSQL server, one
``numrep serve --no-worker`` and its workers, the three sandbox networks at
zero latency and a tiny time scale. Reported: numbers per second from the first
submit to the last ``completed`` request, the ratio of the two runs, the CPU
seconds of each process and of the PostgreSQL backends, the cores each uses
while the cluster sits idle before the first submit, and how the workflows split
between the workers (rows of DBOS's ``workflow_status``). On a machine shared
with other work the throughput follows that work's load, so the CPU
milliseconds numrep spends per number are the steadier figure.

Options: ``--requests N`` and ``--batch M`` (default 20 of 2,000 numbers),
``--no-record`` to print without writing ``docs/benchmarks.md``.
The server comes from ``NUMREP_BENCH_POSTGRES_URL`` (default: user postgres on
127.0.0.1:55432, database postgres), which must be allowed to create databases.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench import report
from bench.remediation_setup import (
    SECRET,
    fresh_database,
    tenant_with_numbers,
    us_numbers,
)
from bench.workers_cluster import (
    BackendCpu,
    Cluster,
    load_average,
    machine_cpu_seconds,
    process_cpu_seconds,
    scratch_database,
)
from numrep.remediation.models import RemediationRequest, RequestStatus
from numrep.settings import Settings

HEADING = "## Remediation throughput with one and two workers"
ADMIN_URL = os.environ.get(
    "NUMREP_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:55432/postgres",
)
COMPLETION_TIMEOUT_SECONDS = 1800.0
SAMPLE_SECONDS = 0.25
# Seconds the started cluster sits idle while its polling CPU is measured.
IDLE_SECONDS = 10.0
WORKER_COUNTS = (1, 2)
DRIVER = "bench driver"

SPLIT_QUERY = sa.text(
    "SELECT executor_id, count(*), "
    "coalesce(sum(completed_at - started_at_epoch_ms), 0) / 1000.0, "
    "coalesce(avg(started_at_epoch_ms - greatest(created_at, "
    "coalesce(delay_until_epoch_ms, 0))), 0) / 1000.0 "
    "FROM dbos.workflow_status WHERE queue_name = 'remediation' "
    "GROUP BY executor_id ORDER BY executor_id"
)


@dataclass(frozen=True)
class Split:
    """Remediation workflows one executor ran, with their run and wait times."""

    executor_id: str
    workflows: int
    run_seconds: float
    mean_wait_seconds: float


@dataclass
class Run:
    workers: int
    numbers: int
    elapsed: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    postgres_cpu: float = 0.0
    machine_busy: float = 0.0
    load_start: float = 0.0
    load_end: float = 0.0
    splits: list[Split] = field(default_factory=list)
    # Cores used on average while no request was in flight.
    idle_cores: dict[str, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.numbers / self.elapsed

    @property
    def numrep_cpu(self) -> float:
        """CPU seconds of the API, the workers and their PostgreSQL backends."""
        own = sum(seconds for name, seconds in self.cpu.items() if name != DRIVER)
        return own + self.postgres_cpu

    @property
    def others_cpu(self) -> float:
        """CPU seconds of every other process on the machine during the run."""
        return self.machine_busy - sum(self.cpu.values()) - self.postgres_cpu


def _env(url: str, folder: Path) -> dict[str, str]:
    return {
        "NUMREP_DATA_DIR": str(folder / "data"),
        "NUMREP_DATABASE_URL": url,
        "NUMREP_SECRET_KEY": SECRET,
        "NUMREP_SANDBOX_TIME_SCALE": "0.000001",
        "NUMREP_REMEDIATION_POLL_SECONDS": "0.05",
        "NUMREP_TIER2_DEADLINE_HOURS": "0.0001",
        "NUMREP_LOG_LEVEL": "WARNING",
    }


def run_cluster(workers: int, requests: int, batch: int, folder: Path) -> Run:
    """Carry ``requests`` requests of ``batch`` numbers to completed."""
    with scratch_database(ADMIN_URL) as url:
        database = fresh_database(url)
        numbers = us_numbers(requests * batch)
        tenant = tenant_with_numbers(database, numbers)
        database.dispose()
        batches = [numbers[i * batch : (i + 1) * batch] for i in range(requests)]
        cluster = Cluster(_env(url, folder), folder)
        try:
            cluster.start([f"bench-worker-{index + 1}" for index in range(workers)])
            path = (
                f"{cluster.base_url}/v2/enterprises/{tenant.enterprise_id}"
                "/reputation/remediation"
            )
            idle_cores = _measure_idle(cluster, url)
            run = _measure(cluster, url, path, tenant.api_key, batches)
            run.idle_cores = idle_cores
        finally:
            cluster.stop()
        run.splits = _splits(url)
    return run


def _measure_idle(cluster: Cluster, url: str) -> dict[str, float]:
    """Return the cores each process and the backends use with no work queued."""
    pids = cluster.pids()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    backends = BackendCpu(sa.make_url(url).database or "")
    try:
        with engine.connect() as monitor:
            backends.sample(monitor)
            before = {
                name: process_cpu_seconds(pid) or 0.0 for name, pid in pids.items()
            }
            started = time.perf_counter()
            while time.perf_counter() - started < IDLE_SECONDS:
                time.sleep(SAMPLE_SECONDS)
                backends.sample(monitor)
            elapsed = time.perf_counter() - started
            after = {
                name: process_cpu_seconds(pid) or 0.0 for name, pid in pids.items()
            }
    finally:
        engine.dispose()
    cores = {name: (after[name] - before[name]) / elapsed for name in pids}
    cores["postgres backends"] = backends.total() / elapsed
    return cores


def _measure(
    cluster: Cluster, url: str, path: str, api_key: str, batches: list[list[str]]
) -> Run:
    run = Run(workers=len(cluster.workers), numbers=sum(map(len, batches)))
    pids = {**cluster.pids(), DRIVER: os.getpid()}
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    backends = BackendCpu(sa.make_url(url).database or "")
    try:
        with engine.connect() as monitor:
            backends.sample(monitor)
            before = {
                name: process_cpu_seconds(pid) or 0.0 for name, pid in pids.items()
            }
            busy_before, _ = machine_cpu_seconds()
            run.load_start = load_average()
            started = time.perf_counter()
            _submit(path, api_key, batches)
            _wait_completed(monitor, backends, len(batches))
            run.elapsed = time.perf_counter() - started
            busy_after, _ = machine_cpu_seconds()
            run.load_end = load_average()
            after = {
                name: process_cpu_seconds(pid) or 0.0 for name, pid in pids.items()
            }
            backends.sample(monitor)
    finally:
        engine.dispose()
    run.cpu = {name: after[name] - before[name] for name in pids}
    run.postgres_cpu = backends.total()
    run.machine_busy = busy_after - busy_before
    return run


def _submit(path: str, api_key: str, batches: list[list[str]]) -> None:
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(headers=headers, timeout=120) as http:
        for batch in batches:
            response = http.post(
                path, json={"phone_numbers": batch, "call_purpose": "bench"}
            )
            response.raise_for_status()


def _wait_completed(
    monitor: sa.Connection, backends: BackendCpu, expected: int
) -> None:
    """Poll the requests table until every request is completed."""
    query = sa.select(RemediationRequest.status, sa.func.count()).group_by(
        RemediationRequest.status
    )
    deadline = time.monotonic() + COMPLETION_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        counts = dict(monitor.execute(query).all())
        ended = counts.get(RequestStatus.FAILED, 0) + counts.get(
            RequestStatus.CANCELLED, 0
        )
        if ended:
            raise RuntimeError(f"{ended} requests failed or were cancelled: {counts}")
        if counts.get(RequestStatus.COMPLETED, 0) == expected:
            return
        backends.sample(monitor)
        time.sleep(SAMPLE_SECONDS)
    raise TimeoutError(
        f"requests not completed after {COMPLETION_TIMEOUT_SECONDS:.0f} s"
    )


def _splits(url: str) -> list[Split]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(SPLIT_QUERY).all()
    finally:
        engine.dispose()
    return [
        Split(str(row[0]), int(row[1]), float(row[2]), float(row[3])) for row in rows
    ]


def _cpu_rows(runs: list[Run]) -> list[str]:
    first = [DRIVER, "api"]
    names = first + sorted({name for run in runs for name in run.cpu} - set(first))
    rows = []
    for name in [*names, "postgres backends", "other processes", "machine"]:
        cells = []
        for run in runs:
            seconds = _cpu_of(run, name)
            cells.append(
                ""
                if seconds is None
                else f"{seconds:.1f} ({seconds / run.elapsed:.2f})"
            )
            idle = run.idle_cores.get(name)
            cells.append("" if idle is None else f"{idle:.3f}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return rows


def _cpu_of(run: Run, name: str) -> float | None:
    if name == "postgres backends":
        return run.postgres_cpu
    if name == "other processes":
        return run.others_cpu
    if name == "machine":
        return run.machine_busy
    return run.cpu.get(name)


def _split_rows(runs: list[Run]) -> list[str]:
    rows = []
    for run in runs:
        for split in run.splits:
            rows.append(
                f"| {run.workers} | {split.executor_id} | {split.workflows} | "
                f"{split.run_seconds:.1f} | {split.mean_wait_seconds:.2f} |"
            )
    return rows


def record(runs: list[Run], requests: int, batch: int) -> None:
    one, two = runs
    polls = Settings()
    ratio = two.throughput / one.throughput
    lines = [
        f"- command: `{report.command('bench_workers')}`",
        f"- machine: {report.machine()}, PostgreSQL on 127.0.0.1",
        f"- workload: {requests} requests of {batch} numbers submitted at once to "
        "one `numrep serve --no-worker`, then carried to completed by the workers; "
        "3 sandbox networks at 0 ms, time scale 0.000001",
        f"- queue polls: remediation and webhooks every {polls.queue_poll_seconds} s, "
        f"networks and monitoring every {polls.background_queue_poll_seconds} s",
        "- 1-minute load average at start and end: "
        + ", ".join(
            f"{run.load_start:.2f} / {run.load_end:.2f} with {run.workers} worker(s)"
            for run in runs
        ),
        "",
        "| workers | seconds | numbers/s |",
        "|---|---|---|",
        *[
            f"| {run.workers} | {run.elapsed:.1f} | {run.throughput:,.0f} |"
            for run in runs
        ],
        "",
        f"Ratio of 2-worker to 1-worker throughput: {ratio:.2f}. CPU of numrep "
        "(API, workers and PostgreSQL backends) per number: "
        + ", ".join(f"{_ms_per_number(run):.2f} ms with {run.workers}" for run in runs)
        + ".",
        "",
        "CPU seconds during each run (in brackets: cores used on average) and "
        f"cores used while idle ({IDLE_SECONDS:.0f} s before the first submit):",
        "",
        "| process | "
        + " | ".join(f"{run.workers} worker(s) | idle cores" for run in runs)
        + " |",
        "|---|" + "---|---|" * len(runs),
        *_cpu_rows(runs),
        "",
        "Remediation workflows per executor (run: sum of start-to-end seconds; "
        "wait: mean seconds from due to started):",
        "",
        "| workers | executor | workflows | run s | wait s |",
        "|---|---|---|---|---|",
        *_split_rows(runs),
    ]
    report.append(HEADING, lines, source="bench/bench_workers.py")


def _ms_per_number(run: Run) -> float:
    return 1000 * run.numrep_cpu / run.numbers


def _print(run: Run) -> None:
    cpu = ", ".join(
        f"{name} {seconds:.1f}" for name, seconds in sorted(run.cpu.items())
    )
    print(
        f"{run.workers} worker(s): {run.numbers} numbers in {run.elapsed:.1f} s "
        f"({run.throughput:,.0f}/s); CPU s: {cpu}, postgres {run.postgres_cpu:.1f}, "
        f"others {run.others_cpu:.1f}, machine {run.machine_busy:.1f}, "
        f"numrep {_ms_per_number(run):.2f} ms per number; "
        f"load {run.load_start:.2f} -> {run.load_end:.2f}",
        flush=True,
    )
    idle = ", ".join(f"{name} {cores:.3f}" for name, cores in run.idle_cores.items())
    print(f"  idle cores: {idle}", flush=True)
    for split in run.splits:
        print(
            f"  {split.executor_id}: {split.workflows} workflows, "
            f"run {split.run_seconds:.1f} s, mean wait {split.mean_wait_seconds:.2f} s",
            flush=True,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument(
        "--no-record", action="store_true", help="print only; leave benchmarks.md"
    )
    # bench.run calls main() with the runner's own arguments in sys.argv.
    args = parser.parse_args(argv if argv is not None else _own_arguments(sys.argv[1:]))
    runs = []
    for workers in WORKER_COUNTS:
        with tempfile.TemporaryDirectory(prefix="numrep-bench-workers-") as folder:
            run = run_cluster(workers, args.requests, args.batch, Path(folder))
        _print(run)
        runs.append(run)
    ratio = runs[1].throughput / runs[0].throughput
    print(f"ratio 2 workers / 1 worker: {ratio:.2f}", flush=True)
    if not args.no_record:
        record(runs, args.requests, args.batch)


def _own_arguments(arguments: list[str]) -> list[str]:
    return arguments if sys.argv[0].endswith("bench_workers.py") else []


if __name__ == "__main__":
    main()
