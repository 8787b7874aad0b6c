"""Webhook delivery of 10,000 events by ``numrep serve``, against a plain floor.

The events are emitted into a fresh, migrated SQLite file, then a real
``numrep serve`` process delivers them with its DBOS worker to a local uvicorn
receiver. The floor posts the same signed bodies to the same receiver with one
httpx client and as many threads as the worker runs webhook attempts at once.
Both rates are measured from the receiver's first to its last request. Prints
deliveries per second and the ratio to the floor, and appends the result with
the machine to ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench import report
from numrep.account import service as accounts
from numrep.core import migrate
from numrep.core.db import Database, create_db_engine
from numrep.settings import Settings
from numrep.webhook import events, service
from numrep.webhook.models import WebhookEvent
from numrep.webhook.signing import signature_headers, signing_key
from numrep.worker import jobs
from numrep.worker.runtime import QUEUES

EVENT_COUNT = 10_000
EMIT_BATCH = 500
CONCURRENCY = next(
    spec.worker_concurrency for spec in QUEUES if spec.name == "webhooks"
)
DELIVERY_TIMEOUT_SECONDS = 1800
ROOT = Path(__file__).resolve().parents[1]
REPORT = report.REPORT
HEADING = "## Webhook delivery"
SECRET = "bench-secret"


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, default=EVENT_COUNT, help="Events to deliver."
    )
    parser.add_argument(
        "--no-report", action="store_true", help="Do not append to the report."
    )
    args = parser.parse_args(argv or [])
    count: int = args.events
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="numrep-bench-webhooks-") as folder:
        settings = Settings(
            data_dir=Path(folder) / "data",
            database_url=f"sqlite:///{folder}/bench.db",
            secret_key=SECRET,
            webhook_allow_private_targets=True,
        )
        settings.data_dir.mkdir(parents=True)
        migrate.upgrade(settings.resolved_database_url)
        receiver = start_receiver(Path(folder))
        try:
            numrep, floor = run(settings, receiver, count)
        finally:
            stop(receiver.process)
    ratio = numrep.per_second / floor.per_second
    print(
        f"numrep: {numrep.count} deliveries in {numrep.seconds:.2f} s, "
        f"{numrep.per_second:.1f}/s"
    )
    print(
        f"floor:  {floor.count} posts in {floor.seconds:.2f} s, "
        f"{floor.per_second:.1f}/s"
    )
    print(f"ratio numrep / floor: {ratio:.4f}")
    if not args.no_report:
        load = (load_before, os.getloadavg()[0])
        append_report(numrep, floor, ratio, count, load)
        print(f"appended to {REPORT}")


@dataclass
class Receiver:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, float]:
        stats: dict[str, float] = httpx.get(f"{self.url}/stats", timeout=5).json()
        return stats

    def reset(self) -> None:
        httpx.post(f"{self.url}/reset", timeout=5).raise_for_status()


def run(settings: Settings, receiver: Receiver, count: int) -> tuple[Rate, Rate]:
    database = Database(create_db_engine(settings.resolved_database_url))
    try:
        emit_events(database, f"{receiver.url}/hook", count)
        bodies = load_bodies(database)
        server = start_server(settings, Path(settings.data_dir))
        try:
            numrep = wait_for_deliveries(receiver, count)
            wait_recorded(database, count)
        finally:
            stop(server)
    finally:
        database.dispose()
    receiver.reset()
    floor = post_floor(settings, f"{receiver.url}/hook", bodies, receiver)
    return numrep, floor


def emit_events(database: Database, url: str, count: int) -> None:
    with database.unit_of_work() as session:
        account_id = accounts.create_account(session, name="bench").id
    for start in range(0, count, EMIT_BATCH):
        with database.unit_of_work() as session:
            for index in range(start, min(start + EMIT_BATCH, count)):
                events.emit(
                    session,
                    account_id=account_id,
                    url=url,
                    event_type="number_reputation.number.flagged",
                    payload={
                        "record_type": "reputation_phone_number",
                        "phone_number": f"+1312555{index:04d}",
                        "ownership_status": "pending_confirmation",
                        "flag_reason": "carrier_changed",
                    },
                )
    jobs.close_clients()


def load_bodies(database: Database) -> list[bytes]:
    with database.unit_of_work(write=False) as session:
        rows = session.scalars(sa.select(WebhookEvent)).all()
        return [service.envelope_body(event, 1) for event in rows]


def count_delivered(database: Database) -> int:
    with database.unit_of_work(write=False) as session:
        query = sa.select(sa.func.count()).where(WebhookEvent.status == "delivered")
        return session.scalar(query) or 0


def wait_recorded(database: Database, count: int) -> None:
    """Wait until the worker has recorded the last attempts as delivered."""
    deadline = time.monotonic() + 60
    while (delivered := count_delivered(database)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{delivered} of {count} events recorded as delivered")
        time.sleep(0.2)


def wait_for_deliveries(receiver: Receiver, count: int) -> Rate:
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        stats = receiver.stats()
        if stats["count"] >= count:
            return Rate(int(stats["count"]) - 1, stats["last"] - stats["first"])
        time.sleep(0.5)
    raise TimeoutError(f"receiver got {receiver.stats()['count']} of {count} events")


def post_floor(
    settings: Settings, url: str, bodies: list[bytes], receiver: Receiver
) -> Rate:
    key = signing_key(settings)
    limits = httpx.Limits(max_connections=CONCURRENCY)
    with httpx.Client(limits=limits, trust_env=False, timeout=10) as client:

        def post(body: bytes) -> None:
            headers = {
                **signature_headers(key, body),
                "content-type": "application/json",
            }
            client.post(url, content=body, headers=headers).raise_for_status()

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(post, bodies))
    stats = receiver.stats()
    return Rate(int(stats["count"]) - 1, stats["last"] - stats["first"])


def start_receiver(folder: Path) -> Receiver:
    port = free_port()
    log = (folder / "receiver.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.webhook_receiver:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    receiver = Receiver(process, port)
    wait_healthy(f"{receiver.url}/stats", process)
    return receiver


def start_server(settings: Settings, data_dir: Path) -> subprocess.Popen[bytes]:
    port = free_port()
    env = {
        **os.environ,
        "NUMREP_DATA_DIR": str(data_dir),
        "NUMREP_DATABASE_URL": settings.resolved_database_url,
        "NUMREP_SECRET_KEY": SECRET,
        "NUMREP_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "NUMREP_LOG_LEVEL": "WARNING",
        "NUMREP_PORT": str(port),
    }
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "numrep.cli.main", "serve", "--no-migrate"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_healthy(f"http://127.0.0.1:{port}/health", process)
    return process


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not return 200 within 60 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def append_report(
    numrep: Rate, floor: Rate, ratio: float, count: int, load: tuple[float, float]
) -> None:
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- command: `{report.command('bench_webhooks')}`",
        f"- machine: nproc {len(os.sched_getaffinity(0))}, {report.cpu_model()}, "
        f"Python {platform.python_version()}, SQLite in a temporary folder",
        f"- 1-minute load average at start and end: {load[0]:.2f}, {load[1]:.2f}",
        f"- workload: {count:,} events emitted before the server starts, "
        f"delivered by one `numrep serve` (DBOS worker, {CONCURRENCY} webhook "
        "attempts at once) to a local uvicorn receiver that returns 200",
        f"- floor: the same signed bodies posted with one httpx client and "
        f"{CONCURRENCY} threads to the same receiver",
        "",
        "| sender | requests timed | seconds | deliveries/s |",
        "|---|---|---|---|",
        f"| numrep | {numrep.count:,} | {numrep.seconds:.2f} | "
        f"{numrep.per_second:,.1f} |",
        f"| floor | {floor.count:,} | {floor.seconds:.2f} | {floor.per_second:,.1f} |",
        "",
        f"Ratio numrep / floor: {ratio:.4f}. Both are timed from the receiver's "
        "first to its last request.",
        "",
    ]
    entry = "\n".join(lines)
    report.write_entry(HEADING, entry, source="bench/bench_webhooks.py")


if __name__ == "__main__":
    main(sys.argv[1:])
