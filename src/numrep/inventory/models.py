"""Inventory numbers: the phone numbers an account owns."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.db import Base, TimestampMixin, new_id


class InventoryNumber(TimestampMixin, Base):
    __tablename__ = "inventory_numbers"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "phone_number"),
        sa.Index(
            "ix_inventory_numbers_account_created", "account_id", "created_at", "id"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE")
    )
    phone_number: Mapped[str] = mapped_column(sa.String(16))
