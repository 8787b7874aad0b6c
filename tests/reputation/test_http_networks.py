"""Onboarding and lookups through networks served over real sockets.

Three ``numrep sandbox-network serve`` processes return 503 and 429 to a share
of their calls; numrep reaches them with the http connector and its retries, so
every lookup still completes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.network.servers import SandboxNetworkServer
from tests.reputation import flows
from tests.support.databases import SqliteTemplate
from tests.support.live import LiveServer

NETWORKS = ("hiya", "first_orion", "tns")
NUMBERS = flows.US_NUMBERS[:40]


@pytest.fixture
def flaky_networks(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> Iterator[list[SandboxNetworkServer]]:
    database_url = sqlite_template.fresh(tmp_path)
    servers = [
        SandboxNetworkServer(
            name,
            database_url=database_url,
            log_path=tmp_path / f"{name}.log",
            options=[
                "--error-rate",
                "0.25",
                "--throttle-rate",
                "0.25",
                "--retry-after",
                "0",
            ],
        )
        for name in NETWORKS
    ]
    for server in servers:
        server.start()
    for server in servers:
        server.wait_ready()
    yield servers
    for server in servers:
        server.stop()


def test_lookups_survive_flaky_networks(
    live_server_with: Callable[..., LiveServer],
    flaky_networks: list[SandboxNetworkServer],
    settings: Settings,
    account: AccountKeys,
) -> None:
    networks = json.dumps(
        [
            {"name": server.name, "kind": "http", "base_url": server.base_url}
            for server in flaky_networks
        ]
    )
    live = live_server_with(
        NUMREP_NETWORKS=networks,
        NUMREP_NETWORK_RETRY_ATTEMPTS="12",
        NUMREP_NETWORK_RETRY_BASE_SECONDS="0.02",
        NUMREP_NETWORK_RETRY_MAX_DELAY_SECONDS="0.2",
    )
    with httpx.Client(
        base_url=live.base_url, headers=account.headers(), timeout=60
    ) as client:
        enterprise_id = flows.approved_enterprise(client, account, settings)
        flows.add_inventory(client, account, NUMBERS)
        assert flows.associate(client, enterprise_id, NUMBERS).status_code == 201
        path = f"/v2/enterprises/{enterprise_id}/reputation/numbers"

        refreshed = client.post(
            f"{path}/refresh", json={"phone_numbers": NUMBERS}
        ).json()["data"]
        assert refreshed["total_requested"] == len(NUMBERS)
        assert refreshed["total_successful"] == len(NUMBERS)
        assert refreshed["total_failed"] == 0

        for number in NUMBERS[:10]:
            data = client.get(f"{path}/{number}", params={"fresh": "true"}).json()
            assert data["data"]["reputation_data"]["last_refreshed_at"] is not None
            answered = {entry["network"] for entry in data["data"]["numrep_networks"]}
            assert answered == set(NETWORKS)

    logs = "".join(server.log() for server in flaky_networks)
    assert " 503" in logs
    assert " 429" in logs
