"""Telnyx-shaped views of remediation requests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.clock import isoformat
from numrep.remediation.models import (
    BUCKETS,
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
)

# After tier 1, numbers still under review are listed in requires_review until
# tier 2 decides them.
_PROVISIONAL_BUCKET = {
    NumberState.IN_REVIEW: NumberState.REQUIRES_REVIEW,
    NumberState.ESCALATED: NumberState.REQUIRES_REVIEW,
    NumberState.QUEUED: NumberState.REQUIRES_REVIEW,
}


def results_visible(request: RemediationRequest) -> bool:
    """``results`` is null until tier 1 completes or the request completes."""
    return (
        request.tier1_completed_at is not None
        or request.status == RequestStatus.COMPLETED
    )


def build_results(session: Session, request: RemediationRequest) -> dict[str, Any]:
    buckets: dict[str, list[str]] = {bucket.value: [] for bucket in BUCKETS}
    rows = session.execute(
        sa.select(RemediationNumber.phone_number, RemediationNumber.state)
        .where(RemediationNumber.request_id == request.id)
        .order_by(RemediationNumber.position)
    )
    for phone_number, state in rows:
        bucket = _PROVISIONAL_BUCKET.get(NumberState(state), NumberState(state))
        if bucket in buckets:
            buckets[bucket].append(phone_number)
    return buckets


def render_request(session: Session, request: RemediationRequest) -> dict[str, Any]:
    """The full ``RemediationRequest`` object, as submit and GET return it."""
    results = build_results(session, request) if results_visible(request) else None
    return {
        "id": str(request.id),
        "record_type": "reputation_remediation",
        "status": request.status,
        "phone_numbers_count": request.phone_numbers_count,
        "phone_numbers_submitted": request.phone_numbers_submitted,
        "phone_numbers_ineligible": request.phone_numbers_ineligible,
        "call_purpose": request.call_purpose,
        "contact_email": request.contact_email,
        "webhook_url": request.webhook_url,
        "created_at": isoformat(request.created_at),
        "updated_at": isoformat(request.updated_at),
        "tier1_completed_at": isoformat(request.tier1_completed_at),
        "tier2_completed_at": isoformat(request.tier2_completed_at),
        "results": results,
    }


def render_list_item(request: RemediationRequest) -> dict[str, Any]:
    """Render the slim list item: no results, webhook URL, email or count breakdown."""
    return {
        "id": str(request.id),
        "record_type": "reputation_remediation",
        "status": request.status,
        "call_purpose": request.call_purpose,
        "phone_numbers_count": request.phone_numbers_count,
        "created_at": isoformat(request.created_at),
        "updated_at": isoformat(request.updated_at),
        "tier1_completed_at": isoformat(request.tier1_completed_at),
        "tier2_completed_at": isoformat(request.tier2_completed_at),
    }
