"""Fixtures shared by every test: databases, the app, accounts and live servers.

``database_url`` is parametrized over SQLite and PostgreSQL, so every test that
uses it (directly or through ``app_client``, ``api`` or ``live_server``) runs on
both. Without ``NUMREP_TEST_POSTGRES_URL`` the PostgreSQL runs are skipped with
that reason; ``.ci/run`` starts a server and sets it, and with ``CI`` set a
missing URL is an error rather than a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from numrep.account import service as accounts
from numrep.account.models import KeyRole
from numrep.app import build_services, create_app
from numrep.core.db import Database, create_db_engine
from numrep.settings import Settings
from numrep.worker import jobs
from tests.support.databases import (
    POSTGRES_ENV,
    PostgresTemplate,
    SqliteTemplate,
    postgres_admin_url,
)
from tests.support.live import LiveServer

TEST_SECRET = "test-server-secret"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate | None]:
    url = postgres_admin_url()
    if url is None:
        yield None
        return
    template = PostgresTemplate(url)
    yield template
    template.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: SqliteTemplate,
    postgres_template: PostgresTemplate | None,
) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_template.fresh(tmp_path)
        return
    if postgres_template is None:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} must be set in CI; .ci/run sets it")
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (scripts/pg-test-server)")
    url = postgres_template.fresh()
    yield url
    postgres_template.drop(url)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: SqliteTemplate) -> str:
    """A fresh SQLite database, for tests that need only one backend."""
    return sqlite_template.fresh(tmp_path)


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "run_worker": False,
        "webhook_allow_private_targets": True,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data")


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """The test database through numrep's own engine and unit of work."""
    database = Database(create_db_engine(settings.resolved_database_url))
    yield database
    jobs.close_clients()
    database.dispose()


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """The app in this process, without the queue worker."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@dataclass(frozen=True)
class AccountKeys:
    account_id: uuid.UUID
    api_key: str
    operator_key: str

    def headers(self, *, operator: bool = False) -> dict[str, str]:
        key = self.operator_key if operator else self.api_key
        return {"Authorization": f"Bearer {key}"}


def create_test_account(settings: Settings, name: str = "test") -> AccountKeys:
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            account = accounts.create_account(session, name=name)
            customer = accounts.issue_key(
                session, TEST_SECRET, account_id=account.id, name="customer"
            )
            operator = accounts.issue_key(
                session,
                TEST_SECRET,
                account_id=account.id,
                name="operator",
                role=KeyRole.OPERATOR,
            )
    finally:
        services.db.dispose()
    return AccountKeys(account.id, customer.secret, operator.secret)


@pytest.fixture
def account(settings: Settings) -> AccountKeys:
    return create_test_account(settings)


@pytest.fixture
def other_account(settings: Settings) -> AccountKeys:
    return create_test_account(settings, name="other")


@pytest.fixture
def api(app_client: TestClient, account: AccountKeys) -> TestClient:
    """The in-process client, authenticated as ``account``."""
    app_client.headers.update(account.headers())
    return app_client


def live_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """Environment of a ``numrep serve`` process on the test database."""
    env = {
        "NUMREP_DATA_DIR": str(settings.data_dir),
        "NUMREP_DATABASE_URL": settings.resolved_database_url,
        "NUMREP_SECRET_KEY": TEST_SECRET,
        "NUMREP_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "NUMREP_SANDBOX_TIME_SCALE": "0.0005",
        "NUMREP_REMEDIATION_POLL_SECONDS": "0.3",
        # Webhook retries come 25 ms, 1.5 s and 9 s after attempts 1 to 3, so
        # attempt 4 arrives within about 11 s and a test can stop the server
        # between two attempts.
        "NUMREP_WEBHOOK_RETRY_SCALE": "0.005",
        "NUMREP_LOG_LEVEL": "WARNING",
    }
    env.update(overrides)
    return env


@pytest.fixture
def live_server(settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    """A real ``numrep serve`` with its in-process worker on the test database."""
    server = LiveServer(live_env(settings), tmp_path / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_server_with(
    settings: Settings, tmp_path: Path
) -> Iterator[Callable[..., LiveServer]]:
    """Start live servers with extra ``NUMREP_*`` settings; all stop at teardown."""
    started: list[LiveServer] = []

    def start(**overrides: str) -> LiveServer:
        server = LiveServer(
            live_env(settings, **overrides), tmp_path / f"server-{len(started)}.log"
        )
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sdk(live_server: LiveServer, account: AccountKeys) -> Any:
    """The official Telnyx SDK pointed at the live server."""
    import telnyx

    return telnyx.Telnyx(
        api_key=account.api_key, base_url=f"{live_server.base_url}/v2", max_retries=0
    )


@pytest.fixture
def http(live_server: LiveServer, account: AccountKeys) -> Iterator[httpx.Client]:
    """A plain HTTP client for the live server, authenticated as ``account``."""
    with httpx.Client(
        base_url=live_server.base_url, headers=account.headers(), timeout=30
    ) as client:
        yield client
