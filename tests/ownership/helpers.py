"""Enterprises with tracked numbers, sweeps and reads for the ownership tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from numrep.core.db import Database
from numrep.inventory import service as inventory
from numrep.ownership import carrier_sandbox
from numrep.ownership.config import SandboxCarrierConfig
from numrep.ownership.decide import Policy
from numrep.ownership.models import CarrierEventKind, OwnershipHistory
from numrep.ownership.sweep import SweepResult, run_sweep
from numrep.reputation.models import ReputationNumber
from numrep.settings import Settings
from numrep.webhook.models import WebhookEvent
from tests.support.onboarding import approved_enterprise

# Nothing listens on port 9; these tests run no worker, so nothing is sent.
WEBHOOK_URL = "http://127.0.0.1:9/ownership"


def tracked_enterprise(
    settings: Settings,
    db: Database,
    account_id: uuid.UUID,
    numbers: Sequence[str],
    *,
    webhook_url: str | None = WEBHOOK_URL,
    in_inventory: bool = True,
) -> uuid.UUID:
    """An approved enterprise with ``numbers`` registered and in the inventory."""
    enterprise_id = approved_enterprise(
        settings, account_id, numbers, webhook_url=webhook_url
    )
    if in_inventory:
        with db.unit_of_work() as session:
            inventory.add_numbers(session, account_id=account_id, phone_numbers=numbers)
    return enterprise_id


def sweep(
    db: Database,
    *,
    now: datetime | None = None,
    policy: Policy | None = None,
    enterprise_id: uuid.UUID | None = None,
    batch_size: int = 200,
) -> SweepResult:
    return run_sweep(
        db,
        SandboxCarrierConfig(),
        policy or Policy.from_settings(Settings()),
        now=now,
        enterprise_id=enterprise_id,
        batch_size=batch_size,
    )


def port(db: Database, phone_number: str, spid: str) -> None:
    with db.unit_of_work() as session:
        carrier_sandbox.record_event(
            session, phone_number=phone_number, kind=CarrierEventKind.PORT, spid=spid
        )


def disconnect(db: Database, phone_number: str) -> None:
    with db.unit_of_work() as session:
        carrier_sandbox.record_event(
            session,
            phone_number=phone_number,
            kind=CarrierEventKind.DISCONNECT,
            spid=None,
        )


def other_spid(phone_number: str) -> str:
    current = carrier_sandbox.initial_spid(phone_number)
    return next(spid for spid in carrier_sandbox.SANDBOX_CARRIERS if spid != current)


def number_row(db: Database, phone_number: str) -> ReputationNumber:
    """The latest registration of ``phone_number``, removed or not."""
    with db.unit_of_work(write=False) as session:
        row = session.scalars(
            sa.select(ReputationNumber)
            .where(ReputationNumber.phone_number == phone_number)
            .order_by(ReputationNumber.created_at.desc())
        ).first()
        assert row is not None, phone_number
        session.expunge(row)
        return row


def history(db: Database, number_id: uuid.UUID) -> list[tuple[str, str]]:
    """(event_type, outcome) of the number's events, oldest first."""
    with db.unit_of_work(write=False) as session:
        rows = session.execute(
            sa.select(OwnershipHistory.event_type, OwnershipHistory.outcome)
            .where(OwnershipHistory.number_id == number_id)
            .order_by(OwnershipHistory.id)
        ).all()
    return [(event_type, outcome) for event_type, outcome in rows]


def events(db: Database, event_type: str) -> list[dict[str, Any]]:
    """Payloads of the outbox events of ``event_type``, oldest first."""
    with db.unit_of_work(write=False) as session:
        rows = session.scalars(
            sa.select(WebhookEvent.payload)
            .where(WebhookEvent.event_type == event_type)
            .order_by(WebhookEvent.occurred_at)
        ).all()
    return list(rows)
