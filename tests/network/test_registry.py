"""Network configuration, the registry's cache and the manual connector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from numrep.core.db import Database
from numrep.network.base import Connector, NetworkError, ReviewOutcome
from numrep.network.config import ManualNetworkConfig, SandboxNetworkConfig
from numrep.network.http import HttpConnector
from numrep.network.manual import ManualConnector
from numrep.network.registry import build_connectors, build_gateway
from numrep.network.sandbox import SandboxConnector
from numrep.network.sandbox_scenario import ScenarioError
from numrep.settings import Settings
from tests.conftest import make_settings
from tests.network.helpers import phone_numbers, review_request, write_scenario


@pytest.fixture
def plain_settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return make_settings(sqlite_url, tmp_path / "data")


def test_default_three_sandboxes(
    plain_settings: Settings, sqlite_database: Database
) -> None:
    connectors = build_connectors(plain_settings, sqlite_database)

    assert [c.info.name for c in connectors] == ["hiya", "first_orion", "tns"]
    assert all(isinstance(c, SandboxConnector) for c in connectors)
    assert all(isinstance(c, Connector) for c in connectors)
    escalation = {c.info.name: c.info.supports_escalation for c in connectors}
    assert escalation == {"hiya": True, "first_orion": False, "tns": True}


def test_default_sandboxes_without_faults(plain_settings: Settings) -> None:
    for config in plain_settings.networks:
        assert isinstance(config, SandboxNetworkConfig)
        assert config.latency_ms == 0
        assert config.error_rate == 0
        assert config.throttle_rate == 0
        assert config.rate_limit_per_second is None


def test_sandbox_uses_time_scale(
    sqlite_url: str, tmp_path: Path, sqlite_database: Database
) -> None:
    settings = make_settings(sqlite_url, tmp_path, sandbox_time_scale=0.25)

    connectors = build_connectors(settings, sqlite_database)

    assert {c.time_scale for c in connectors if isinstance(c, SandboxConnector)} == {
        0.25
    }


def test_connectors_cached(plain_settings: Settings, sqlite_database: Database) -> None:
    first = build_connectors(plain_settings, sqlite_database)
    second = build_connectors(plain_settings, sqlite_database)
    other_database = Database(sqlite_database.engine)
    third = build_connectors(plain_settings, other_database)

    assert [id(c) for c in first] == [id(c) for c in second]
    assert not {id(c) for c in first} & {id(c) for c in third}


def test_gateway_cached(plain_settings: Settings, sqlite_database: Database) -> None:
    first = build_gateway(plain_settings, sqlite_database)
    second = build_gateway(plain_settings, sqlite_database)

    assert first is second
    assert [info.name for info in first.networks] == ["hiya", "first_orion", "tns"]
    assert first.retry.attempts == plain_settings.network_retry_attempts


def test_scenario_edit_rebuilds(
    sqlite_url: str, tmp_path: Path, sqlite_database: Database
) -> None:
    number = "+13125550001"
    path = write_scenario(tmp_path, {"numbers": {number: {"flagged": True}}})
    networks = [SandboxNetworkConfig(name="hiya", scenario_file=path)]
    settings = make_settings(sqlite_url, tmp_path, networks=networks)
    before = build_connectors(settings, sqlite_database)[0].lookup([number])[0]

    write_scenario(tmp_path, {"numbers": {number: {"flagged": False}}})
    after = build_connectors(settings, sqlite_database)[0].lookup([number])[0]

    assert before.flagged is True
    assert after.flagged is False


def test_env_json_builds_each_kind(
    monkeypatch: pytest.MonkeyPatch, sqlite_database: Database, tmp_path: Path
) -> None:
    networks = [
        {"name": "hiya", "kind": "sandbox", "seed": 42, "latency_ms": 5},
        {
            "name": "tns",
            "kind": "http",
            "base_url": "http://127.0.0.1:9103/",
            "api_key": "adapter-token",
            "timeout_seconds": 3,
            "max_concurrency": 4,
        },
        {"name": "first_orion", "kind": "manual"},
    ]
    monkeypatch.setenv("NUMREP_NETWORKS", json.dumps(networks))
    settings = Settings(data_dir=tmp_path)

    connectors = build_connectors(settings, sqlite_database)

    kinds = {c.info.name: (type(c), c.info.kind) for c in connectors}
    assert kinds["hiya"] == (SandboxConnector, "sandbox")
    assert kinds["tns"] == (HttpConnector, "http")
    assert kinds["first_orion"] == (ManualConnector, "manual")
    tns = next(c for c in connectors if c.info.name == "tns")
    assert tns.info.max_concurrency == 4
    assert tns.info.extra["base_url"] == "http://127.0.0.1:9103"
    assert connectors[0].info.extra["seed"] == "42"


def test_env_json_duplicate_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    networks = [{"name": "hiya", "kind": "sandbox"}, {"name": "hiya", "kind": "manual"}]
    monkeypatch.setenv("NUMREP_NETWORKS", json.dumps(networks))

    with pytest.raises(ValidationError, match="'hiya' is configured twice"):
        Settings(data_dir=tmp_path)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"name": "hiya", "kind": "fax"}, "kind"),
        ({"name": "Hiya", "kind": "sandbox"}, "name"),
        ({"name": "hiya", "kind": "sandbox", "error_rate": 1.5}, "error_rate"),
        ({"name": "hiya", "kind": "sandbox", "colour": "red"}, "colour"),
        ({"name": "tns", "kind": "http"}, "base_url"),
        ({"name": "tns", "kind": "http", "base_url": "ftp://x"}, "base_url"),
    ],
)
def test_env_json_invalid_entry(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    entry: dict[str, object],
    problem: str,
) -> None:
    monkeypatch.setenv("NUMREP_NETWORKS", json.dumps([entry]))

    with pytest.raises(ValidationError) as caught:
        Settings(data_dir=tmp_path)

    assert problem in str(caught.value)


def test_invalid_scenario_fails_build(
    sqlite_url: str, tmp_path: Path, sqlite_database: Database
) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"rules": [{"match": {"suffix": "x"}}]}', encoding="utf-8")
    networks = [SandboxNetworkConfig(name="hiya", scenario_file=path)]
    settings = make_settings(sqlite_url, tmp_path, networks=networks)

    with pytest.raises(ScenarioError, match=r"bad\.json"):
        build_connectors(settings, sqlite_database)


def test_manual_lookup_not_flagged() -> None:
    connector = ManualConnector(ManualNetworkConfig(kind="manual", name="tns"))

    results = connector.lookup(phone_numbers(3))

    assert connector.info.kind == "manual"
    assert [result.flagged for result in results] == [False, False, False]
    assert {result.label for result in results} == {None}
    assert {result.sentiment_score for result in results} == {None}
    assert {result.maturity_score for result in results} == {None}


def test_manual_reviews_pending_stable() -> None:
    connector = ManualConnector(ManualNetworkConfig(kind="manual", name="tns"))
    requests = [review_request(n, network="tns") for n in phone_numbers(2)]

    first = connector.open_reviews(requests)
    second = connector.open_reviews(requests)
    escalated = connector.escalate([review_request(requests[0].phone_number, tier=2)])

    assert {status.outcome for status in first} == {ReviewOutcome.PENDING}
    assert [s.review_id for s in first] == [s.review_id for s in second]
    assert first[0].review_id != first[1].review_id
    assert escalated[0].outcome is ReviewOutcome.PENDING
    assert escalated[0].review_id != first[0].review_id


def test_manual_collect_refused() -> None:
    connector = ManualConnector(ManualNetworkConfig(kind="manual", name="tns"))

    with pytest.raises(NetworkError) as caught:
        connector.collect(["man_0"])

    assert caught.value.retryable is False
    assert "operator" in str(caught.value)
