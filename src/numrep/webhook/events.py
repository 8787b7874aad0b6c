"""Recording webhook events in the outbox, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


def emit(
    session: Session,
    *,
    account_id: uuid.UUID,
    url: str,
    event_type: str,
    payload: dict[str, Any],
    occurred_at: datetime | None = None,
) -> uuid.UUID:
    """Store one event for ``url`` and schedule its delivery after commit.

    Returns the event id, which is ``data.id`` on every delivery attempt.
    """
    raise NotImplementedError
