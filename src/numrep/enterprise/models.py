"""Enterprises: the legal entities whose numbers are monitored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.db import Base, TimestampMixin, new_id


class Enterprise(TimestampMixin, Base):
    __tablename__ = "enterprises"
    __table_args__ = (
        sa.Index("ix_enterprises_account_created", "account_id", "created_at", "id"),
        # One live enterprise per FEIN in an account; deleted ones keep theirs.
        sa.Index(
            "uq_enterprises_account_fein_live",
            "account_id",
            "fein_digits",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE")
    )
    legal_name: Mapped[str] = mapped_column(sa.String(64))
    doing_business_as: Mapped[str] = mapped_column(sa.String(255))
    organization_type: Mapped[str] = mapped_column(sa.String(32))
    organization_legal_type: Mapped[str] = mapped_column(sa.String(32))
    country_code: Mapped[str] = mapped_column(sa.String(2))
    jurisdiction_of_incorporation: Mapped[str] = mapped_column(sa.String(100))
    website: Mapped[str] = mapped_column(sa.String(255))
    fein: Mapped[str] = mapped_column(sa.String(20))
    fein_digits: Mapped[str] = mapped_column(sa.String(20))
    industry: Mapped[str] = mapped_column(sa.String(64))
    number_of_employees: Mapped[str] = mapped_column(sa.String(16))
    organization_contact: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    billing_contact: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    organization_physical_address: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    billing_address: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    corporate_registration_number: Mapped[str | None] = mapped_column(sa.String(100))
    customer_reference: Mapped[str | None] = mapped_column(sa.String(255))
    dun_bradstreet_number: Mapped[str | None] = mapped_column(sa.String(20))
    primary_business_domain_sic_code: Mapped[str | None] = mapped_column(sa.String(10))
    professional_license_number: Mapped[str | None] = mapped_column(sa.String(100))
    role_type: Mapped[str] = mapped_column(sa.String(16), default="enterprise")
    number_reputation_enabled: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
