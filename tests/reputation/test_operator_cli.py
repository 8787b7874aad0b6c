"""``numrep operator approve-loa`` and ``reject-loa`` as real commands."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import TEST_SECRET
from tests.reputation import flows


def run_operator(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NUMREP_DATA_DIR": str(settings.data_dir),
        "NUMREP_DATABASE_URL": settings.resolved_database_url,
        "NUMREP_SECRET_KEY": TEST_SECRET,
    }
    return subprocess.run(
        [sys.executable, "-m", "numrep.cli.main", "operator", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _loa_status(api: TestClient, enterprise_id: str) -> str:
    data = api.get(f"/v2/enterprises/{enterprise_id}/reputation").json()["data"]
    status: str = data["loa_status"]
    return status


def test_reject_then_approve_loa(api: TestClient, settings: Settings) -> None:
    flows.agree_terms(api)
    enterprise_id = flows.create_enterprise(api)
    flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))

    rejected = run_operator(
        settings, "reject-loa", enterprise_id, "--reason", "Unsigned page 2."
    )
    assert rejected.returncode == 0, rejected.stderr
    assert "loa_status rejected" in rejected.stdout
    assert _loa_status(api, enterprise_id) == "rejected"

    not_pending = run_operator(settings, "approve-loa", enterprise_id)
    assert not_pending.returncode == 1
    assert "not 'pending'" in not_pending.stderr

    swap = api.patch(
        f"/v2/enterprises/{enterprise_id}/reputation/loa",
        json={"loa_document_id": flows.upload_loa(api)},
    )
    assert swap.status_code == 200
    approved = run_operator(settings, "approve-loa", enterprise_id)
    assert approved.returncode == 0, approved.stderr
    assert _loa_status(api, enterprise_id) == "approved"


def test_approve_unknown_enterprise_fails(settings: Settings) -> None:
    result = run_operator(
        settings, "approve-loa", "00000000-0000-0000-0000-000000000000"
    )
    assert result.returncode == 1
    assert "not enabled" in result.stderr
