"""Writing and reading the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.console.models import AuditEntry
from numrep.core.clock import utcnow


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    request_id: uuid.UUID | None = None,
) -> AuditEntry:
    """Insert one audit entry in the caller's transaction."""
    entry = AuditEntry(
        id=uuid.uuid4(),
        created_at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        request_id=request_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def entries_for(
    session: Session,
    *,
    subject_type: str | None = None,
    subject_ids: Sequence[str] | None = None,
    request_id: uuid.UUID | None = None,
    limit: int = 50,
) -> Sequence[AuditEntry]:
    """Return the newest entries matching every given filter."""
    query = sa.select(AuditEntry)
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_ids is not None:
        query = query.where(AuditEntry.subject_id.in_(list(subject_ids)))
    if request_id is not None:
        query = query.where(AuditEntry.request_id == request_id)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id).limit(limit)
    return session.scalars(query).all()
