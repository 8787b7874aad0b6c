"""Tables of the sandbox networks: the reviews they opened and how each ends.

A review's outcome and decision time are fixed when the review opens, so a
restart or a second process reading the same database returns the same results.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.clock import utcnow
from numrep.core.db import Base


class SandboxReview(Base):
    """One review opened at a sandbox network, tier 1 or tier 2."""

    __tablename__ = "sandbox_reviews"
    __table_args__ = (
        sa.UniqueConstraint("network", "idempotency_key"),
        sa.Index("ix_sandbox_reviews_network_number", "network", "phone_number"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    network: Mapped[str] = mapped_column(sa.String(32))
    idempotency_key: Mapped[str] = mapped_column(sa.String(255))
    phone_number: Mapped[str] = mapped_column(sa.String(16))
    tier: Mapped[int] = mapped_column(sa.SmallInteger)
    # The predetermined decision, or null for a review that is never decided.
    outcome: Mapped[str | None] = mapped_column(sa.String(32))
    detail: Mapped[str | None] = mapped_column(sa.String(255))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    decide_at: Mapped[datetime | None]
    # Set only for cleared reviews after which the network flags the number again.
    relabel_at: Mapped[datetime | None]
