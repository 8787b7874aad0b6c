"""The sandbox carrier: derived carriers, simulated events, operator routes and CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from numrep.app import create_app
from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.core.errors import InvalidParametersError
from numrep.ownership import carrier_sandbox
from numrep.ownership.carrier_sandbox import (
    SANDBOX_CARRIERS,
    SandboxCarrierLookup,
    initial_spid,
)
from numrep.ownership.config import HttpCarrierConfig
from numrep.ownership.models import CarrierEventKind
from numrep.settings import Settings
from tests.conftest import TEST_SECRET, AccountKeys, make_settings
from tests.ownership.helpers import number_row, other_spid, tracked_enterprise
from tests.support.onboarding import us_numbers

NUMBER = "+15125550121"
EVENTS_PATH = "/v2/operator/sandbox/carrier_events"
CHECKS_PATH = "/v2/operator/ownership/checks"


def test_initial_carrier_is_stable() -> None:
    numbers = us_numbers(100, start=3000)
    spids = [initial_spid(number) for number in numbers]
    assert spids == [initial_spid(number) for number in numbers]
    assert set(spids) <= set(SANDBOX_CARRIERS)
    assert len(set(spids)) > 1


def test_events_apply_in_time_order(db: Database) -> None:
    with db.unit_of_work() as session:
        lookup = SandboxCarrierLookup(session)
        assert lookup.lookup([NUMBER])[NUMBER].spid == initial_spid(NUMBER)
        carrier_sandbox.record_event(
            session, phone_number=NUMBER, kind=CarrierEventKind.PORT, spid="ZZ01"
        )
        record = lookup.lookup([NUMBER])[NUMBER]
        assert (record.spid, record.disconnected) == ("ZZ01", False)
        assert record.carrier_name == "Sandbox carrier ZZ01"

        carrier_sandbox.record_event(
            session, phone_number=NUMBER, kind=CarrierEventKind.DISCONNECT, spid=None
        )
        record = lookup.lookup([NUMBER])[NUMBER]
        assert (record.spid, record.disconnected) == ("ZZ01", True)

        carrier_sandbox.record_event(
            session,
            phone_number=NUMBER,
            kind=CarrierEventKind.PORT,
            spid="S001",
            effective_at=utcnow() + timedelta(days=1),
        )
        assert lookup.lookup([NUMBER])[NUMBER].disconnected is True
        events = carrier_sandbox.list_events(session, phone_number=NUMBER)
        assert [event.kind for event in events] == ["port", "disconnect", "port"]


@pytest.mark.parametrize(
    ("number", "spid", "pointer"),
    [
        ("5125550121", "S001", "/phone_number"),
        (NUMBER, "s1", "/spid"),
        (NUMBER, None, "/spid"),
    ],
)
def test_port_rejects_bad_values(
    db: Database, number: str, spid: str | None, pointer: str
) -> None:
    with db.unit_of_work() as session, pytest.raises(InvalidParametersError) as caught:
        carrier_sandbox.record_event(
            session, phone_number=number, kind=CarrierEventKind.PORT, spid=spid
        )
    assert caught.value.items[0].pointer == pointer


def test_operator_port_then_check(
    app_client: TestClient,
    settings: Settings,
    db: Database,
    account: AccountKeys,
) -> None:
    enterprise_id = tracked_enterprise(settings, db, account.account_id, [NUMBER])
    operator = account.headers(operator=True)
    first = app_client.post(CHECKS_PATH, headers=operator)
    assert first.status_code == 200, first.text
    assert first.json()["data"] == {
        "checked": 1,
        "outcomes": {"baseline_recorded": 1},
    }

    body = {"phone_number": NUMBER, "kind": "port", "spid": other_spid(NUMBER)}
    assert app_client.post(EVENTS_PATH, json=body).status_code == 401
    assert (
        app_client.post(EVENTS_PATH, json=body, headers=account.headers()).status_code
        == 403
    )
    created = app_client.post(EVENTS_PATH, json=body, headers=operator)
    assert created.status_code == 201, created.text
    assert created.json()["data"]["spid"] == other_spid(NUMBER)
    bad = app_client.post(
        EVENTS_PATH, json={**body, "spid": "toolong"}, headers=operator
    )
    assert bad.status_code == 422

    checked = app_client.post(
        CHECKS_PATH, json={"enterprise_id": str(enterprise_id)}, headers=operator
    )
    assert checked.json()["data"]["outcomes"] == {"carrier_changed": 1}
    assert number_row(db, NUMBER).ownership_status == "pending_confirmation"
    assert app_client.post(CHECKS_PATH, headers=account.headers()).status_code == 403


def test_carrier_events_need_sandbox(
    database_url: str, tmp_path: Path, account: AccountKeys
) -> None:
    settings = make_settings(
        database_url,
        tmp_path / "data",
        carrier_lookup=HttpCarrierConfig(kind="http", url="http://127.0.0.1:9/lookup"),
    )
    with TestClient(create_app(settings)) as client:
        response = client.post(
            EVENTS_PATH,
            json={"phone_number": NUMBER, "kind": "disconnect"},
            headers=account.headers(operator=True),
        )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "10015"


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NUMREP_DATABASE_URL": database_url,
        "NUMREP_DATA_DIR": str(tmp_path / "cli-data"),
        "NUMREP_SECRET_KEY": TEST_SECRET,
    }


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "numrep.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_port_list_and_check(
    cli_env: dict[str, str], settings: Settings, db: Database, account: AccountKeys
) -> None:
    enterprise_id = tracked_enterprise(settings, db, account.account_id, [NUMBER])
    checked = _cli(cli_env, "ownership", "check", "--enterprise", str(enterprise_id))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines() == ["checked: 1", "baseline_recorded: 1"]

    ported = _cli(
        cli_env, "sandbox-carrier", "port", NUMBER, "--to", other_spid(NUMBER)
    )
    assert ported.returncode == 0, ported.stderr
    assert ported.stdout.startswith(f"port {NUMBER} at ")
    cut = _cli(
        cli_env, "sandbox-carrier", "disconnect", NUMBER, "--at", "2030-01-01T00:00:00"
    )
    assert cut.returncode == 0, cut.stderr
    assert "2030-01-01T00:00:00Z" in cut.stdout

    listed = _cli(cli_env, "sandbox-carrier", "list", "--number", NUMBER)
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split() == ["2030-01-01T00:00:00Z", NUMBER, "disconnect", "-"]
    assert lines[1].split()[1:] == [NUMBER, "port", other_spid(NUMBER)]

    checked = _cli(cli_env, "ownership", "check")
    assert checked.stdout.splitlines() == ["checked: 1", "carrier_changed: 1"]
    assert number_row(db, NUMBER).ownership_status == "pending_confirmation"

    rejected = _cli(cli_env, "sandbox-carrier", "port", NUMBER, "--to", "bad")
    assert rejected.returncode == 1
    assert "is not a SPID" in rejected.stderr
