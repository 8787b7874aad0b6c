"""Remediation rows set up directly in the database for tests."""

from __future__ import annotations

import uuid
from datetime import timedelta

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.remediation.models import (
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)


def open_review_case(
    db: Database, account_id: uuid.UUID, enterprise_id: uuid.UUID, number: str
) -> uuid.UUID:
    """Store an in-progress request whose number waits for an operator's decision."""
    now = utcnow()
    with db.unit_of_work() as session:
        request = RemediationRequest(
            account_id=account_id,
            enterprise_id=enterprise_id,
            status=RequestStatus.IN_PROGRESS,
            call_purpose="Appointment reminders.",
            phone_numbers_count=1,
            phone_numbers_submitted=1,
            tier1_completed_at=now,
        )
        session.add(request)
        session.flush()
        row = RemediationNumber(
            request_id=request.id,
            enterprise_id=enterprise_id,
            phone_number=number,
            position=0,
            state=NumberState.ESCALATED,
            inflight_phone=number,
        )
        session.add(row)
        session.flush()
        case = ReviewCase(
            request_id=request.id,
            number_id=row.id,
            enterprise_id=enterprise_id,
            phone_number=number,
            network="first_orion",
            tier=2,
            manual=True,
            idempotency_key=f"{request.id}:{number}:first_orion:2",
            deadline_at=now + timedelta(hours=1),
        )
        session.add(case)
        session.flush()
        return case.id
