"""``numrep accounts`` and ``numrep keys`` as a subprocess on the test database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_SECRET

KEY_RE = re.compile(r"nrk_[0-9a-f]{8}_[A-Za-z0-9_\-]+")


class Cli:
    """Runs ``numrep`` with the environment a deployment would set."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.env = {
            **os.environ,
            "NUMREP_DATABASE_URL": database_url,
            "NUMREP_DATA_DIR": str(data_dir),
            "NUMREP_SECRET_KEY": TEST_SECRET,
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "numrep.cli.main", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout


def field(output: str, name: str) -> str:
    match = re.search(rf"^{name}:\s+(\S+)", output, re.MULTILINE)
    assert match is not None, output
    return match.group(1)


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    return Cli(database_url, tmp_path / "cli-data")


def status_with(client: TestClient, api_key: str) -> int:
    response = client.get(
        "/v2/enterprises", headers={"Authorization": f"Bearer {api_key}"}
    )
    return response.status_code


def test_accounts_create_prints_working_key(cli: Cli, app_client: TestClient) -> None:
    output = cli.ok("accounts", "create", "Acme Calls")
    api_key = field(output, "api_key")
    assert KEY_RE.fullmatch(api_key)
    assert field(output, "account_id")
    assert "shown only once" in output
    assert status_with(app_client, api_key) == 200


def test_keys_create_list_revoke(cli: Cli, app_client: TestClient) -> None:
    account_id = field(cli.ok("accounts", "create", "Acme", "--operator"), "account_id")
    created = cli.ok("keys", "create", "--account", account_id, "--name", "ci")
    key_id = field(created, "key_id")
    api_key = field(created, "api_key")
    assert status_with(app_client, api_key) == 200

    listed = cli.ok("keys", "list", "--account", account_id)
    lines = listed.strip().splitlines()
    assert len(lines) == 2
    ci_line = next(line for line in lines if line.startswith(key_id))
    assert "role=customer" in ci_line
    assert "active" in ci_line
    assert "ci" in ci_line
    assert "last_used=never" not in ci_line
    assert any("role=operator" in line for line in lines)
    assert not KEY_RE.search(listed)

    assert cli.ok("keys", "revoke", key_id).strip() == f"revoked {key_id}"
    assert status_with(app_client, api_key) == 401
    revoked_line = next(
        line for line in cli.ok("keys", "list").splitlines() if line.startswith(key_id)
    )
    assert "revoked" in revoked_line


def test_unknown_ids_fail_with_message(cli: Cli) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    revoke = cli.run("keys", "revoke", missing)
    assert revoke.returncode == 1
    assert f"API key {missing} not found" in revoke.stderr
    create = cli.run("keys", "create", "--account", missing)
    assert create.returncode == 1
    assert f"account {missing} not found" in create.stderr
