"""Fixtures of the webhook tests: receivers, the database and deliverers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from numrep.core.db import Database
from numrep.settings import Settings
from numrep.webhook import events
from numrep.webhook.delivery import Deliverer
from numrep.webhook.safety import Resolver
from numrep.webhook.sender import Sender
from tests.webhook.helpers import ConnectTripwire, Receiver, Reply, tripwire

ReceiverFactory = Callable[..., Receiver]


@pytest.fixture
def make_receiver() -> Iterator[ReceiverFactory]:
    started: list[Receiver] = []

    def factory(*replies: Reply, **options: Any) -> Receiver:
        receiver = Receiver(replies, **options)
        started.append(receiver)
        return receiver

    yield factory
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(make_receiver: ReceiverFactory) -> Receiver:
    return make_receiver()


@pytest.fixture
def connect_tripwire() -> ConnectTripwire:
    return tripwire()


@pytest.fixture
def make_deliverer(
    db: Database, settings: Settings
) -> Iterator[Callable[..., Deliverer]]:
    made: list[Deliverer] = []

    def factory(
        *, allow_private: bool = True, resolver: Resolver | None = None, **options: Any
    ) -> Deliverer:
        if resolver is not None:
            options["resolver"] = resolver
        sender = Sender(allow_private=allow_private, **options)
        deliverer = Deliverer(db, settings, sender=sender)
        made.append(deliverer)
        return deliverer

    yield factory
    for deliverer in made:
        deliverer.close()


@pytest.fixture
def emit(db: Database, account: Any) -> Callable[..., uuid.UUID]:
    """Emit an event for ``account`` in its own transaction."""

    def emit_event(url: str, **overrides: Any) -> uuid.UUID:
        values: dict[str, Any] = {
            "event_type": "number_reputation.number.flagged",
            "payload": {
                "record_type": "reputation_phone_number",
                "phone_number": "+15125550143",
                "flag_reason": "carrier_changed",
            },
        }
        values.update(overrides)
        with db.unit_of_work() as session:
            return events.emit(
                session, account_id=account.account_id, url=url, **values
            )

    return emit_event


@pytest.fixture(scope="session")
def unwrap() -> Callable[[str, dict[str, str], str], Any]:
    """Verify a delivery the way a receiver does, with the official Telnyx SDK."""
    import telnyx

    def verify(body: str, headers: dict[str, str], public_key: str) -> Any:
        client = telnyx.Telnyx(
            api_key="unused",
            public_key=public_key,
            base_url="http://127.0.0.1:9/v2",
            max_retries=0,
        )
        return client.webhooks.unwrap(body, headers=headers, key=public_key)

    return verify
