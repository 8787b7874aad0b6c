"""Deliveries by a real ``numrep serve`` and its DBOS worker.

Events are emitted from this process into the server's database, as another
domain's transaction would; the server's worker picks up the queued attempts.
The live server runs with ``NUMREP_WEBHOOK_RETRY_SCALE=0.005``, so retries come
25 ms, 1.5 s and 9 s after attempts 1, 2 and 3.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from dbos import DBOSClient

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.settings import Settings
from numrep.webhook import service
from numrep.webhook.models import WebhookEvent
from tests.support.live import LiveServer
from tests.webhook.helpers import Receiver, Reply, wait_until

Emit = Callable[..., uuid.UUID]
Unwrap = Callable[[str, dict[str, str], str], Any]


def _public_key(http: httpx.Client) -> str:
    response = http.get("/v2/webhook_signing_key")
    assert response.status_code == 200, response.text
    key: str = response.json()["data"]["public_key"]
    return key


def _event(db: Database, event_id: uuid.UUID) -> WebhookEvent:
    with db.unit_of_work(write=False) as session:
        return service.get_event(session, event_id=event_id)


def test_live_delivery_verified_by_sdk(
    http: httpx.Client,
    emit: Emit,
    db: Database,
    receiver: Receiver,
    unwrap: Unwrap,
) -> None:
    public_key = _public_key(http)
    event_id = emit(receiver.url())
    (request,) = receiver.wait_for(1)
    event = unwrap(request.text, request.headers, public_key)
    assert event.data.id == str(event_id)
    assert json.loads(request.body)["meta"] == {
        "attempt": 1,
        "delivered_to": receiver.url(),
    }
    wait_until(
        lambda: _event(db, event_id).status == "delivered", what="event delivered"
    )


def test_live_retry_survives_restart(
    live_server: LiveServer,
    http: httpx.Client,
    emit: Emit,
    db: Database,
    make_receiver: Callable[..., Receiver],
    unwrap: Unwrap,
) -> None:
    public_key = _public_key(http)
    receiver = make_receiver(Reply(500), Reply(500), Reply(500))
    event_id = emit(receiver.url())
    receiver.wait_for(2)
    live_server.stop()

    # Attempt 3 is due 1.5 s after attempt 2, attempt 4 9 s after attempt 3:
    # the server stopped with a retry still queued.
    stopped = _event(db, event_id)
    assert stopped.status == "pending"
    assert stopped.attempt_count in (2, 3)
    assert stopped.next_attempt_at is not None
    seen_while_stopped = len(receiver.requests)
    overdue_in = (stopped.next_attempt_at - utcnow()).total_seconds()
    time.sleep(max(0.0, overdue_in) + 0.5)
    assert len(receiver.requests) == seen_while_stopped

    live_server.start()
    requests = receiver.wait_for(4, timeout=60)
    wait_until(
        lambda: _event(db, event_id).status == "delivered",
        timeout=30,
        what="event delivered",
    )
    assert len(receiver.requests) == 4
    envelopes = [json.loads(request.body) for request in requests]
    assert [envelope["data"]["id"] for envelope in envelopes] == [str(event_id)] * 4
    assert [envelope["meta"]["attempt"] for envelope in envelopes] == [1, 2, 3, 4]
    verified = unwrap(requests[3].text, requests[3].headers, public_key)
    assert verified.data.id == str(event_id)
    timestamps = [int(request.headers["telnyx-timestamp"]) for request in requests]
    assert timestamps == sorted(timestamps)
    assert timestamps[3] > timestamps[0]


@pytest.mark.slow
def test_live_sweep_requeues_lost_message(
    live_server: LiveServer,
    settings: Settings,
    emit: Emit,
    db: Database,
    receiver: Receiver,
) -> None:
    live_server.stop()
    event_id = emit(receiver.url())
    # Lose the queued message and make the attempt look a few minutes overdue.
    client = DBOSClient(system_database_url=settings.resolved_database_url)
    try:
        client.delete_workflow(f"{event_id}:1")
    finally:
        client.destroy()
    with db.unit_of_work() as session:
        event = session.get(WebhookEvent, event_id)
        assert event is not None
        event.next_attempt_at = utcnow() - timedelta(minutes=5)
    live_server.start()
    # The sweep runs at second 0 of every minute.
    (request,) = receiver.wait_for(1, timeout=90)
    assert json.loads(request.body)["data"]["id"] == str(event_id)
    wait_until(
        lambda: _event(db, event_id).status == "delivered", what="event delivered"
    )
