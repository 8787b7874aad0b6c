"""Ownership history of registered numbers and the sandbox carrier's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.clock import utcnow
from numrep.core.db import Base, new_id


class HistoryEvent(StrEnum):
    ADDED = "added"
    CHECK = "check"
    FLAG = "flag"
    CONFIRM = "confirm"
    REMOVED = "removed"


class CarrierEventKind(StrEnum):
    PORT = "port"
    DISCONNECT = "disconnect"


class OwnershipHistory(Base):
    """One ownership event of a registered number.

    ``id`` grows with every insert, so it orders events that share a timestamp
    (a check and the flag it raised) in the order they were written.
    """

    __tablename__ = "ownership_history"
    __table_args__ = (
        sa.Index("ix_ownership_history_number_occurred", "number_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )
    number_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reputation_numbers.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(sa.String(16))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(sa.String(64))
    # The evidence document sent with an ownership confirmation, kept for audit.
    document_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SandboxCarrierEvent(Base):
    """A simulated port or disconnect that the sandbox carrier lookup applies.

    Events take effect at ``effective_at``; later events win over earlier ones.
    """

    __tablename__ = "sandbox_carrier_events"
    __table_args__ = (
        sa.Index(
            "ix_sandbox_carrier_events_number_effective",
            "phone_number",
            "effective_at",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    phone_number: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str] = mapped_column(sa.String(16))
    # The carrier the number moves to; null for a disconnect.
    spid: Mapped[str | None] = mapped_column(sa.String(8), default=None)
    effective_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
