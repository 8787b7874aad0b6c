"""Remediation requests, their numbers and the per-network review cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from numrep.core.db import Base, TimestampMixin, new_id

# Integer keys on SQLite so bulk inserts get rowids without RETURNING.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class RequestStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


IN_FLIGHT_STATUSES = (RequestStatus.PENDING, RequestStatus.IN_PROGRESS)
TERMINAL_STATUSES = (
    RequestStatus.COMPLETED,
    RequestStatus.FAILED,
    RequestStatus.CANCELLED,
)


class NumberState(StrEnum):
    """The state of one number of a request.

    ``queued``, ``in_review`` and ``escalated`` are working states; the others are
    outcomes. The five result buckets are the outcomes other than ``cancelled``.
    """

    QUEUED = "queued"
    IN_REVIEW = "in_review"
    ESCALATED = "escalated"
    NOT_FLAGGED = "not_flagged"
    REMEDIATED = "remediated"
    REFUSED = "refused"
    REQUIRES_REVIEW = "requires_review"
    INELIGIBLE = "ineligible"
    CANCELLED = "cancelled"


WORKING_STATES = (NumberState.QUEUED, NumberState.IN_REVIEW, NumberState.ESCALATED)
BUCKETS = (
    NumberState.REMEDIATED,
    NumberState.NOT_FLAGGED,
    NumberState.REQUIRES_REVIEW,
    NumberState.INELIGIBLE,
    NumberState.REFUSED,
)
# Outcomes after which a network has reviewed the number; they start a cooldown.
REVIEWED_OUTCOMES = (
    NumberState.REMEDIATED,
    NumberState.REFUSED,
    NumberState.REQUIRES_REVIEW,
)


class CaseState(StrEnum):
    """The state of the review of one number at one network in one tier."""

    OPEN = "open"
    CLEARED = "cleared"
    UPHELD = "upheld"
    NEEDS_INFO = "needs_more_information"
    UNANSWERED = "unanswered"
    CANCELLED = "cancelled"


SETTLED_CASE_STATES = (
    CaseState.CLEARED,
    CaseState.UPHELD,
    CaseState.NEEDS_INFO,
    CaseState.UNANSWERED,
    CaseState.CANCELLED,
)


class RemediationRequest(TimestampMixin, Base):
    __tablename__ = "remediation_requests"
    __table_args__ = (
        sa.Index(
            "ix_remediation_requests_enterprise_created",
            "enterprise_id",
            "created_at",
            "id",
        ),
        sa.Index("ix_remediation_requests_status", "status"),
        # The list filtered by status reads its page from this index.
        sa.Index(
            "ix_remediation_requests_enterprise_status_created",
            "enterprise_id",
            "status",
            "created_at",
            "id",
        ),
        sa.CheckConstraint(
            "phone_numbers_count = phone_numbers_submitted + phone_numbers_ineligible",
            name="counters_add_up",
        ),
        sa.CheckConstraint(
            "tier2_completed_at IS NULL OR (tier1_completed_at IS NOT NULL "
            "AND tier1_completed_at <= tier2_completed_at)",
            name="tiers_in_order",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'failed', 'cancelled')",
            name="status_known",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE")
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=RequestStatus.PENDING)
    call_purpose: Mapped[str] = mapped_column(sa.Text)
    contact_email: Mapped[str | None] = mapped_column(sa.String(255))
    webhook_url: Mapped[str | None] = mapped_column(sa.String(2048))
    phone_numbers_count: Mapped[int] = mapped_column(default=0)
    phone_numbers_submitted: Mapped[int] = mapped_column(default=0)
    phone_numbers_ineligible: Mapped[int] = mapped_column(default=0)
    tier1_completed_at: Mapped[datetime | None] = mapped_column(default=None)
    tier2_completed_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    status_reason: Mapped[str | None] = mapped_column(sa.Text, default=None)

    @validates("status")
    def _keep_terminal(self, _key: str, value: str) -> str:
        # A terminal status is final; clients and webhooks rely on it.
        current = self.status
        if current in TERMINAL_STATUSES and value != current:
            raise TerminalStatusError(
                f"remediation request {self.id} is {current}; it cannot become {value}"
            )
        return value


class TerminalStatusError(RuntimeError):
    """Raised when code tries to move a request out of a terminal status."""


class RemediationNumber(Base):
    __tablename__ = "remediation_numbers"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "phone_number"),
        sa.Index("ix_remediation_numbers_request_state", "request_id", "state"),
        # The per-number view pages through a request in submission order.
        sa.Index(
            "ix_remediation_numbers_request_position", "request_id", "position", "id"
        ),
        sa.Index("ix_remediation_numbers_phone_decided", "phone_number", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("remediation_requests.id", ondelete="CASCADE")
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column()
    phone_number: Mapped[str] = mapped_column(sa.String(16))
    position: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(16))
    # The phone number while this row is in an in-flight request, else NULL. The
    # unique constraint makes "one in-flight request per number" a database rule.
    inflight_phone: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    flagged_networks: Mapped[int] = mapped_column(default=0)
    screened_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)


class ReviewCase(TimestampMixin, Base):
    """The review of one number at one network in one tier.

    Tier-2 cases of networks without an escalation API are worked by operators.
    """

    __tablename__ = "review_cases"
    __table_args__ = (
        sa.UniqueConstraint("number_id", "network", "tier"),
        sa.Index("ix_review_cases_request_tier_state", "request_id", "tier", "state"),
        sa.Index("ix_review_cases_queue", "manual", "state", "deadline_at", "id"),
        # The console filters the operator queue by network or enterprise.
        sa.Index(
            "ix_review_cases_queue_network",
            "manual",
            "state",
            "network",
            "deadline_at",
            "id",
        ),
        sa.Index(
            "ix_review_cases_queue_enterprise",
            "manual",
            "state",
            "enterprise_id",
            "deadline_at",
            "id",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("remediation_requests.id", ondelete="CASCADE")
    )
    number_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("remediation_numbers.id", ondelete="CASCADE")
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column()
    phone_number: Mapped[str] = mapped_column(sa.String(16))
    network: Mapped[str] = mapped_column(sa.String(32))
    tier: Mapped[int] = mapped_column()
    manual: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(sa.String(24), default=CaseState.OPEN)
    label: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    review_id: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    note: Mapped[str | None] = mapped_column(sa.Text, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text, default=None)
