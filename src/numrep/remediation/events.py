"""Remediation webhook events, written to the outbox with the state change."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from numrep.remediation.models import RemediationRequest
from numrep.remediation.render import render_request
from numrep.webhook import events as outbox

RequestEvent = Literal["tier1_complete", "completed", "failed", "cancelled"]


def emit_request_event(
    session: Session, request: RemediationRequest, event: RequestEvent
) -> None:
    """Record ``number_reputation.remediation.<event>`` when the request has a URL.

    The payload is the full request object plus ``record_type`` and
    ``enterprise_id``.
    """
    if not request.webhook_url:
        return
    session.flush()
    payload = render_request(session, request)
    payload["record_type"] = "reputation_remediation"
    payload["enterprise_id"] = str(request.enterprise_id)
    outbox.emit(
        session,
        account_id=request.account_id,
        url=request.webhook_url,
        event_type=f"number_reputation.remediation.{event}",
        payload=payload,
    )
