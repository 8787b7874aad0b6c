"""Recording webhook events in the outbox, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from numrep.webhook import service


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

    The event row and the message for its first attempt are written in the
    caller's transaction, so both commit or neither does. Check ``url`` with
    ``numrep.webhook.safety.validate_webhook_url`` when the client submits it;
    the target is checked again when each attempt connects.

    Returns the event id, which is ``data.id`` on every delivery attempt.
    """
    event = service.create_event(
        session,
        account_id=account_id,
        url=url,
        event_type=event_type,
        payload=payload,
        occurred_at=occurred_at,
    )
    return event.id
