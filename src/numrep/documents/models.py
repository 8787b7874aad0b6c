"""Uploaded documents: metadata in one table, the file bytes in another."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.db import Base, TimestampMixin, new_id


class Document(TimestampMixin, Base):
    """Metadata of one uploaded file. Listing documents never loads their bytes."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.Index("ix_documents_account_created", "account_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(sa.String(512))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    customer_reference: Mapped[str | None] = mapped_column(sa.String(255))
    # Deleted documents keep their row, so other tables may still refer to the id,
    # but their bytes are removed.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class DocumentContent(Base):
    """The bytes of one document, exactly as uploaded."""

    __tablename__ = "document_contents"

    document_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
