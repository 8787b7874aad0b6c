"""Tier-2 review cases worked by operators: listing them and recording decisions.

A case belongs to a network with no escalation API (or a manual network); the
operator files the dispute with the network by hand and records its decision here.
When the last open case of a request is decided, the request completes in the
same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import NotFoundError, StateGuardError
from numrep.core.pagination import Page, PageParams, paginate
from numrep.remediation.advance import finalize
from numrep.remediation.models import (
    IN_FLIGHT_STATUSES,
    CaseState,
    RemediationRequest,
    ReviewCase,
)
from numrep.remediation.pipeline import count_open_cases, lock_request

log = structlog.get_logger(__name__)


class Decision(StrEnum):
    CLEARED = "cleared"
    UPHELD = "upheld"
    NEEDS_INFO = "needs_more_information"


def list_cases(
    session: Session,
    *,
    page: PageParams,
    state: CaseState | None = CaseState.OPEN,
    network: str | None = None,
    enterprise_id: uuid.UUID | None = None,
    opened_before: datetime | None = None,
) -> Page[ReviewCase]:
    """Operator cases, oldest deadline first, filtered in the database."""
    query = cases_query(
        state=state,
        network=network,
        enterprise_id=enterprise_id,
        opened_before=opened_before,
    )
    return paginate(session, query, page)


def cases_query(
    *,
    state: CaseState | None,
    network: str | None,
    enterprise_id: uuid.UUID | None,
    opened_before: datetime | None,
) -> sa.Select[ReviewCase]:
    """Build the operator queue's query, oldest deadline first."""
    query = sa.select(ReviewCase).where(ReviewCase.manual.is_(True))
    if state is not None:
        query = query.where(ReviewCase.state == state)
    if network is not None:
        query = query.where(ReviewCase.network == network)
    if enterprise_id is not None:
        query = query.where(ReviewCase.enterprise_id == enterprise_id)
    if opened_before is not None:
        query = query.where(ReviewCase.created_at <= opened_before)
    return query.order_by(ReviewCase.deadline_at, ReviewCase.id)


def get_case(session: Session, case_id: uuid.UUID) -> ReviewCase:
    case = session.get(ReviewCase, case_id)
    if case is None or not case.manual:
        raise NotFoundError(f"Review case {case_id} not found.")
    return case


def decide(
    session: Session,
    *,
    case_ids: Sequence[uuid.UUID],
    decision: Decision,
    note: str | None,
    decided_by: str,
) -> list[ReviewCase]:
    """Record one decision on open cases; complete requests left with none open."""
    cases = [get_case(session, case_id) for case_id in case_ids]
    closed = [case for case in cases if case.state != CaseState.OPEN]
    if closed:
        raise StateGuardError(
            f"Review case {closed[0].id} is already '{closed[0].state}'; only open "
            "cases can be decided."
        )
    now = utcnow()
    for case in cases:
        case.state = CaseState(decision.value)
        case.decided_at = now
        case.decided_by = decided_by
        case.note = note
        case.updated_at = now
        log.info(
            "review.case_decided",
            case_id=str(case.id),
            request_id=str(case.request_id),
            network=case.network,
            decision=decision.value,
        )
    session.flush()
    for request_id in dict.fromkeys(case.request_id for case in cases):
        complete_if_settled(session, request_id)
    return cases


def complete_if_settled(session: Session, request_id: uuid.UUID) -> bool:
    """Finish the request when tier 2 has no open case left."""
    request: RemediationRequest | None = lock_request(session, request_id)
    if request is None or request.status not in IN_FLIGHT_STATUSES:
        return False
    if request.tier1_completed_at is None:
        return False
    if count_open_cases(session, request_id, tier=2) > 0:
        return False
    finalize(session, request)
    return True
