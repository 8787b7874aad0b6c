"""Deriving reputation data and recording lookups, with their webhook events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.app import build_services
from numrep.core.deps import Services
from numrep.network.base import LookupResult
from numrep.reputation import service
from numrep.reputation.data import derive
from numrep.reputation.models import (
    ReputationNetworkStatus,
    ReputationNumber,
    ReputationSnapshot,
)
from numrep.settings import Settings
from numrep.webhook.models import WebhookEvent
from tests.conftest import AccountKeys
from tests.reputation import flows

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NUMBER = flows.US_NUMBERS[0]


def status(
    network: str, flagged: bool, label: str | None = None, **scores: int
) -> ReputationNetworkStatus:
    return ReputationNetworkStatus(
        network=network, flagged=flagged, label=label, checked_at=NOW, **scores
    )


@pytest.mark.parametrize(
    ("statuses", "risk", "category"),
    [
        ([], None, None),
        ([status("hiya", False), status("tns", False)], "low", None),
        (
            [status("hiya", True, "Telemarketer"), status("tns", False)],
            "medium",
            "Telemarketer",
        ),
        (
            [status("hiya", True, "Survey"), status("tns", True, "Survey")],
            "high",
            "Survey",
        ),
        (
            [status("hiya", True, "Possible Scam"), status("tns", False)],
            "high",
            "Possible Scam",
        ),
        ([status("tns", True, "FRAUD risk")], "high", "FRAUD risk"),
        ([status("hiya", False, None)], "low", None),
    ],
    ids=[
        "none",
        "clean",
        "one flag",
        "two flags",
        "scam label",
        "fraud label",
        "one clean",
    ],
)
def test_derive_spam_risk(
    statuses: list[ReputationNetworkStatus], risk: str | None, category: str | None
) -> None:
    derived = derive(statuses)
    assert derived.spam_risk == risk
    assert derived.spam_category == category


def test_derive_category_most_common_then_name_order() -> None:
    statuses = [
        status("tns", True, "Survey"),
        status("first_orion", True, "Telemarketer"),
        status("hiya", True, "Survey"),
    ]
    assert derive(statuses).spam_category == "Survey"
    tie = [status("tns", True, "Survey"), status("hiya", True, "Telemarketer")]
    assert derive(tie).spam_category == "Telemarketer"


def test_derive_scores_mean_rounded() -> None:
    statuses = [
        status("hiya", False, maturity_score=70, connection_score=51),
        status("tns", False, maturity_score=81, connection_score=None),
    ]
    derived = derive(statuses)
    assert derived.scores["maturity_score"] == 76  # 75.5 rounds half up
    assert derived.scores["connection_score"] == 51
    assert derived.scores["engagement_score"] is None
    assert derived.last_refreshed_at == NOW


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    current = build_services(settings)
    yield current
    current.db.dispose()


@pytest.fixture
def registered(api: TestClient, account: AccountKeys, settings: Settings) -> uuid.UUID:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    flows.add_inventory(api, account, [NUMBER])
    assert flows.associate(api, enterprise_id, [NUMBER]).status_code == 201
    hook = api.patch(
        f"/v2/enterprises/{enterprise_id}/reputation/webhook",
        json={"webhook_url": "https://hooks.example.com/reputation"},
    )
    assert hook.status_code == 200
    return uuid.UUID(enterprise_id)


def lookup(network: str, flagged: bool, label: str | None = None) -> LookupResult:
    return LookupResult(
        phone_number=NUMBER,
        network=network,
        flagged=flagged,
        label=label,
        maturity_score=60,
        checked_at=datetime.now(UTC),
    )


def record(services: Services, results: list[LookupResult]) -> None:
    with services.db.unit_of_work() as session:
        number = session.scalar(
            sa.select(ReputationNumber).where(ReputationNumber.phone_number == NUMBER)
        )
        assert number is not None
        grouped: dict[str, list[LookupResult]] = {}
        for result in results:
            grouped.setdefault(result.network, []).append(result)
        service.record_lookups(session, numbers=[number], results=grouped)


def events(services: Services) -> list[WebhookEvent]:
    with services.db.unit_of_work(write=False) as session:
        return list(
            session.scalars(sa.select(WebhookEvent).order_by(WebhookEvent.created_at))
        )


def test_record_lookups_stores_and_flags(
    services: Services, registered: uuid.UUID
) -> None:
    record(services, [lookup("hiya", False), lookup("tns", False)])
    assert events(services) == []

    record(services, [lookup("hiya", True, "Telemarketer"), lookup("tns", False)])
    sent = events(services)
    assert [event.event_type for event in sent] == [
        "number_reputation.number.spam_flagged"
    ]
    payload = sent[0].payload
    assert payload["record_type"] == "reputation_phone_number"
    assert payload["phone_number"] == NUMBER
    assert payload["enterprise_id"] == str(registered)
    assert payload["spam_risk"] == "medium"
    assert {row["network"] for row in payload["networks"]} == {"hiya", "tns"}
    assert sent[0].url == "https://hooks.example.com/reputation"

    # Still flagged on the next refresh: no second event.
    record(services, [lookup("hiya", True, "Telemarketer")])
    assert len(events(services)) == 1

    with services.db.unit_of_work(write=False) as session:
        number = session.scalar(
            sa.select(ReputationNumber).where(ReputationNumber.phone_number == NUMBER)
        )
        assert number is not None
        assert number.spam_category == "Telemarketer"
        assert number.maturity_score == 60
        assert number.next_check_at is not None
        snapshots = session.scalar(
            sa.select(sa.func.count()).where(ReputationSnapshot.number_id == number.id)
        )
        assert snapshots == 3


def test_record_lookups_relabel_after_remediation(
    services: Services, registered: uuid.UUID
) -> None:
    record(services, [lookup("hiya", True, "Survey")])
    with services.db.unit_of_work() as session:
        number = session.scalar(
            sa.select(ReputationNumber).where(ReputationNumber.phone_number == NUMBER)
        )
        assert number is not None
        number.last_remediated_at = datetime.now(UTC)

    # Flagged again after the remediation, with no clean refresh in between.
    record(services, [lookup("hiya", True, "Survey")])
    types = [event.event_type for event in events(services)]
    assert types == [
        "number_reputation.number.spam_flagged",
        "number_reputation.number.relabeled",
    ]
    record(services, [lookup("hiya", True, "Survey")])
    assert len(events(services)) == 2


def test_registered_numbers_skips_removed(
    api: TestClient, services: Services, registered: uuid.UUID
) -> None:
    with services.db.unit_of_work(write=False) as session:
        found = service.registered_numbers(
            session, enterprise_id=registered, phone_numbers=[NUMBER, "+12125550199"]
        )
    assert list(found) == [NUMBER]
    api.delete(f"/v2/enterprises/{registered}/reputation/numbers/{NUMBER}")
    with services.db.unit_of_work(write=False) as session:
        found = service.registered_numbers(
            session, enterprise_id=registered, phone_numbers=[NUMBER]
        )
    assert found == {}
