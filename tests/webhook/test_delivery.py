"""Outbox, attempts and retries, run in this process on SQLite and PostgreSQL.

The DBOS worker is not running here: each test calls ``Deliverer.run`` for the
attempt that the previous one enqueued, and reads the queued messages with the
DBOS client.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from dbos import DBOSClient

from numrep.core.db import Database
from numrep.core.errors import ConflictError
from numrep.settings import Settings
from numrep.webhook import events, service
from numrep.webhook.delivery import Deliverer, sweep_overdue
from numrep.webhook.models import WebhookDelivery, WebhookEvent
from numrep.webhook.signing import public_key_base64, signing_key
from tests.webhook.helpers import (
    ConnectTripwire,
    Receiver,
    Reply,
    StaticResolver,
)

Emit = Callable[..., uuid.UUID]
MakeDeliverer = Callable[..., Deliverer]
Unwrap = Callable[[str, dict[str, str], str], Any]


@pytest.fixture
def dbos_client(settings: Settings) -> Iterator[Any]:
    client = DBOSClient(system_database_url=settings.resolved_database_url)
    yield client
    client.destroy()


def _event(db: Database, event_id: uuid.UUID) -> WebhookEvent:
    with db.unit_of_work(write=False) as session:
        return service.get_event(session, event_id=event_id)


def _attempts(db: Database, event_id: uuid.UUID) -> list[WebhookDelivery]:
    with db.unit_of_work(write=False) as session:
        rows = service.list_deliveries(session, event_id=event_id)
        return sorted(rows, key=lambda row: row.attempt)


def _workflow(client: Any, event_id: uuid.UUID, attempt: int) -> Any:
    found = client.list_workflows(workflow_ids=[f"{event_id}:{attempt}"])
    return found[0] if found else None


def test_emit_commits_row_and_message(
    emit: Emit, db: Database, receiver: Receiver, dbos_client: Any
) -> None:
    event_id = emit(receiver.url())
    event = _event(db, event_id)
    assert event.status == "pending"
    assert event.attempt_count == 0
    assert event.next_attempt_at is not None
    workflow = _workflow(dbos_client, event_id, 1)
    assert workflow is not None
    assert workflow.status == "ENQUEUED"
    assert workflow.queue_name == "webhooks"
    assert workflow.name == "webhook.deliver"


def test_emit_rolls_back_with_caller(
    db: Database, account: Any, receiver: Receiver, dbos_client: Any
) -> None:
    emitted: list[uuid.UUID] = []

    def emit_then_fail() -> None:
        with db.unit_of_work() as session:
            emitted.append(
                events.emit(
                    session,
                    account_id=account.account_id,
                    url=receiver.url(),
                    event_type="number_reputation.number.removed",
                    payload={},
                )
            )
            raise RuntimeError("caller fails after emitting")

    with pytest.raises(RuntimeError):
        emit_then_fail()
    (event_id,) = emitted
    with db.unit_of_work(write=False) as session:
        assert session.get(WebhookEvent, event_id) is None
    assert _workflow(dbos_client, event_id, 1) is None


def test_delivery_verified_by_sdk(
    emit: Emit,
    db: Database,
    settings: Settings,
    receiver: Receiver,
    make_deliverer: MakeDeliverer,
    unwrap: Unwrap,
) -> None:
    occurred_at = datetime(2026, 10, 5, 7, 0, 12, 521992, tzinfo=UTC)
    payload = {"record_type": "reputation_phone_number", "note": "caf\u00e9"}
    event_id = emit(receiver.url(), payload=payload, occurred_at=occurred_at)
    result = make_deliverer().run(event_id, 1)
    assert result is not None
    assert result.delivered
    (request,) = receiver.requests
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    public_key = public_key_base64(signing_key(settings))
    verified = unwrap(request.text, request.headers, public_key)
    assert verified.data.id == str(event_id)

    envelope = json.loads(request.body)
    assert envelope == {
        "data": {
            "record_type": "event",
            "id": str(event_id),
            "event_type": "number_reputation.number.flagged",
            "occurred_at": "2026-10-05T07:00:12.521992Z",
            "payload": payload,
        },
        "meta": {"attempt": 1, "delivered_to": receiver.url()},
    }

    event = _event(db, event_id)
    assert event.status == "delivered"
    assert event.attempt_count == 1
    assert event.delivered_at is not None
    assert event.next_attempt_at is None
    (attempt,) = _attempts(db, event_id)
    assert attempt.outcome == "delivered"
    assert attempt.status_code == 200
    assert attempt.latency_ms is not None
    assert attempt.error is None


def test_tampered_delivery_fails_sdk(
    emit: Emit,
    settings: Settings,
    receiver: Receiver,
    make_deliverer: MakeDeliverer,
    unwrap: Unwrap,
) -> None:
    make_deliverer().run(emit(receiver.url()), 1)
    (request,) = receiver.requests
    public_key = public_key_base64(signing_key(settings))
    tampered = request.text.replace("carrier_changed", "carrier_unchanged")
    with pytest.raises(ValueError, match="signature does not match"):
        unwrap(tampered, request.headers, public_key)
    stale = {**request.headers, "telnyx-timestamp": str(int(time.time()) - 301)}
    with pytest.raises(ValueError, match="too old or too new"):
        unwrap(request.text, stale, public_key)


def test_retries_keep_id_and_count_attempts(
    emit: Emit,
    db: Database,
    settings: Settings,
    make_receiver: Callable[..., Receiver],
    make_deliverer: MakeDeliverer,
    dbos_client: Any,
    unwrap: Unwrap,
) -> None:
    receiver = make_receiver(Reply(500), Reply(500), Reply(503))
    event_id = emit(receiver.url())
    deliverer = make_deliverer()
    for attempt, expected_delay in ((1, 5), (2, 300), (3, 1800)):
        before = datetime.now(UTC)
        result = deliverer.run(event_id, attempt)
        assert result is not None
        assert not result.delivered
        event = _event(db, event_id)
        assert event.status == "pending"
        assert event.attempt_count == attempt
        assert event.last_error == f"HTTP {result.status_code} is not a 2xx status"
        assert event.next_attempt_at is not None
        delay = (event.next_attempt_at - before).total_seconds()
        assert expected_delay * 0.9 - 1 <= delay <= expected_delay * 1.1 + 1
        queued = _workflow(dbos_client, event_id, attempt + 1)
        assert queued is not None
        assert queued.status == "DELAYED"

    assert deliverer.run(event_id, 4) is not None
    public_key = public_key_base64(signing_key(settings))
    bodies = [unwrap(r.text, r.headers, public_key) for r in receiver.requests]
    assert [body.data.id for body in bodies] == [str(event_id)] * 4
    assert [json.loads(r.body)["meta"]["attempt"] for r in receiver.requests] == [
        1,
        2,
        3,
        4,
    ]

    assert _event(db, event_id).status == "delivered"
    rows = _attempts(db, event_id)
    assert [row.status_code for row in rows] == [500, 500, 503, 200]
    assert [row.outcome for row in rows] == ["failed"] * 3 + ["delivered"]
    assert _workflow(dbos_client, event_id, 5) is None


def test_eighth_failure_marks_event_failed(
    emit: Emit,
    db: Database,
    make_receiver: Callable[..., Receiver],
    make_deliverer: MakeDeliverer,
    dbos_client: Any,
) -> None:
    receiver = make_receiver(default=Reply(500))
    event_id = emit(receiver.url())
    deliverer = make_deliverer()
    for attempt in range(1, 9):
        assert deliverer.run(event_id, attempt) is not None
    event = _event(db, event_id)
    assert event.status == "failed"
    assert event.attempt_count == 8
    assert event.next_attempt_at is None
    assert len(receiver.requests) == 8
    assert _workflow(dbos_client, event_id, 9) is None


def test_retry_delays_scale_with_setting(
    emit: Emit,
    db: Database,
    settings: Settings,
    make_receiver: Callable[..., Receiver],
) -> None:
    settings.webhook_retry_scale = 0.01
    receiver = make_receiver(default=Reply(500))
    event_id = emit(receiver.url())
    deliverer = Deliverer(db, settings)
    try:
        before = datetime.now(UTC)
        deliverer.run(event_id, 1)
        deliverer.run(event_id, 2)
    finally:
        deliverer.close()
    event = _event(db, event_id)
    assert event.next_attempt_at is not None
    delay = (event.next_attempt_at - before).total_seconds()
    assert delay <= 300 * 0.01 * 1.1 + 1


def test_duplicate_or_early_attempt_skipped(
    emit: Emit, db: Database, receiver: Receiver, make_deliverer: MakeDeliverer
) -> None:
    event_id = emit(receiver.url())
    deliverer = make_deliverer()
    assert deliverer.run(event_id, 2) is None
    assert deliverer.run(event_id, 1) is not None
    assert deliverer.run(event_id, 1) is None
    assert len(receiver.requests) == 1
    assert len(_attempts(db, event_id)) == 1


def test_redeliver_sends_same_id_next_attempt(
    emit: Emit, db: Database, receiver: Receiver, make_deliverer: MakeDeliverer
) -> None:
    event_id = emit(receiver.url())
    with db.unit_of_work() as session, pytest.raises(ConflictError):
        service.redeliver(session, event_id=event_id)
    deliverer = make_deliverer()
    deliverer.run(event_id, 1)
    with db.unit_of_work() as session:
        assert service.redeliver(session, event_id=event_id) == 2
    assert _event(db, event_id).status == "pending"
    deliverer.run(event_id, 2)
    first, second = (json.loads(request.body) for request in receiver.requests)
    assert first["data"] == second["data"]
    assert first["meta"]["attempt"] == 1
    assert second["meta"]["attempt"] == 2
    assert _event(db, event_id).status == "delivered"


def test_rejected_target_recorded_on_attempt(
    emit: Emit,
    db: Database,
    receiver: Receiver,
    make_deliverer: MakeDeliverer,
    connect_tripwire: ConnectTripwire,
) -> None:
    resolver = StaticResolver({"hooks.example.test": ["10.1.2.3"]})
    deliverer = make_deliverer(allow_private=False, resolver=resolver)
    event_id = emit(f"https://hooks.example.test:{receiver.port}/hook")
    with connect_tripwire:
        result = deliverer.run(event_id, 1)
    assert connect_tripwire.blocked == []
    assert receiver.connections == 0
    assert result is not None
    (attempt,) = _attempts(db, event_id)
    assert attempt.outcome == "failed"
    assert attempt.status_code is None
    assert attempt.error == (
        "rejected target hooks.example.test: 10.1.2.3 is a private address. "
        "Webhook targets must be public addresses; "
        "NUMREP_WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows others for local "
        "development"
    )
    assert _event(db, event_id).last_error == attempt.error


def test_sweep_requeues_lost_message(
    emit: Emit, db: Database, receiver: Receiver, dbos_client: Any
) -> None:
    event_id = emit(receiver.url())
    assert sweep_overdue(db).overdue == 0
    later = datetime.now(UTC) + timedelta(minutes=5)
    report = sweep_overdue(db, now=later)
    assert report.overdue == 1
    assert report.requeued == 0
    dbos_client.delete_workflow(f"{event_id}:1")
    assert _workflow(dbos_client, event_id, 1) is None
    report = sweep_overdue(db, now=later)
    assert report.requeued == 1
    workflow = _workflow(dbos_client, event_id, 1)
    assert workflow is not None
    assert workflow.status == "ENQUEUED"


def test_sweep_resumes_cancelled_attempt(
    emit: Emit, db: Database, receiver: Receiver, dbos_client: Any
) -> None:
    event_id = emit(receiver.url())
    dbos_client.cancel_workflow(f"{event_id}:1")
    assert _workflow(dbos_client, event_id, 1).status == "CANCELLED"
    report = sweep_overdue(db, now=datetime.now(UTC) + timedelta(minutes=5))
    assert report.resumed == 1
    assert _workflow(dbos_client, event_id, 1).status == "ENQUEUED"


def test_sweep_skips_delivered_events(
    emit: Emit, db: Database, receiver: Receiver, make_deliverer: MakeDeliverer
) -> None:
    event_id = emit(receiver.url())
    make_deliverer().run(event_id, 1)
    with db.unit_of_work(write=False) as session:
        pending = session.scalar(
            sa.select(sa.func.count()).where(WebhookEvent.status == "pending")
        )
    assert pending == 0
    report = sweep_overdue(db, now=datetime.now(UTC) + timedelta(days=2))
    assert report.overdue == 0
