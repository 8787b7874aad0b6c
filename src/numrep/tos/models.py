"""Terms-of-service agreements of an account."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.clock import utcnow
from numrep.core.db import Base, new_id


class TosAgreement(Base):
    __tablename__ = "tos_agreements"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "product_type", "terms_version"),
        sa.Index("ix_tos_agreements_account_created", "account_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE")
    )
    product_type: Mapped[str] = mapped_column(sa.String(32))
    terms_version: Mapped[str] = mapped_column(sa.String(32))
    agreed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
