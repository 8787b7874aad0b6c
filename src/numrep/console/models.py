"""The append-only audit log of operator decisions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.clock import utcnow
from numrep.core.db import Base, new_id


class AuditEntry(Base):
    """One decision: who made it, on what, when, and the state before and after.

    Rows are only inserted; no code path updates or deletes them.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_subject", "subject_type", "subject_id", "created_at"),
        sa.Index("ix_audit_log_created", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    # The request a case belongs to, so the request page can show its decisions.
    request_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, default=None)
