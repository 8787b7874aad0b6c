"""Scenario files: rule matching, precedence, error messages and the example."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from numrep.core.db import Database
from numrep.network.base import ReviewOutcome, ReviewStatus
from numrep.network.config import SandboxNetworkConfig
from numrep.network.gateway import NetworkGateway
from numrep.network.retry import RetryPolicy
from numrep.network.sandbox import SandboxConnector
from numrep.network.sandbox_scenario import ScenarioError, load_scenario
from tests.network.helpers import (
    TEST_TIME_SCALE,
    SandboxFactory,
    phone_numbers,
    review_request,
    wait_until,
    write_scenario,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scenario.json"


def lookup_one(connector: SandboxConnector, number: str) -> Any:
    return connector.lookup([number])[0]


def test_number_entry_sets_answers(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    entry = {
        "flagged": True,
        "label": "Debt Collector",
        "maturity_score": 12,
        "connection_score": 34,
        "engagement_score": 56,
        "sentiment_score": 78,
    }
    path = write_scenario(tmp_path, {"numbers": {"+13125550001": entry}})

    result = lookup_one(sqlite_sandbox(scenario_file=path), "+13125550001")

    assert result.flagged is True
    assert result.label == "Debt Collector"
    assert result.maturity_score == 12
    assert result.connection_score == 34
    assert result.engagement_score == 56
    assert result.sentiment_score == 78


def test_number_entry_per_network(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    entry = {"flagged": True, "networks": {"tns": {"flagged": False}}}
    path = write_scenario(tmp_path, {"numbers": {"+13125550001": entry}})

    hiya = lookup_one(sqlite_sandbox("hiya", scenario_file=path), "+13125550001")
    tns = lookup_one(sqlite_sandbox("tns", scenario_file=path), "+13125550001")

    assert hiya.flagged is True
    assert tns.flagged is False
    assert tns.label is None


def test_suffix_rule_matches_last_digits(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    rules = [{"match": {"suffix": "42"}, "flagged": True, "label": "Survey"}]
    path = write_scenario(tmp_path, {"rules": rules})
    connector = sqlite_sandbox(scenario_file=path, flag_rate=0.0)

    results = connector.lookup(phone_numbers(100))

    flagged = {result.phone_number for result in results if result.flagged}
    assert flagged == {"+13125550042"}
    assert lookup_one(connector, "+13125550042").label == "Survey"


def test_prefix_and_pattern_rules(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    rules = [
        {"match": {"prefix": "+1415"}, "flagged": True},
        {"match": {"pattern": r"\+1312555000[5-7]"}, "flagged": True},
    ]
    path = write_scenario(tmp_path, {"rules": rules})
    connector = sqlite_sandbox(scenario_file=path, flag_rate=0.0)
    numbers = phone_numbers(10) + phone_numbers(2, area="415")

    results = connector.lookup(numbers)

    flagged = {result.phone_number for result in results if result.flagged}
    expected = {"+13125550005", "+13125550006", "+13125550007"}
    assert flagged == expected | {"+14155550000", "+14155550001"}


def test_all_conditions_must_match(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    rules = [{"match": {"prefix": "+1415", "suffix": "1"}, "flagged": True}]
    path = write_scenario(tmp_path, {"rules": rules})
    connector = sqlite_sandbox(scenario_file=path, flag_rate=0.0)

    results = connector.lookup(["+14155550001", "+14155550002", "+13125550001"])

    assert [result.flagged for result in results] == [True, False, False]


def test_rule_limited_to_networks(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    rules = [{"match": {"suffix": "7"}, "networks": ["tns"], "flagged": True}]
    path = write_scenario(tmp_path, {"rules": rules})

    hiya = sqlite_sandbox("hiya", scenario_file=path, flag_rate=0.0)
    tns = sqlite_sandbox("tns", scenario_file=path, flag_rate=0.0)

    assert lookup_one(hiya, "+13125550007").flagged is False
    assert lookup_one(tns, "+13125550007").flagged is True


def test_later_rule_and_number_win(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    scenario = {
        "rules": [
            {"match": {"suffix": "1"}, "flagged": True, "label": "Survey"},
            {"match": {"suffix": "01"}, "label": "Political"},
        ],
        "numbers": {"+13125550001": {"label": "Nonprofit"}},
    }
    path = write_scenario(tmp_path, scenario)
    connector = sqlite_sandbox(scenario_file=path)

    results = connector.lookup(["+13125550011", "+13125550101", "+13125550001"])

    assert [result.label for result in results] == ["Survey", "Political", "Nonprofit"]


def test_unset_fields_keep_seed_answers(
    sqlite_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    numbers = phone_numbers(50)
    plain = sqlite_sandbox(seed="s").lookup(numbers)
    rules = [{"match": {"prefix": "+1"}, "label": "Survey"}]
    path = write_scenario(tmp_path, {"rules": rules})

    labeled = sqlite_sandbox(seed="s", scenario_file=path).lookup(numbers)

    assert [r.flagged for r in labeled] == [r.flagged for r in plain]
    assert [r.maturity_score for r in labeled] == [r.maturity_score for r in plain]
    assert {r.label for r in labeled if r.flagged} == {"Survey"}


INVALID_SCENARIOS: list[tuple[str, Any, str]] = [
    ("not json", "{rules: [", "is not valid JSON"),
    ("unknown field", {"rulez": []}, "rulez: Extra inputs are not permitted"),
    (
        "bad outcome",
        {"rules": [{"match": {"suffix": "1"}, "tier1": "maybe"}]},
        "rules[0].tier1",
    ),
    ("empty match", {"rules": [{"match": {}, "flagged": True}]}, "at least one of"),
    ("bad suffix", {"rules": [{"match": {"suffix": "1a"}}]}, "match.suffix"),
    (
        "bad regex",
        {"rules": [{"match": {"pattern": "(+"}}]},
        "not a valid regular expression",
    ),
    (
        "label without flag",
        {"numbers": {"+13125550001": {"flagged": False, "label": "Survey"}}},
        "flagged is false",
    ),
    ("bad number", {"numbers": {"3125550001": {}}}, "not an E.164 number"),
    (
        "score range",
        {"numbers": {"+13125550001": {"sentiment_score": 101}}},
        "sentiment_score",
    ),
    (
        "negative delay",
        {"rules": [{"match": {"suffix": "1"}, "tier2_delay_minutes": -1}]},
        "rules[0].tier2_delay_minutes",
    ),
    (
        "bad network name",
        {"rules": [{"match": {"suffix": "1"}, "networks": ["Hiya!"]}]},
        "rules[0].networks[0]",
    ),
]


@pytest.mark.parametrize(
    ("content", "problem"),
    [(content, problem) for _name, content, problem in INVALID_SCENARIOS],
    ids=[name for name, _content, _problem in INVALID_SCENARIOS],
)
def test_invalid_scenario_message(tmp_path: Path, content: Any, problem: str) -> None:
    path = tmp_path / "broken.json"
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)

    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_missing_scenario_file(sqlite_sandbox: SandboxFactory, tmp_path: Path) -> None:
    path = tmp_path / "absent.json"

    with pytest.raises(ScenarioError) as caught:
        sqlite_sandbox(scenario_file=path)

    assert str(path) in str(caught.value)
    assert "cannot be read" in str(caught.value)


def test_example_scenario_is_valid() -> None:
    scenario = load_scenario(EXAMPLE)

    assert scenario.rules
    assert scenario.numbers


def test_example_reaches_every_path(sqlite_database: Database) -> None:
    """A 2,000-number batch on the example reaches every remediation path."""
    connectors = [
        SandboxConnector(
            SandboxNetworkConfig(name=name, scenario_file=EXAMPLE),
            sqlite_database,
            time_scale=TEST_TIME_SCALE,
        )
        for name in ("hiya", "first_orion", "tns")
    ]
    gateway = NetworkGateway(connectors, retry=RetryPolicy(attempts=1))
    numbers = phone_numbers(2000)

    paths = _remediate(gateway, numbers)

    assert paths["flagged nowhere"] > 0
    assert paths["cleared at tier 1"] > 0
    assert paths["tier 2 cleared"] > 0
    assert paths["tier 2 upheld"] > 0
    assert paths["tier 2 needs_more_information"] > 0
    assert paths["tier 2 never answered"] > 0
    assert sum(paths.values()) == len(numbers)


def _remediate(gateway: NetworkGateway, numbers: list[str]) -> dict[str, int]:
    """Screen, run tier 1, escalate what stays flagged, and bucket each number."""
    screened = gateway.lookup(numbers)
    flagged = {
        network: [result.phone_number for result in results if result.flagged]
        for network, results in screened.items()
    }
    tier1 = _settle(gateway, flagged, tier=1)
    still_flagged = {
        network: [
            s.phone_number for s in statuses if s.outcome is not ReviewOutcome.CLEARED
        ]
        for network, statuses in tier1.items()
        if gateway.connector(network).info.supports_escalation
    }
    tier2 = _settle(gateway, still_flagged, tier=2)

    paths: dict[str, int] = defaultdict(int)
    for number in numbers:
        paths[_path(number, flagged, tier1, tier2)] += 1
    return paths


def _settle(
    gateway: NetworkGateway, numbers: dict[str, list[str]], *, tier: int
) -> dict[str, list[ReviewStatus]]:
    """Open reviews and wait past the longest decision time, then collect."""
    opened: dict[str, list[ReviewStatus]] = {}
    for network, chosen in numbers.items():
        requests = [review_request(n, tier=tier, network=network) for n in chosen]
        if tier == 1:
            opened[network] = gateway.open_reviews(network, requests)
        else:
            opened[network] = gateway.escalate(network, requests)
    scenario = load_scenario(EXAMPLE)
    delays = [
        rule.tier1_delay_minutes if tier == 1 else rule.tier2_delay_minutes
        for rule in scenario.rules
    ]
    longest = max(delay for delay in delays if delay is not None)
    due = time.monotonic() + longest * 60 * TEST_TIME_SCALE + 0.2
    wait_until(lambda: time.monotonic() > due)
    return {
        network: gateway.collect(network, [s.review_id for s in statuses])
        for network, statuses in opened.items()
    }


def _path(
    number: str,
    flagged: dict[str, list[str]],
    tier1: dict[str, list[ReviewStatus]],
    tier2: dict[str, list[ReviewStatus]],
) -> str:
    if not any(number in numbers for numbers in flagged.values()):
        return "flagged nowhere"
    first = [
        s for statuses in tier1.values() for s in statuses if s.phone_number == number
    ]
    if all(status.outcome is ReviewOutcome.CLEARED for status in first):
        return "cleared at tier 1"
    second = [
        s for statuses in tier2.values() for s in statuses if s.phone_number == number
    ]
    outcomes = {status.outcome for status in second}
    if not outcomes:
        # Only networks without escalation kept it flagged, so operators decide.
        return "operator review only"
    if ReviewOutcome.PENDING in outcomes:
        return "tier 2 never answered"
    if ReviewOutcome.UPHELD in outcomes:
        return "tier 2 upheld"
    if ReviewOutcome.NEEDS_INFO in outcomes:
        return "tier 2 needs_more_information"
    return "tier 2 cleared"
