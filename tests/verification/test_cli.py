"""``numrep verification list``, ``approve`` and ``reject`` as real commands."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import TEST_SECRET, AccountKeys
from tests.reputation import flows
from tests.verification import steps


def run_verification(
    settings: Settings, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NUMREP_DATA_DIR": str(settings.data_dir),
        "NUMREP_DATABASE_URL": settings.resolved_database_url,
        "NUMREP_SECRET_KEY": TEST_SECRET,
    }
    return subprocess.run(
        [sys.executable, "-m", "numrep.cli.main", "verification", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_list_reject_then_approve(
    api: TestClient, account: AccountKeys, settings: Settings
) -> None:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    document_id = flows.upload_loa(api)
    steps.submit(api, enterprise_id, document_ids=[document_id])

    listed = run_verification(settings, "list")
    assert listed.returncode == 0, listed.stderr
    assert enterprise_id in listed.stdout
    assert document_id in listed.stdout
    assert "1 of 1 pending" in listed.stdout

    rejected = run_verification(
        settings, "reject", enterprise_id, "--reason", "Invoice is for 2019."
    )
    assert rejected.returncode == 0, rejected.stderr
    assert "rejected" in rejected.stdout
    data = api.get(steps.path(enterprise_id)).json()["data"]
    assert data["status"] == "rejected"
    assert data["rejection_reason"] == "Invoice is for 2019."
    assert "0 of 0 pending" in run_verification(settings, "list").stdout

    not_pending = run_verification(settings, "approve", enterprise_id)
    assert not_pending.returncode == 1
    assert "not 'pending'" in not_pending.stderr

    steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    approved = run_verification(
        settings, "approve", enterprise_id, "--operator", "alice"
    )
    assert approved.returncode == 0, approved.stderr
    assert steps.settings_status(api, enterprise_id) == "approved"
    assert steps.audit_actions(settings, enterprise_id) == [
        "external_verification.rejected",
        "external_verification.approved",
    ]


def test_reject_needs_reason(
    api: TestClient, account: AccountKeys, settings: Settings
) -> None:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    missing = run_verification(settings, "reject", enterprise_id)
    blank = run_verification(settings, "reject", enterprise_id, "--reason", "  ")
    assert missing.returncode != 0
    assert blank.returncode == 1
    assert "reason" in blank.stderr
    assert steps.settings_status(api, enterprise_id) == "pending"


def test_unknown_enterprise_fails(settings: Settings) -> None:
    result = run_verification(
        settings, "approve", "00000000-0000-4000-8000-000000000000"
    )
    assert result.returncode == 1
    assert "no external verification" in result.stderr
