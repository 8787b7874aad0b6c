"""Reputation settings, registered numbers, per-network detail and snapshots."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.clock import utcnow
from numrep.core.db import Base, TimestampMixin, new_id


class SettingsStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DELETED = "deleted"


class LoaStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class CheckFrequency(StrEnum):
    BUSINESS_DAILY = "business_daily"
    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    NEVER = "never"


class OwnershipStatus(StrEnum):
    VERIFIED = "verified"
    PENDING_CONFIRMATION = "pending_confirmation"
    FLAGGED = "flagged"
    REMOVED = "removed"


class NumberSource(StrEnum):
    TELNYX = "telnyx"
    EXTERNAL = "external"


class RemovalReason(StrEnum):
    PORTED_AWAY = "ported_away"
    UNCONFIRMED_OWNERSHIP = "unconfirmed_ownership"
    REASSIGNED = "reassigned"
    CUSTOMER_REPORTED = "customer_reported"
    CUSTOMER_REMOVED = "customer_removed"


class SpamRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ReputationSettings(TimestampMixin, Base):
    """One enablement of number reputation on an enterprise.

    Enabling again after a rejection or a disable starts a new row; the old one
    keeps its history with ``closed_at`` set. At most one row per enterprise is
    open.
    """

    __tablename__ = "reputation_settings"
    __table_args__ = (
        sa.Index(
            "uq_reputation_settings_enterprise_open",
            "enterprise_id",
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=SettingsStatus.PENDING)
    rejection_reasons: Mapped[list[str] | None] = mapped_column(sa.JSON, default=None)
    loa_document_id: Mapped[str] = mapped_column(sa.String(255))
    loa_status: Mapped[str] = mapped_column(sa.String(16), default=LoaStatus.PENDING)
    loa_rejection_reason: Mapped[str | None] = mapped_column(sa.Text, default=None)
    loa_reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    check_frequency: Mapped[str] = mapped_column(
        sa.String(16), default=CheckFrequency.BUSINESS_DAILY
    )
    webhook_url: Mapped[str | None] = mapped_column(sa.String(2048), default=None)
    vetted_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


_ACTIVE = "removed_at IS NULL"
_REMOVED = "removed_at IS NOT NULL"


def _partial_index(name: str, where: str, *columns: str) -> sa.Index:
    # SQLite 3.40 reads an index alone only when it contains every column the query
    # names, including the removed_at of the index's own WHERE clause.
    return sa.Index(
        name,
        *columns,
        "removed_at",
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def _list_indexes() -> list[sa.Index]:
    """Build the indexes that serve every filter and the order of the number lists.

    Each index starts with the list's scope (account or enterprise), then the
    equality filter, then ``created_at, id`` in the list's order, so the
    database reads one page and stops. The lists always filter on ``removed_at``,
    so the indexes are partial: a count of the active rows reads only the index.
    """
    # An enterprise's list also filters on account_id, so its indexes hold both
    # ids and a count never reads table rows to check the account.
    scopes = {"account": ("account_id",), "enterprise": ("account_id", "enterprise_id")}
    order = ("created_at", "id")
    indexes = []
    for scope, columns in scopes.items():
        prefix = f"ix_reputation_numbers_{scope}"
        indexes += [
            _partial_index(f"{prefix}_active", _ACTIVE, *columns, *order),
            _partial_index(
                f"{prefix}_ownership", _ACTIVE, *columns, "ownership_status", *order
            ),
            _partial_index(f"{prefix}_source", _ACTIVE, *columns, "source", *order),
            _partial_index(f"{prefix}_removed", _REMOVED, *columns, *order),
        ]
    # pg_trgm's GIN index serves LIKE '%digits%' and equality on PostgreSQL.
    # SQLite ignores the PostgreSQL options and builds a B-tree on phone_number,
    # which serves equality on removed rows; its substring filter reads the
    # scope's rows.
    indexes.append(
        sa.Index(
            "ix_reputation_numbers_phone_number_trgm",
            "phone_number",
            postgresql_using="gin",
            postgresql_ops={"phone_number": "gin_trgm_ops"},
        )
    )
    return indexes


class ReputationNumber(TimestampMixin, Base):
    """A number registered for monitoring under one enterprise.

    Removed rows are kept for history; the partial unique index lets a number be
    registered again, under any enterprise, once its earlier row is removed.
    """

    __tablename__ = "reputation_numbers"
    __table_args__ = (
        sa.Index(
            "uq_reputation_numbers_phone_number_active",
            "phone_number",
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
        sa.Index(
            "ix_reputation_numbers_enterprise_created", "enterprise_id", "created_at"
        ),
        sa.Index("ix_reputation_numbers_account_created", "account_id", "created_at"),
        sa.Index("ix_reputation_numbers_next_check_at", "next_check_at"),
        # The ownership sweep scans the active numbers by their last check.
        sa.Index(
            "ix_reputation_numbers_ownership_checked_at",
            "ownership_checked_at",
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
        *_list_indexes(),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE")
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE")
    )
    phone_number: Mapped[str] = mapped_column(sa.String(16))
    source: Mapped[str] = mapped_column(sa.String(16), default=NumberSource.TELNYX)
    ownership_status: Mapped[str] = mapped_column(
        sa.String(24), default=OwnershipStatus.VERIFIED
    )
    flag_reason: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    confirm_by: Mapped[datetime | None] = mapped_column(default=None)
    removal_reason: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    spam_risk: Mapped[str | None] = mapped_column(sa.String(8), default=None)
    spam_category: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    maturity_score: Mapped[int | None] = mapped_column(default=None)
    connection_score: Mapped[int | None] = mapped_column(default=None)
    engagement_score: Mapped[int | None] = mapped_column(default=None)
    sentiment_score: Mapped[int | None] = mapped_column(default=None)
    last_refreshed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_remediated_at: Mapped[datetime | None] = mapped_column(default=None)
    # When a refresh last found the number newly flagged or relabeled, whether
    # or not a webhook URL was set; a relabel is reported once per remediation.
    flag_event_at: Mapped[datetime | None] = mapped_column(default=None)
    next_check_at: Mapped[datetime | None] = mapped_column(default=None)
    # Ownership tracking: the carrier (SPID) when ownership was last established,
    # the carrier the last check found, and when that check ran.
    baseline_carrier: Mapped[str | None] = mapped_column(sa.String(8), default=None)
    baseline_recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    observed_carrier: Mapped[str | None] = mapped_column(sa.String(8), default=None)
    ownership_checked_at: Mapped[datetime | None] = mapped_column(default=None)


class ReputationNetworkStatus(Base):
    """The latest lookup result of one network for one registered number."""

    __tablename__ = "reputation_network_statuses"
    __table_args__ = (sa.UniqueConstraint("number_id", "network"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reputation_numbers.id", ondelete="CASCADE")
    )
    network: Mapped[str] = mapped_column(sa.String(32))
    flagged: Mapped[bool] = mapped_column(default=False)
    label: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    maturity_score: Mapped[int | None] = mapped_column(default=None)
    connection_score: Mapped[int | None] = mapped_column(default=None)
    engagement_score: Mapped[int | None] = mapped_column(default=None)
    sentiment_score: Mapped[int | None] = mapped_column(default=None)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReputationSnapshot(Base):
    """The derived data and per-network results of one refresh, kept as history."""

    __tablename__ = "reputation_snapshots"
    __table_args__ = (
        sa.Index("ix_reputation_snapshots_number_taken", "number_id", "taken_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reputation_numbers.id", ondelete="CASCADE")
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    phone_number: Mapped[str] = mapped_column(sa.String(16))
    spam_risk: Mapped[str | None] = mapped_column(sa.String(8), default=None)
    spam_category: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    maturity_score: Mapped[int | None] = mapped_column(default=None)
    connection_score: Mapped[int | None] = mapped_column(default=None)
    engagement_score: Mapped[int | None] = mapped_column(default=None)
    sentiment_score: Mapped[int | None] = mapped_column(default=None)
    networks: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
