"""Webhook events waiting in the outbox and their delivery attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.db import Base, TimestampMixin, new_id

MAX_URL_LENGTH = 2048


class EventStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEvent(TimestampMixin, Base):
    """One event for one URL; its id is ``data.id`` on every delivery attempt."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        sa.Index("ix_webhook_events_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(MAX_URL_LENGTH))
    event_type: Mapped[str] = mapped_column(sa.String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    occurred_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(sa.String(16), default=EventStatus.PENDING)
    # Attempts made so far; the next attempt has number attempt_count + 1.
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(sa.Text, default=None)


class WebhookDelivery(Base):
    """One delivery attempt of an event: when, to where, and what came back."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "attempt"),
        sa.Index("ix_webhook_deliveries_started", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("webhook_events.id", ondelete="CASCADE")
    )
    attempt: Mapped[int]
    url: Mapped[str] = mapped_column(sa.String(MAX_URL_LENGTH))
    started_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(sa.String(16))
    status_code: Mapped[int | None] = mapped_column(default=None)
    latency_ms: Mapped[float | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(sa.Text, default=None)
