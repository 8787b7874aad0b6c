"""Cancelling requests and single numbers of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.remediation import events
from numrep.remediation.advance import release_numbers
from numrep.remediation.models import (
    IN_FLIGHT_STATUSES,
    CaseState,
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)

log = structlog.get_logger(__name__)


def cancel_numbers(
    session: Session, request: RemediationRequest, phone_numbers: Sequence[str]
) -> int:
    """Cancel numbers of an in-flight request; return how many changed.

    A cancelled number keeps counting in ``phone_numbers_count`` and leaves every
    bucket. When no number of the request is left, the request is cancelled.
    """
    if request.status not in IN_FLIGHT_STATUSES:
        return 0
    now = utcnow()
    numbers = session.scalars(
        sa.select(RemediationNumber).where(
            RemediationNumber.request_id == request.id,
            RemediationNumber.phone_number.in_(phone_numbers),
            RemediationNumber.state != NumberState.CANCELLED,
        )
    ).all()
    for number in numbers:
        number.state = NumberState.CANCELLED
        number.inflight_phone = None
        number.cancelled_at = now
    _cancel_cases(session, [number.id for number in numbers], now)
    request.updated_at = now
    session.flush()

    remaining = session.scalar(
        sa.select(sa.func.count())
        .select_from(RemediationNumber)
        .where(
            RemediationNumber.request_id == request.id,
            RemediationNumber.state != NumberState.CANCELLED,
        )
    )
    if not remaining:
        _close(session, request, "every number of the request was cancelled")
    return len(numbers)


def cancel_request(
    session: Session, request: RemediationRequest, *, reason: str
) -> bool:
    """Cancel an in-flight request; numbers already decided keep their outcome."""
    if request.status not in IN_FLIGHT_STATUSES:
        return False
    now = utcnow()
    working = session.scalars(
        sa.select(RemediationNumber).where(
            RemediationNumber.request_id == request.id,
            RemediationNumber.state.in_(
                (NumberState.QUEUED, NumberState.IN_REVIEW, NumberState.ESCALATED)
            ),
        )
    ).all()
    for number in working:
        number.state = NumberState.CANCELLED
        number.cancelled_at = now
    _cancel_cases(session, [number.id for number in working], now)
    _close(session, request, reason)
    return True


def _cancel_cases(session: Session, number_ids: Sequence[int], now: object) -> None:
    if not number_ids:
        return
    session.execute(
        sa.update(ReviewCase)
        .where(
            ReviewCase.number_id.in_(number_ids),
            ReviewCase.state == CaseState.OPEN,
        )
        .values(state=CaseState.CANCELLED, decided_at=now, updated_at=now)
    )


def _close(session: Session, request: RemediationRequest, reason: str) -> None:
    now = utcnow()
    request.status = RequestStatus.CANCELLED
    request.status_reason = reason
    request.finished_at = now
    request.updated_at = now
    release_numbers(session, request.id)
    session.flush()
    events.emit_request_event(session, request, "cancelled")
    log.info("remediation.cancelled", request_id=str(request.id), reason=reason)


def in_flight_requests(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    phone_numbers: Sequence[str] | None = None,
) -> list[RemediationRequest]:
    query = (
        sa.select(RemediationRequest)
        .where(
            RemediationRequest.enterprise_id == enterprise_id,
            RemediationRequest.status.in_(IN_FLIGHT_STATUSES),
        )
        .with_for_update()
    )
    if phone_numbers is not None:
        members = sa.select(RemediationNumber.request_id).where(
            RemediationNumber.phone_number.in_(phone_numbers),
            RemediationNumber.state != NumberState.CANCELLED,
        )
        query = query.where(RemediationRequest.id.in_(members))
    return list(session.scalars(query))
