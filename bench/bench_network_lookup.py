"""Gateway lookup of 10,000 numbers on three sandbox networks, at 0 and 200 ms.

Prints numbers per second for each latency and the ratio of the slow run to the
fast one, and appends the result with the machine to ``docs/benchmarks.md``.
Each run uses a fresh, migrated SQLite file under a temporary folder.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bench import report
from numrep.core import migrate
from numrep.core.db import Database, create_db_engine
from numrep.network.config import SandboxNetworkConfig
from numrep.network.gateway import NetworkGateway
from numrep.network.sandbox import SandboxConnector

NETWORKS = ("hiya", "first_orion", "tns")
NUMBER_COUNT = 10_000
LATENCIES_MS = (0, 200)
REPORT = report.REPORT
HEADING = "## Network gateway lookup"


@dataclass(frozen=True)
class Run:
    latency_ms: int
    seconds: float

    @property
    def numbers_per_second(self) -> float:
        return NUMBER_COUNT / self.seconds


def main() -> None:
    numbers = [
        f"+1312{index:07d}" for index in range(5_550_000, 5_550_000 + NUMBER_COUNT)
    ]
    with tempfile.TemporaryDirectory(prefix="numrep-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate.upgrade(url)
        database = Database(create_db_engine(url))
        try:
            runs = [measure(database, numbers, latency) for latency in LATENCIES_MS]
        finally:
            database.dispose()

    for run in runs:
        print(
            f"latency {run.latency_ms:>3} ms: {run.seconds:6.2f} s, "
            f"{run.numbers_per_second:8.0f} numbers/s"
        )
    ratio = runs[1].numbers_per_second / runs[0].numbers_per_second
    print(f"ratio {LATENCIES_MS[1]} ms / {LATENCIES_MS[0]} ms: {ratio:.3f}")
    append_report(runs, ratio)
    print(f"appended to {REPORT}")


def measure(database: Database, numbers: list[str], latency_ms: int) -> Run:
    connectors = [
        SandboxConnector(
            SandboxNetworkConfig(name=name, latency_ms=latency_ms), database
        )
        for name in NETWORKS
    ]
    gateway = NetworkGateway(connectors)
    # One batch first, so pool connections and imports are not timed.
    gateway.lookup(numbers[:100])

    started = time.perf_counter()
    results = gateway.lookup(numbers)
    seconds = time.perf_counter() - started

    for name in NETWORKS:
        if len(results[name]) != len(numbers):
            raise RuntimeError(f"{name} returned {len(results[name])} results")
    return Run(latency_ms=latency_ms, seconds=seconds)


def append_report(runs: list[Run], ratio: float) -> None:
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- command: `{report.command('bench_network_lookup')}`",
        f"- machine: nproc {len(os.sched_getaffinity(0))}, {report.cpu_model()}, "
        f"Python {platform.python_version()}, SQLite in a temporary folder",
        f"- workload: {NUMBER_COUNT:,} numbers on {len(NETWORKS)} sandbox networks "
        "(batches of 100, at most 8 calls in flight per network)",
        "",
        "| latency per call | seconds | numbers/s |",
        "|---|---|---|",
        *(table_row(run) for run in runs),
        "",
        f"Ratio of numbers/s at {LATENCIES_MS[1]} ms to {LATENCIES_MS[0]} ms: "
        f"{ratio:.3f}.",
        "",
    ]
    entry = "\n".join(lines)
    report.write_entry(HEADING, entry, source="bench/bench_network_lookup.py")


def table_row(run: Run) -> str:
    rate = f"{run.numbers_per_second:,.0f}"
    return f"| {run.latency_ms} ms | {run.seconds:.2f} | {rate} |"


if __name__ == "__main__":
    main()
