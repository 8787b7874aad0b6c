"""``numrep sandbox-network serve`` subprocesses on free local ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live import free_port


class SandboxNetworkServer:
    """One sandbox network process, where ``start`` returns before it is ready."""

    def __init__(
        self,
        name: str,
        *,
        database_url: str,
        log_path: Path,
        options: list[str],
        api_key: str | None = None,
    ) -> None:
        self.name = name
        self.port = free_port()
        self.database_url = database_url
        self.log_path = log_path
        self.options = options
        self.api_key = api_key
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "NUMREP_LOG_LEVEL": "INFO",
            "NUMREP_DATA_DIR": str(self.log_path.parent),
        }
        env.pop("NUMREP_SANDBOX_NETWORK_API_KEY", None)
        if self.api_key is not None:
            env["NUMREP_SANDBOX_NETWORK_API_KEY"] = self.api_key
        command = [
            sys.executable,
            "-m",
            "numrep.cli.main",
            "sandbox-network",
            "serve",
            "--name",
            self.name,
            "--port",
            str(self.port),
            "--database-url",
            self.database_url,
            "--no-migrate",
            *self.options,
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Poll the TCP port until uvicorn accepts connections."""
        if self.process is None:
            raise RuntimeError("start the server first")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"sandbox network {self.name} exited with "
                    f"{self.process.returncode}:\n{self.log()[-4000:]}"
                )
            try:
                httpx.get(f"{self.base_url}/info", timeout=1.0)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"sandbox network {self.name} did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
