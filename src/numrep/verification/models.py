"""The external verification of an enterprise: ownership proof and its review."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.db import Base, TimestampMixin, new_id


class VerificationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ExternalVerification(TimestampMixin, Base):
    """One enterprise's ownership proof for numbers hosted with another provider.

    An enterprise has at most one row. A replace overwrites it and re-opens the
    review, and the audit log keeps the earlier decisions.
    """

    __tablename__ = "external_verifications"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name="status_known"
        ),
        sa.CheckConstraint(
            "(status = 'rejected') = (rejection_reason IS NOT NULL)",
            name="reason_only_when_rejected",
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (reviewed_at IS NULL)",
            name="reviewed_only_when_decided",
        ),
        sa.CheckConstraint(
            "reviewer_key_id IS NULL OR reviewed_at IS NOT NULL",
            name="reviewer_only_when_decided",
        ),
        sa.Index("ix_external_verifications_status", "status", "submitted_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), unique=True
    )
    document_ids: Mapped[list[str]] = mapped_column(sa.JSON)
    phone_numbers: Mapped[list[str]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(
        sa.String(16), default=VerificationStatus.PENDING
    )
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text, default=None)
    submitted_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The operator API key that decided; null for decisions made with the CLI,
    # which runs without a key. The audit log names every actor.
    reviewer_key_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
