"""``numrep webhooks`` commands, run as real processes on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

from dbos import DBOSClient

from numrep.core.db import Database
from numrep.settings import Settings
from numrep.webhook import service
from numrep.webhook.delivery import Deliverer
from numrep.webhook.signing import public_key_base64, signing_key
from tests.conftest import TEST_SECRET
from tests.webhook.helpers import Receiver, Reply


def _numrep(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NUMREP_DATA_DIR": str(settings.data_dir),
        "NUMREP_DATABASE_URL": settings.resolved_database_url,
        "NUMREP_SECRET_KEY": TEST_SECRET,
    }
    return subprocess.run(
        [sys.executable, "-m", "numrep.cli.main", "webhooks", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_prints_public_key(settings: Settings) -> None:
    printed = _numrep(settings, "public-key")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == public_key_base64(signing_key(settings))


def test_cli_lists_and_redelivers(
    settings: Settings,
    db: Database,
    emit: Callable[..., uuid.UUID],
    make_receiver: Callable[..., Receiver],
    make_deliverer: Callable[..., Deliverer],
) -> None:
    receiver = make_receiver(Reply(500))
    retried = emit(receiver.url())
    other = emit(receiver.url())
    deliverer = make_deliverer()
    deliverer.run(retried, 1)
    deliverer.run(retried, 2)
    deliverer.run(other, 1)

    listed = _numrep(settings, "deliveries", "--event", str(retried))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(str(retried)) for line in lines)
    assert "attempt=2" in lines[0]
    assert "status=200" in lines[0]

    failed = _numrep(settings, "deliveries", "--status", "failed")
    assert failed.returncode == 0, failed.stderr
    (line,) = failed.stdout.strip().splitlines()
    assert line.startswith(f"{retried}  attempt=1")
    assert "status=500" in line
    assert "HTTP 500 is not a 2xx status" in line

    queued = _numrep(settings, "redeliver", str(retried))
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.strip() == f"Queued attempt 3 of event {retried}."
    with db.unit_of_work(write=False) as session:
        assert service.get_event(session, event_id=retried).status == "pending"
    client: Any = DBOSClient(system_database_url=settings.resolved_database_url)
    try:
        assert client.list_workflows(workflow_ids=[f"{retried}:3"])
    finally:
        client.destroy()

    again = _numrep(settings, "redeliver", str(retried))
    assert again.returncode == 1
    assert "still being delivered" in again.stderr

    missing = _numrep(settings, "redeliver", str(uuid.uuid4()))
    assert missing.returncode == 1
    assert "not found" in missing.stderr
