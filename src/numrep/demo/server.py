"""An embedded numrep server on a throwaway SQLite database, for the demo.

The server runs uvicorn in a thread of the demo process, with the queue worker
in the same process, exactly as ``numrep serve`` does. Its account and keys are
created directly in the database because numrep has no HTTP endpoint for that
(``numrep accounts create`` is the command-line equivalent).
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr

from numrep.account import service as accounts
from numrep.account.models import KeyRole
from numrep.core import migrate as migrations
from numrep.demo.errors import DemoError
from numrep.demo.plan import NETWORKS
from numrep.network.config import NetworkConfig, SandboxNetworkConfig
from numrep.settings import Settings

STARTUP_TIMEOUT_SECONDS = 60.0
SHUTDOWN_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """The demo account and its two API keys."""

    account_id: str
    api_key: str
    operator_key: str


def demo_settings(root: Path, *, time_scale: float, scenario_file: Path) -> Settings:
    """Return settings for a server whose every file lives under ``root``.

    Every value that would change the demo's outcome is passed explicitly, so
    ``NUMREP_*`` variables and a ``.env`` file in the working folder cannot
    point the demo at another database or at other networks.
    """
    data_dir = root / "data"
    networks: list[NetworkConfig] = [
        SandboxNetworkConfig(name=name, scenario_file=scenario_file)
        for name in NETWORKS
    ]
    return Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'numrep.db'}",
        secret_key=secrets.token_urlsafe(32),
        webhook_signing_key=SecretStr(""),
        run_worker=True,
        networks=networks,
        sandbox_time_scale=time_scale,
        remediation_poll_seconds=0.5,
        remediation_cooldown_days=30.0,
        tier1_deadline_hours=24.0,
        tier2_deadline_hours=72.0,
        webhook_allow_private_targets=True,
        webhook_retry_scale=0.01,
        log_format="console",
        log_level="WARNING",
    )


def write_scenario(root: Path, scenario: dict[str, Any]) -> Path:
    path = root / "scenario.json"
    path.write_text(json.dumps(scenario, indent=2) + "\n", encoding="utf-8")
    return path


class EmbeddedServer:
    """Start and stop one numrep server with its worker on a local port."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> DemoAccount:
        """Create the schema, the account and its customer and operator keys."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(self.settings.resolved_database_url)
        return _create_account(self.settings)

    def start(self) -> None:
        from numrep.app import create_app

        config = uvicorn.Config(
            create_app(self.settings),
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=10,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="demo-server",
            daemon=True,
        )
        self._thread.start()
        self._wait_until_healthy()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=SHUTDOWN_TIMEOUT_SECONDS)
        self._socket.close()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            if self._thread is not None and not self._thread.is_alive():
                raise DemoError(
                    "The embedded numrep server stopped while starting; its log "
                    "lines above name the cause."
                )
            try:
                response = httpx.get(f"{self.base_url}/health", timeout=2.0)
            except httpx.HTTPError as error:
                last_problem = str(error)
            else:
                if response.status_code == 200:
                    return
                last_problem = f"GET /health returned {response.status_code}"
            time.sleep(0.1)
        raise DemoError(
            f"The embedded numrep server at {self.base_url} was not healthy "
            f"within {STARTUP_TIMEOUT_SECONDS:.0f} s ({last_problem})."
        )


def _create_account(settings: Settings) -> DemoAccount:
    from numrep.app import build_services

    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            account = accounts.create_account(session, name="demo")
            customer = accounts.issue_key(
                session,
                services.secret_key,
                account_id=account.id,
                name="demo customer",
            )
            operator = accounts.issue_key(
                session,
                services.secret_key,
                account_id=account.id,
                name="demo operator",
                role=KeyRole.OPERATOR,
            )
            account_id = str(account.id)
    finally:
        services.db.dispose()
    return DemoAccount(account_id, customer.secret, operator.secret)
