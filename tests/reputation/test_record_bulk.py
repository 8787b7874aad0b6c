"""Recording the lookups of a full remediation-sized batch of numbers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from numrep.core.db import Database
from numrep.network.base import LookupResult
from numrep.reputation import service
from numrep.reputation.models import (
    ReputationNetworkStatus,
    ReputationNumber,
    ReputationSnapshot,
)
from numrep.settings import Settings
from numrep.webhook.models import WebhookEvent
from tests.conftest import AccountKeys
from tests.support.onboarding import approved_enterprise, us_numbers

COUNT = 2000
NETWORKS = ("first_orion", "hiya", "tns")
CHECKED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOOK = "https://hooks.example.com/reputation"


def _result(number: str, network: str, index: int, *, flagged: bool) -> LookupResult:
    label = None
    if flagged:
        label = "Possible Scam" if index % 7 == 0 else "Telemarketer"
    return LookupResult(
        phone_number=number,
        network=network,
        flagged=flagged,
        label=label,
        maturity_score=10 * NETWORKS.index(network) + index % 10,
        checked_at=CHECKED + timedelta(minutes=NETWORKS.index(network)),
    )


def _lookups(
    numbers: list[str], flagged_on: dict[str, set[int]]
) -> dict[str, list[LookupResult]]:
    return {
        network: [
            _result(number, network, index, flagged=index in flagged_on[network])
            for index, number in enumerate(numbers)
        ]
        for network in NETWORKS
    }


def _expected_risk(flags: int, labels: list[str]) -> str:
    if flags >= 2 or any("scam" in label.lower() for label in labels):
        return "high"
    return "medium" if flags == 1 else "low"


def _record(
    db: Database, enterprise_id: uuid.UUID, lookups: dict[str, list[LookupResult]]
) -> None:
    with db.unit_of_work() as session:
        numbers = session.scalars(
            sa.select(ReputationNumber).where(
                ReputationNumber.enterprise_id == enterprise_id
            )
        ).all()
        service.record_lookups(session, numbers=numbers, results=lookups)
        assert not session.dirty
        stored_risk = dict(
            session.execute(
                sa.select(ReputationNumber.id, ReputationNumber.spam_risk).where(
                    ReputationNumber.enterprise_id == enterprise_id
                )
            ).all()
        )
        # The objects passed in show what was written without a reload.
        for number in numbers:
            assert number.spam_risk == stored_risk[number.id]


def test_record_lookups_full_batch(
    settings: Settings, account: AccountKeys, db: Database
) -> None:
    numbers = us_numbers(COUNT)
    enterprise_id = approved_enterprise(
        settings, account.account_id, numbers, webhook_url=HOOK
    )
    first = {
        "first_orion": set(range(0, COUNT, 5)),
        "hiya": set(range(0, COUNT, 3)),
        "tns": set(),
    }
    _record(db, enterprise_id, _lookups(numbers, first))
    # A second round takes the ON CONFLICT path and flags new numbers on tns.
    second = {**first, "tns": set(range(1, COUNT, 4))}
    _record(db, enterprise_id, _lookups(numbers, second))

    with db.unit_of_work(write=False) as session:
        rows = session.execute(
            sa.select(ReputationNumber).where(
                ReputationNumber.enterprise_id == enterprise_id
            )
        ).scalars()
        by_number = {row.phone_number: row for row in rows}
        status_count = session.scalar(
            sa.select(sa.func.count()).select_from(ReputationNetworkStatus)
        )
        snapshot_count = session.scalar(
            sa.select(sa.func.count()).select_from(ReputationSnapshot)
        )
        tns_flagged = session.scalar(
            sa.select(sa.func.count()).where(
                ReputationNetworkStatus.network == "tns",
                ReputationNetworkStatus.flagged.is_(True),
            )
        )
        event_types = session.scalars(sa.select(WebhookEvent.event_type)).all()

    assert status_count == COUNT * len(NETWORKS)
    assert snapshot_count == 2 * COUNT
    assert tns_flagged == len(second["tns"])

    flagged_first = first["first_orion"] | first["hiya"]
    flagged_second = flagged_first | second["tns"]
    assert len(event_types) == len(flagged_second)
    assert set(event_types) == {"number_reputation.number.spam_flagged"}

    for index, phone_number in enumerate(numbers):
        row = by_number[phone_number]
        hits = [network for network in NETWORKS if index in second[network]]
        labels = ["Possible Scam" if index % 7 == 0 else "Telemarketer"] * len(hits)
        assert row.spam_risk == _expected_risk(len(hits), labels), phone_number
        assert row.spam_category == (labels[0] if labels else None), phone_number
        scores = [10 * position + index % 10 for position in range(len(NETWORKS))]
        assert row.maturity_score == round(sum(scores) / len(scores)), phone_number
        assert row.last_refreshed_at == CHECKED + timedelta(minutes=2)
        assert row.next_check_at is not None
        assert (row.flag_event_at is not None) == (index in flagged_second)


def test_record_lookups_keeps_other_networks(
    settings: Settings, account: AccountKeys, db: Database
) -> None:
    numbers = us_numbers(3)
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    everywhere = {network: {0} for network in NETWORKS}
    _record(db, enterprise_id, _lookups(numbers, everywhere))
    # Only hiya returns a result now, and a clean one. The others stay flagged.
    hiya_only = {"hiya": _lookups(numbers, {**everywhere, "hiya": set()})["hiya"]}
    _record(db, enterprise_id, hiya_only)
    with db.unit_of_work(write=False) as session:
        number = session.scalar(
            sa.select(ReputationNumber).where(
                ReputationNumber.phone_number == numbers[0]
            )
        )
        assert number is not None
        flags = session.scalars(
            sa.select(ReputationNetworkStatus.flagged)
            .where(ReputationNetworkStatus.number_id == number.id)
            .order_by(ReputationNetworkStatus.network)
        ).all()
    assert flags == [True, False, True]
    assert number.spam_risk == "high"
