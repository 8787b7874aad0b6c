"""The ownership check sweep on SQLite and PostgreSQL: each transition of a check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer

from numrep.core.clock import isoformat, utcnow
from numrep.core.db import Database
from numrep.ownership.carrier_sandbox import initial_spid
from numrep.ownership.config import HttpCarrierConfig
from numrep.ownership.decide import Policy
from numrep.ownership.sweep import run_sweep
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.ownership.helpers import (
    disconnect,
    events,
    history,
    number_row,
    other_spid,
    port,
    sweep,
    tracked_enterprise,
)
from tests.support.live import free_port
from tests.support.onboarding import us_numbers

FLAGGED = "number_reputation.number.flagged"
REMOVED = "number_reputation.number.removed"
POLICY = Policy(confirm_window=timedelta(days=3), reverify_after=timedelta(days=365))
NUMBER = "+15125550101"


@pytest.fixture
def tracked(settings: Settings, db: Database, account: AccountKeys) -> str:
    """One tracked number whose baseline the first sweep has recorded."""
    tracked_enterprise(settings, db, account.account_id, [NUMBER])
    result = sweep(db, policy=POLICY)
    assert result.outcomes == {"baseline_recorded": 1}
    return NUMBER


def test_first_check_records_baseline(db: Database, tracked: str) -> None:
    row = number_row(db, tracked)
    assert row.baseline_carrier == initial_spid(tracked)
    assert row.baseline_recorded_at is not None
    assert row.ownership_checked_at == row.baseline_recorded_at
    assert row.ownership_status == "verified"
    assert history(db, row.id) == [("check", "baseline_recorded")]

    later = sweep(db, policy=POLICY, now=utcnow() + timedelta(hours=1))
    assert later.outcomes == {"unchanged": 1}
    assert history(db, row.id)[-1] == ("check", "unchanged")


def test_port_flags_carrier_changed(db: Database, tracked: str) -> None:
    port(db, tracked, other_spid(tracked))
    checked_at = utcnow() + timedelta(minutes=1)
    result = sweep(db, policy=POLICY, now=checked_at)

    assert result.outcomes == {"carrier_changed": 1}
    row = number_row(db, tracked)
    assert row.ownership_status == "pending_confirmation"
    assert row.flag_reason == "carrier_changed"
    assert row.confirm_by == checked_at + timedelta(days=3)
    assert row.baseline_carrier == initial_spid(tracked)
    assert row.observed_carrier == other_spid(tracked)
    assert history(db, row.id)[-2:] == [
        ("check", "carrier_changed"),
        ("flag", "carrier_changed"),
    ]
    assert events(db, FLAGGED) == [
        {
            "record_type": "reputation_phone_number",
            "phone_number": tracked,
            "enterprise_id": str(row.enterprise_id),
            "source": "telnyx",
            "ownership_status": "pending_confirmation",
            "flag_reason": "carrier_changed",
            "confirm_by": isoformat(checked_at + timedelta(days=3)),
        }
    ]

    again = sweep(db, policy=POLICY, now=checked_at + timedelta(days=1))
    assert again.outcomes == {"awaiting_confirmation": 1}
    assert number_row(db, tracked).confirm_by == row.confirm_by
    assert len(events(db, FLAGGED)) == 1


def test_deadline_removes_carrier_change(db: Database, tracked: str) -> None:
    port(db, tracked, other_spid(tracked))
    flagged_at = utcnow() + timedelta(minutes=1)
    sweep(db, policy=POLICY, now=flagged_at)
    removed_at = flagged_at + timedelta(days=3, seconds=1)
    result = sweep(db, policy=POLICY, now=removed_at)

    assert result.outcomes == {"confirmation_deadline_passed": 1}
    row = number_row(db, tracked)
    assert row.ownership_status == "removed"
    assert row.removal_reason == "unconfirmed_ownership"
    assert row.removed_at == removed_at
    assert row.flag_reason is None
    assert row.confirm_by is None
    assert row.next_check_at is None
    assert history(db, row.id)[-2:] == [
        ("check", "confirmation_deadline_passed"),
        ("removed", "unconfirmed_ownership"),
    ]
    assert events(db, REMOVED) == [
        {
            "record_type": "reputation_phone_number",
            "phone_number": tracked,
            "enterprise_id": str(row.enterprise_id),
            "source": "telnyx",
            "ownership_status": "removed",
            "removal_reason": "unconfirmed_ownership",
            "removed_at": isoformat(removed_at),
        }
    ]
    assert sweep(db, policy=POLICY, now=removed_at + timedelta(days=1)).checked == 0


def test_reverification_due_then_flagged(db: Database, tracked: str) -> None:
    policy = Policy(confirm_window=timedelta(days=3), reverify_after=timedelta(days=30))
    due_at = utcnow() + timedelta(days=31)
    result = sweep(db, policy=policy, now=due_at)

    assert result.outcomes == {"reverification_due": 1}
    row = number_row(db, tracked)
    assert row.ownership_status == "pending_confirmation"
    assert row.flag_reason == "reverification_due"
    assert row.confirm_by == due_at + timedelta(days=3)
    assert [event["flag_reason"] for event in events(db, FLAGGED)] == [
        "reverification_due"
    ]

    unanswered_at = due_at + timedelta(days=4)
    result = sweep(db, policy=policy, now=unanswered_at)
    assert result.outcomes == {"reverification_unanswered": 1}
    row = number_row(db, tracked)
    assert row.ownership_status == "flagged"
    assert row.flag_reason == "reverification_due"
    assert row.confirm_by is None
    assert row.removed_at is None
    assert events(db, REMOVED) == []
    assert history(db, row.id)[-2:] == [
        ("check", "reverification_unanswered"),
        ("flag", "reverification_unanswered"),
    ]

    result = sweep(db, policy=policy, now=unanswered_at + timedelta(days=5))
    assert result.outcomes == {"awaiting_confirmation": 1}
    assert number_row(db, tracked).ownership_status == "flagged"


def test_reverification_disabled(db: Database, tracked: str) -> None:
    policy = Policy(confirm_window=timedelta(days=3), reverify_after=None)
    result = sweep(db, policy=policy, now=utcnow() + timedelta(days=4000))
    assert result.outcomes == {"unchanged": 1}


def test_disconnect_removes_reassigned(db: Database, tracked: str) -> None:
    port(db, tracked, other_spid(tracked))
    sweep(db, policy=POLICY, now=utcnow() + timedelta(minutes=1))
    disconnect(db, tracked)
    removed_at = utcnow() + timedelta(minutes=2)
    result = sweep(db, policy=POLICY, now=removed_at)

    assert result.outcomes == {"disconnected": 1}
    row = number_row(db, tracked)
    assert row.ownership_status == "removed"
    assert row.removal_reason == "reassigned"
    assert history(db, row.id)[-1] == ("removed", "reassigned")
    assert [event["removal_reason"] for event in events(db, REMOVED)] == ["reassigned"]


def test_telnyx_number_left_inventory(
    settings: Settings, db: Database, account: AccountKeys
) -> None:
    tracked_enterprise(settings, db, account.account_id, [NUMBER], in_inventory=False)
    result = sweep(db, policy=POLICY)
    assert result.outcomes == {"left_inventory": 1}
    row = number_row(db, NUMBER)
    assert row.ownership_status == "pending_confirmation"
    assert row.flag_reason == "carrier_changed"
    assert row.baseline_carrier == initial_spid(NUMBER)


def test_no_webhook_url_sends_nothing(
    settings: Settings, db: Database, account: AccountKeys
) -> None:
    tracked_enterprise(settings, db, account.account_id, [NUMBER], webhook_url=None)
    sweep(db, policy=POLICY)
    port(db, NUMBER, other_spid(NUMBER))
    sweep(db, policy=POLICY, now=utcnow() + timedelta(minutes=1))
    assert number_row(db, NUMBER).ownership_status == "pending_confirmation"
    assert events(db, FLAGGED) == []


def test_failed_lookup_keeps_state(db: Database, tracked: str) -> None:
    # Nothing listens on this local port, so every lookup fails to connect.
    config = HttpCarrierConfig(
        kind="http", url=f"http://127.0.0.1:{free_port()}/lookup", max_attempts=1
    )
    port(db, tracked, other_spid(tracked))
    result = run_sweep(db, config, POLICY, now=utcnow() + timedelta(minutes=1))
    assert result.outcomes == {"lookup_failed": 1}
    row = number_row(db, tracked)
    assert row.ownership_status == "verified"
    assert row.observed_carrier == initial_spid(tracked)


def test_sweep_scoped_to_enterprise(
    settings: Settings, db: Database, account: AccountKeys
) -> None:
    first, second = us_numbers(2, start=700)
    first_enterprise = tracked_enterprise(settings, db, account.account_id, [first])
    tracked_enterprise(settings, db, account.account_id, [second])
    result = sweep(db, policy=POLICY, enterprise_id=first_enterprise)
    assert result.checked == 1
    assert number_row(db, first).ownership_checked_at is not None
    assert number_row(db, second).ownership_checked_at is None


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    """SQL statements the engine runs while the test records them."""
    recorded: list[str] = []

    def record(*args: Any) -> None:
        recorded.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield recorded
    sa.event.remove(db.engine, "before_cursor_execute", record)


def test_sweep_is_set_based(
    settings: Settings, db: Database, account: AccountKeys, statements: list[str]
) -> None:
    numbers = us_numbers(300, start=1000)
    tracked_enterprise(settings, db, account.account_id, numbers)
    assert sweep(db, policy=POLICY).outcomes == {"baseline_recorded": 300}
    for number in numbers[:10]:
        port(db, number, other_spid(number))

    statements.clear()
    result = sweep(db, policy=POLICY, now=utcnow() + timedelta(minutes=1))
    assert result.outcomes == {"unchanged": 290, "carrier_changed": 10}
    flagged_statements = len(statements)

    statements.clear()
    result = sweep(db, policy=POLICY, now=utcnow() + timedelta(minutes=2))
    assert result.outcomes == {"unchanged": 290, "awaiting_confirmation": 10}
    # One batch: select, sandbox events, inventory, bulk update, history insert,
    # webhook URLs, then the empty batch that ends the run, plus transaction
    # bookkeeping. Per-number queries would run hundreds of statements.
    assert len(statements) < 30, statements
    # Each flagged number adds its webhook event, and nothing per checked number.
    assert flagged_statements < 30 + 10 * 5, statements
    pending = [number_row(db, number).ownership_status for number in numbers[:10]]
    assert pending == ["pending_confirmation"] * 10
    assert number_row(db, numbers[10]).ownership_status == "verified"


def test_sweep_batches_cover_every_number(
    settings: Settings, db: Database, account: AccountKeys
) -> None:
    numbers = us_numbers(250, start=2000)
    tracked_enterprise(settings, db, account.account_id, numbers)
    result = sweep(db, policy=POLICY, batch_size=40)
    assert result.checked == 250
    again = sweep(db, policy=POLICY, batch_size=40, now=utcnow() + timedelta(hours=1))
    assert again.outcomes == {"unchanged": 250}


def test_http_lookup_drives_checks(
    db: Database, tracked: str, httpserver: HTTPServer
) -> None:
    answer = {"phone_number": tracked, "spid": "HT01", "carrier_name": "Other"}
    httpserver.expect_request("/lookup", method="POST").respond_with_json(
        {"data": [answer]}
    )
    config = HttpCarrierConfig(kind="http", url=httpserver.url_for("/lookup"))
    result = run_sweep(db, config, POLICY, now=utcnow() + timedelta(minutes=1))

    assert result.outcomes == {"carrier_changed": 1}
    row = number_row(db, tracked)
    assert row.ownership_status == "pending_confirmation"
    assert row.observed_carrier == "HT01"
    [(request, _)] = httpserver.log
    assert request.get_json() == {"phone_numbers": [tracked]}
