"""Real ``numrep worker`` processes for multi-process tests on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa

from numrep.worker.models import WorkerHeartbeat


class WorkerProcess:
    """Start, stop and kill one ``numrep worker`` with a fixed executor id."""

    def __init__(
        self, env: Mapping[str, str], executor_id: str, log_path: Path
    ) -> None:
        self.executor_id = executor_id
        self.env = {**os.environ, **env, "NUMREP_EXECUTOR_ID": executor_id}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *extra_args: str, timeout: float = 60.0) -> None:
        """Start the worker and wait for its first heartbeat row."""
        begun = time.time()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "numrep.cli.main", "worker", *extra_args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        engine = sa.create_engine(self.env["NUMREP_DATABASE_URL"])
        try:
            self._wait_for_heartbeat(engine, begun, timeout)
        finally:
            engine.dispose()

    def _wait_for_heartbeat(
        self, engine: sa.Engine, begun: float, timeout: float
    ) -> None:
        assert self.process is not None
        query = sa.select(WorkerHeartbeat.pid).where(
            WorkerHeartbeat.executor_id == self.executor_id
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"numrep worker exited with {self.process.returncode}:\n"
                    + self.log_path.read_text(errors="replace")[-4000:]
                )
            with engine.connect() as connection:
                if connection.scalar(query) == self.process.pid:
                    return
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(
            f"numrep worker wrote no heartbeat within {timeout} s "
            f"(started {time.time() - begun:.0f} s ago):\n"
            + self.log_path.read_text(errors="replace")[-4000:]
        )

    def stop(self) -> int | None:
        """Send SIGTERM and return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """Kill the process with SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
