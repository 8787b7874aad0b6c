"""Associating and refreshing 10,000 numbers, at 0 and 200 ms per network call.

Associates the numbers 100 per call, as the API allows, then refreshes them in
batches of 100 on 8 threads, the concurrency of the ``networks`` queue, through
three sandbox networks. Prints numbers per second for each phase and the ratio
of the 200 ms refresh to the 0 ms one, and appends the result with the machine
to ``docs/benchmarks.md``. Each run uses a fresh, migrated SQLite file.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import report
from numrep.account import service as accounts
from numrep.core import migrate
from numrep.core.db import Database, create_db_engine
from numrep.core.logging import configure_logging
from numrep.enterprise.models import Enterprise
from numrep.inventory import service as inventory
from numrep.network.config import SandboxNetworkConfig
from numrep.reputation import lookups, numbers, refresh
from numrep.reputation.models import (
    LoaStatus,
    ReputationNumber,
    ReputationSettings,
    SettingsStatus,
)
from numrep.settings import Settings

NUMBER_COUNT = 10_000
BATCH = 100
WORKERS = 8
LATENCIES_MS = (0, 200)
NETWORKS = ("hiya", "first_orion", "tns")
REPORT = report.REPORT
HEADING = "## Reputation association and refresh"


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float

    @property
    def numbers_per_second(self) -> float:
        return NUMBER_COUNT / self.seconds


def main() -> None:
    configure_logging(level="WARNING")
    phone_numbers = [f"+1312555{line:04d}" for line in range(NUMBER_COUNT)]
    with tempfile.TemporaryDirectory(prefix="numrep-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate.upgrade(url)
        database = Database(create_db_engine(url))
        try:
            account_id, enterprise_id = setup(database, phone_numbers)
            phases = [associate_all(database, account_id, enterprise_id, phone_numbers)]
            ids = number_ids(database)
            for latency in LATENCIES_MS:
                phases.append(refresh_all(database, Path(folder), ids, latency))
        finally:
            database.dispose()

    for phase in phases:
        print(
            f"{phase.name:<22} {phase.seconds:7.2f} s "
            f"{phase.numbers_per_second:9.0f} numbers/s"
        )
    ratio = phases[2].numbers_per_second / phases[1].numbers_per_second
    print(f"refresh ratio {LATENCIES_MS[1]} ms / {LATENCIES_MS[0]} ms: {ratio:.3f}")
    append_report(phases, ratio)
    print(f"appended to {REPORT}")


def setup(database: Database, phone_numbers: list[str]) -> tuple[uuid.UUID, uuid.UUID]:
    """Create an account with an approved enterprise and the numbers in stock."""
    with database.unit_of_work() as session:
        account = accounts.create_account(session, name="bench")
        enterprise = Enterprise(
            account_id=account.id,
            legal_name="Bench Calling LLC",
            doing_business_as="Bench Calling",
            organization_type="commercial",
            organization_legal_type="llc",
            country_code="US",
            jurisdiction_of_incorporation="Delaware",
            website="https://bench.example.com",
            fein="12-3456789",
            fein_digits="123456789",
            industry="telecom",
            number_of_employees="11-50",
            organization_contact={},
            billing_contact={},
            organization_physical_address={},
            billing_address={},
            number_reputation_enabled=True,
        )
        session.add(enterprise)
        session.flush()
        session.add(
            ReputationSettings(
                account_id=account.id,
                enterprise_id=enterprise.id,
                loa_document_id=str(uuid.uuid4()),
                status=SettingsStatus.APPROVED,
                loa_status=LoaStatus.APPROVED,
                check_frequency="daily",
            )
        )
        inventory.add_numbers(
            session, account_id=account.id, phone_numbers=phone_numbers
        )
        return account.id, enterprise.id


def associate_all(
    database: Database,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_numbers: list[str],
) -> Phase:
    started = time.perf_counter()
    for start in range(0, len(phone_numbers), BATCH):
        with database.unit_of_work() as session:
            numbers.associate(
                session,
                account_id=account_id,
                enterprise_id=enterprise_id,
                phone_numbers=phone_numbers[start : start + BATCH],
            )
    return Phase("associate", time.perf_counter() - started)


def number_ids(database: Database) -> list[uuid.UUID]:
    with database.unit_of_work(write=False) as session:
        return list(session.scalars(sa.select(ReputationNumber.id)))


def refresh_all(
    database: Database, folder: Path, ids: list[uuid.UUID], latency_ms: int
) -> Phase:
    settings = Settings(
        data_dir=folder,
        database_url=str(database.engine.url),
        networks=[
            SandboxNetworkConfig(name=name, latency_ms=latency_ms) for name in NETWORKS
        ],
    )
    gateway = lookups.gateway_for(settings, database)
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]

    def run(batch: list[uuid.UUID]) -> int:
        return len(refresh.refresh_by_ids(database, gateway, number_ids=batch))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        unanswered = sum(pool.map(run, batches))
    seconds = time.perf_counter() - started
    if unanswered:
        raise RuntimeError(f"{unanswered} numbers got no answer at {latency_ms} ms")
    return Phase(f"refresh at {latency_ms} ms", seconds)


def append_report(phases: list[Phase], ratio: float) -> None:
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- command: `{report.command('bench_reputation')}`",
        f"- machine: nproc {len(os.sched_getaffinity(0))}, {report.cpu_model()}, "
        f"Python {platform.python_version()}, SQLite in a temporary folder",
        f"- workload: {NUMBER_COUNT:,} numbers associated {BATCH} per call, then "
        f"refreshed in batches of {BATCH} on {WORKERS} threads through "
        f"{len(NETWORKS)} sandbox networks",
        "",
        "| phase | seconds | numbers/s |",
        "|---|---|---|",
        *(
            f"| {phase.name} | {phase.seconds:.2f} | {phase.numbers_per_second:,.0f} |"
            for phase in phases
        ),
        "",
        f"Ratio of refresh numbers/s at {LATENCIES_MS[1]} ms to {LATENCIES_MS[0]} "
        f"ms: {ratio:.3f}.",
        "",
    ]
    entry = "\n".join(lines)
    report.write_entry(HEADING, entry, source="bench/bench_reputation.py")


if __name__ == "__main__":
    main()
