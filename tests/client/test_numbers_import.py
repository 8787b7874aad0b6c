"""``numrep numbers import`` against a live server, without its worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from numrep.settings import Settings
from tests.client.support import (
    add_inventory,
    client_args,
    read_csv,
    registered,
    run_cli,
)
from tests.conftest import AccountKeys
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers


@pytest.fixture
def server(live_server_with: Callable[..., LiveServer]) -> LiveServer:
    # Associating enqueues lookups; without the worker none of them runs, so
    # the import is measured on the API alone.
    return live_server_with(NUMREP_RUN_WORKER="false")


@pytest.fixture
def client(server: LiveServer, account: AccountKeys) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.base_url, headers=account.headers(), timeout=60
    ) as client:
        yield client


def dashed(e164: str) -> str:
    """Write +1NPANXXXXXX the way a spreadsheet would: NPA-NXX-XXXX."""
    return f"{e164[2:5]}-{e164[5:8]}-{e164[8:]}"


def test_import_mixed_file(
    server: LiveServer,
    client: httpx.Client,
    settings: Settings,
    account: AccountKeys,
    tmp_path: Path,
) -> None:
    good = us_numbers(5)
    already = us_numbers(2, start=100)
    not_owned = us_numbers(1, start=200)
    canadian = "+14165550100"
    add_inventory(client, account, good + already)
    enterprise_id = approved_enterprise(settings, account.account_id, already)
    lines = [
        "name,phone",
        f"Ann,{dashed(good[0])}",
        f"Bob,{already[0]}",
        "Cy,call me",
        f"Dee,({good[1][2:5]}) {good[1][5:8]}-{good[1][8:]}",
        f"Eve,{not_owned[0]}",
        f"Fay,{good[2][1:]}",
        f"Gus,{canadian}",
        f"Hal,{dashed(good[0])}",
        f"Ida,{already[1]}",
        f"Jo,{good[3]}",
        "",
        f"Kim,+1 {good[4][2:5]} {good[4][5:8]} {good[4][8:]}",
    ]
    csv_path = tmp_path / "numbers.csv"
    csv_path.write_text("\r\n".join(lines) + "\r\n")
    report = tmp_path / "rejected.csv"

    result = run_cli(
        "numbers",
        "import",
        str(csv_path),
        "--enterprise",
        str(enterprise_id),
        "--report",
        str(report),
        *client_args(server.base_url, account),
    )

    assert result.exit_code == 1, result.output
    assert (
        "associated: 5, already associated: 2, rejected: 2, unreadable lines: 1"
        in result.stdout
    )
    assert "line 4: unreadable" in result.stdout
    assert f"line 6: rejected {not_owned[0]}: " in result.stdout
    assert "inventory" in result.stdout
    assert f"line 8: rejected {canadian}: " in result.stdout
    assert "line 9: " in result.stdout
    assert f"{good[0]} repeats line 2" in result.stdout
    assert registered(client, enterprise_id) == set(good + already)
    rows = read_csv(report)
    assert [row["line"] for row in rows] == ["4", "6", "8"]
    assert rows[0]["input"] == "call me"
    assert rows[1]["input"] == not_owned[0]
    assert "Canadian" in rows[2]["reason"]


def test_import_ten_thousand_lines(
    server: LiveServer,
    client: httpx.Client,
    settings: Settings,
    account: AccountKeys,
    tmp_path: Path,
) -> None:
    numbers = us_numbers(10_000)
    # The first chunk contains 25 Canadian numbers, which a 422 names at most 20
    # at a time, and 30 numbers outside the inventory, which the 400
    # external_verification_required names at most 3 at a time.
    canadian = us_numbers(25, area_code="416")
    strangers = us_numbers(30, area_code="737")
    add_inventory(client, account, numbers)
    enterprise_id = approved_enterprise(settings, account.account_id, [])
    rows = canadian + strangers + numbers
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("phone_number\n" + "\n".join(dashed(n) for n in rows) + "\n")

    result = run_cli(
        "numbers",
        "import",
        str(csv_path),
        "--enterprise",
        str(enterprise_id),
        *client_args(server.base_url, account),
    )

    assert result.exit_code == 1, result.output
    assert (
        "associated: 10000, already associated: 0, rejected: 55, unreadable lines: 0"
        in result.stdout
    )
    found = registered(client, enterprise_id)
    assert len(found) == 10_000
    assert found == set(numbers)


def test_import_stops_on_unknown_enterprise(
    server: LiveServer, account: AccountKeys, tmp_path: Path
) -> None:
    csv_path = tmp_path / "numbers.csv"
    csv_path.write_text("2025550143\n")
    missing = "00000000-0000-4000-8000-000000000000"

    result = run_cli(
        "numbers",
        "import",
        str(csv_path),
        "--enterprise",
        missing,
        *client_args(server.base_url, account),
    )

    assert result.exit_code == 2
    assert "HTTP 404" in result.stderr
    assert "import stopped" in result.stderr


def test_import_missing_file(
    server: LiveServer, account: AccountKeys, tmp_path: Path
) -> None:
    result = run_cli(
        "numbers",
        "import",
        str(tmp_path / "absent.csv"),
        "--enterprise",
        "00000000-0000-4000-8000-000000000000",
        *client_args(server.base_url, account),
    )
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
