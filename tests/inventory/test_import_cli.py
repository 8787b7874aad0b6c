"""``numrep inventory import`` run as a real command on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import TEST_SECRET, AccountKeys

CSV = """phone_number,label
+12125550100,main line
+12125550101,support
+1 212 555 0102,spaces
+14165550123,toronto
+12125550100,again
,empty

+121255501034,too long
"""


def run_import(
    settings: Settings, path: Path, account_id: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NUMREP_DATA_DIR": str(settings.data_dir),
        "NUMREP_DATABASE_URL": settings.resolved_database_url,
        "NUMREP_SECRET_KEY": TEST_SECRET,
    }
    return subprocess.run(
        [
            *(sys.executable, "-m", "numrep.cli.main", "inventory", "import"),
            *(str(path), "--account", account_id, *extra),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "numbers.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _inventory(api: TestClient, account: AccountKeys) -> list[str]:
    response = api.get(
        f"/v2/operator/accounts/{account.account_id}/inventory",
        headers=account.headers(operator=True),
    )
    return sorted(row["phone_number"] for row in response.json()["data"])


def test_import_dry_run_reports_and_writes_nothing(
    api: TestClient, account: AccountKeys, settings: Settings, csv_file: Path
) -> None:
    result = run_import(settings, csv_file, str(account.account_id))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("line 4: rejected '+1 212 555 0102'") for line in lines)
    assert any(line.startswith("line 5:") and "Canadian" in line for line in lines)
    assert any(
        line.startswith("line 6:") and "duplicate of line 2" in line for line in lines
    )
    assert any(line.startswith("line 7:") and "empty" in line for line in lines)
    assert any(line.startswith("line 9:") and "10 digits" in line for line in lines)
    assert "2 valid, 5 rejected" in result.stdout
    assert "Dry run" in result.stdout
    assert _inventory(api, account) == []


def test_import_apply_writes_valid_lines(
    api: TestClient, account: AccountKeys, settings: Settings, csv_file: Path
) -> None:
    result = run_import(settings, csv_file, str(account.account_id), "--apply")
    assert "Added 2 numbers" in result.stdout, result.stderr
    assert _inventory(api, account) == ["+12125550100", "+12125550101"]

    again = run_import(settings, csv_file, str(account.account_id), "--apply")
    assert "2 already in the inventory, 0 new" in again.stdout
    assert "Added 0 numbers" in again.stdout


def test_import_needs_header(
    account: AccountKeys, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "bare.csv"
    path.write_text("+12125550100\n", encoding="utf-8")
    result = run_import(settings, path, str(account.account_id))
    assert result.returncode == 2
    assert "phone_number" in result.stderr
