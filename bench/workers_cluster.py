"""Processes, databases and CPU accounting for the worker scale-out benchmark.

One ``numrep serve --no-worker`` and several ``numrep worker`` processes run on
a database of their own on a local PostgreSQL server. CPU time comes from
``/proc/<pid>/stat`` (user plus system time, in clock ticks), so it works only
on Linux and only for processes this user may read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from numrep.worker.models import WorkerHeartbeat

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
STOP_TIMEOUT_SECONDS = 30.0
START_TIMEOUT_SECONDS = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_cpu_seconds(pid: int) -> float | None:
    """Return the user plus system CPU seconds of ``pid``, or None once it exited."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces, so the fixed
    # fields are counted from the last ")". utime and stime are fields 14 and 15.
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def machine_cpu_seconds() -> tuple[float, float]:
    """Return (busy, total) CPU seconds of the whole machine since boot."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in first[:8]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / TICKS_PER_SECOND, sum(ticks) / TICKS_PER_SECOND


def load_average() -> float:
    return os.getloadavg()[0]


@contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``admin_url`` and drop it after."""
    admin = sa.create_engine(
        admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    name = f"numrep_bench_workers_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.make_url(admin_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@dataclass
class Cluster:
    """An API process without a worker plus ``numrep worker`` processes."""

    env: Mapping[str, str]
    folder: Path
    api: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    base_url: str = ""

    def start(self, executor_ids: list[str]) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        api_env = {**os.environ, **self.env, "NUMREP_PORT": str(port)}
        self.api = self._spawn(["serve", "--no-worker", "--no-migrate"], api_env, "api")
        self._wait_healthy()
        for executor_id in executor_ids:
            env = {**os.environ, **self.env, "NUMREP_EXECUTOR_ID": executor_id}
            self.workers[executor_id] = self._spawn(["worker"], env, executor_id)
        self._wait_heartbeats()

    def _spawn(
        self, args: list[str], env: Mapping[str, str], name: str
    ) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "numrep.cli.main", *args],
                env=dict(env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _log_tail(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def _wait_healthy(self) -> None:
        assert self.api is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.api.poll() is not None:
                break
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("numrep serve did not start:\n" + self._log_tail("api"))

    def _wait_heartbeats(self) -> None:
        """Wait until every worker has written a heartbeat row with its own pid."""
        engine = sa.create_engine(self.env["NUMREP_DATABASE_URL"])
        query = sa.select(WorkerHeartbeat.executor_id, WorkerHeartbeat.pid)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        try:
            while time.monotonic() < deadline:
                for executor_id, process in self.workers.items():
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"numrep worker {executor_id} exited with "
                            f"{process.returncode}:\n{self._log_tail(executor_id)}"
                        )
                with engine.connect() as connection:
                    beats = dict(connection.execute(query).all())
                expected = {name: proc.pid for name, proc in self.workers.items()}
                if all(beats.get(name) == pid for name, pid in expected.items()):
                    return
                time.sleep(0.2)
        finally:
            engine.dispose()
        raise TimeoutError(f"workers wrote no heartbeat: {sorted(self.workers)}")

    def pids(self) -> dict[str, int]:
        """Return the process id of the API (``api``) and of each worker."""
        found = {name: process.pid for name, process in self.workers.items()}
        if self.api is not None:
            found["api"] = self.api.pid
        return found

    def stop(self) -> None:
        """Send SIGTERM to every process, then SIGKILL to any still running."""
        processes = [*self.workers.values()]
        if self.api is not None:
            processes.append(self.api)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving one database.

    Each sample reads ``pg_stat_activity`` for the database and the CPU time of
    every backend it lists. A backend seen at the first sample counts from that
    value, a later one from zero (a forked backend starts with no CPU time). A
    backend that exits between two samples loses the CPU time it used since the
    previous sample, so the total is a lower bound.
    """

    database: str
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    started: bool = False

    def sample(self, connection: sa.Connection) -> None:
        pids = connection.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": self.database},
        ).scalars()
        for pid in pids:
            seconds = process_cpu_seconds(pid)
            if seconds is None:
                continue
            if pid not in self.first:
                self.first[pid] = seconds if not self.started else 0.0
            self.last[pid] = seconds
        self.started = True

    def total(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)
