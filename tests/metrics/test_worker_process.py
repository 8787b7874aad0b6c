"""Counters of a separate ``numrep worker`` in the scrape of ``numrep serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from numrep.settings import Settings
from tests.conftest import AccountKeys, create_test_account, live_env, make_settings
from tests.metrics.helpers import NETWORK_ERRORS, NETWORKS, scrape, submit
from tests.support.databases import POSTGRES_ENV, PostgresTemplate
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers
from tests.support.workers import WorkerProcess


@pytest.fixture
def pg_settings(
    postgres_template: PostgresTemplate | None, tmp_path: Path
) -> Iterator[Settings]:
    """Settings on a fresh PostgreSQL database, which numrep worker requires."""
    if postgres_template is None:
        pytest.skip(f"numrep worker needs PostgreSQL: set {POSTGRES_ENV}")
    url = postgres_template.fresh()
    yield make_settings(url, tmp_path / "data")
    postgres_template.drop(url)


def worker_errors(folder: Path, pid: int) -> float:
    """Return the network errors in the counter file of process ``pid``."""
    file = folder / f"counter_{pid}.db"
    if not file.exists():
        return 0.0
    return sum(
        sample.value
        for family in MultiProcessCollector.merge([str(file)])
        for sample in family.samples
        if sample.name == NETWORK_ERRORS
    )


def test_worker_counts_served_by_api(pg_settings: Settings, tmp_path: Path) -> None:
    account: AccountKeys = create_test_account(pg_settings)
    numbers = us_numbers(2, start=900)
    enterprise_id = str(approved_enterprise(pg_settings, account.account_id, numbers))
    env = live_env(
        pg_settings,
        NUMREP_NETWORKS=NETWORKS,
        NUMREP_NETWORK_RETRY_ATTEMPTS="2",
        NUMREP_NETWORK_RETRY_BASE_SECONDS="0",
    )
    api = LiveServer(env, tmp_path / "api.log")
    worker = WorkerProcess(env, "metrics-worker", tmp_path / "worker.log")
    try:
        api.start("--no-worker")
        worker.start()
        with httpx.Client(
            base_url=api.base_url, headers=account.headers(), timeout=30
        ) as http:
            submit(http, enterprise_id, numbers, webhook_url=None)
        result = scrape(api.base_url)
        assert worker.process is not None
        from_worker = worker_errors(
            pg_settings.data_dir / "metrics", worker.process.pid
        )
    finally:
        worker.stop()
        api.stop()

    scraped = result.value(NETWORK_ERRORS, network="tns", operation="lookup")
    assert from_worker > 0
    assert scraped == from_worker
