"""A real ``numrep serve`` process on a free local port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """Start, stop, kill and restart one server process with fixed settings."""

    def __init__(
        self, env: Mapping[str, str], log_path: Path, *, stdout_path: Path | None = None
    ) -> None:
        """``stdout_path`` keeps stdout apart, so ``log_path`` gets stderr only."""
        self.port = free_port()
        self.env = {**os.environ, **env, "NUMREP_PORT": str(self.port)}
        self.log_path = log_path
        self.stdout_path = stdout_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *extra_args: str, timeout: float = 60.0) -> None:
        with ExitStack() as files:
            log = files.enter_context(self.log_path.open("ab"))
            stdout: Any = log
            stderr: Any = subprocess.STDOUT
            if self.stdout_path is not None:
                stdout = files.enter_context(self.stdout_path.open("ab"))
                stderr = log
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "numrep.cli.main",
                    "serve",
                    "--no-migrate",
                    *extra_args,
                ],
                env=self.env,
                stdout=stdout,
                stderr=stderr,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"numrep serve exited with {self.process.returncode}:\n"
                    + self.log_path.read_text(errors="replace")[-4000:]
                )
            try:
                response = httpx.get(f"{self.base_url}/health", timeout=1.0)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(
            "numrep serve did not become healthy:\n"
            + self.log_path.read_text(errors="replace")[-4000:]
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """Kill the process with SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
