"""State transitions of the remediation pipeline, on the database only.

Network calls happen outside these functions (see ``tasks.py``), so no
transaction is held open while a network answers. Every function here is
idempotent: it acts only on rows still in the state it expects, so a step that
runs again after a crash changes nothing twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.network.base import LookupResult, ReviewOutcome, ReviewStatus
from numrep.remediation.models import (
    TERMINAL_STATUSES,
    CaseState,
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)

log = structlog.get_logger(__name__)

_OUTCOME_TO_CASE = {
    ReviewOutcome.CLEARED: CaseState.CLEARED,
    ReviewOutcome.UPHELD: CaseState.UPHELD,
    ReviewOutcome.NEEDS_INFO: CaseState.NEEDS_INFO,
}


@dataclass(frozen=True, slots=True)
class NetworkTraits:
    """What the pipeline needs to know of a network."""

    name: str
    manual: bool
    supports_escalation: bool


@dataclass(frozen=True, slots=True)
class Timing:
    poll_seconds: float
    tier1_deadline: timedelta
    tier2_deadline: timedelta


def lock_request(session: Session, request_id: uuid.UUID) -> RemediationRequest | None:
    return session.scalar(
        sa.select(RemediationRequest)
        .where(RemediationRequest.id == request_id)
        .with_for_update()
    )


def start(session: Session, request_id: uuid.UUID) -> bool:
    """Move a pending request to ``in_progress``; False when it is terminal."""
    request = lock_request(session, request_id)
    if request is None or request.status in TERMINAL_STATUSES:
        return False
    if request.status == RequestStatus.PENDING:
        request.status = RequestStatus.IN_PROGRESS
        request.updated_at = utcnow()
    return True


def queued_numbers(
    session: Session, request_id: uuid.UUID, *, limit: int
) -> list[tuple[int, str]]:
    rows = session.execute(
        sa.select(RemediationNumber.id, RemediationNumber.phone_number)
        .where(
            RemediationNumber.request_id == request_id,
            RemediationNumber.state == NumberState.QUEUED,
        )
        .order_by(RemediationNumber.position)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


def apply_screening(
    session: Session,
    request_id: uuid.UUID,
    *,
    number_ids: Sequence[int],
    lookups: Mapping[str, Sequence[LookupResult]],
    networks: Mapping[str, NetworkTraits],
    timing: Timing,
) -> None:
    """Store what the networks answered and open tier-1 cases where flagged.

    A number flagged nowhere becomes ``not_flagged``. At a network without an
    automated review (``manual``), the tier-1 case settles as unanswered at once,
    so the number goes straight to an operator at tier 2.
    """
    request = lock_request(session, request_id)
    if request is None or request.status in TERMINAL_STATUSES:
        return
    numbers = session.scalars(
        sa.select(RemediationNumber).where(
            RemediationNumber.id.in_(number_ids),
            RemediationNumber.state == NumberState.QUEUED,
        )
    ).all()
    flagged_at: dict[str, list[LookupResult]] = defaultdict(list)
    for results in lookups.values():
        for result in results:
            if result.flagged:
                flagged_at[result.phone_number].append(result)

    now = utcnow()
    cases: list[dict[str, object]] = []
    for number in numbers:
        number.screened_at = now
        hits = flagged_at.get(number.phone_number, [])
        number.flagged_networks = len(hits)
        if not hits:
            number.state = NumberState.NOT_FLAGGED
            number.decided_at = now
            continue
        number.state = NumberState.IN_REVIEW
        for hit in hits:
            manual = networks[hit.network].manual
            cases.append(
                {
                    "id": uuid.uuid4(),
                    "request_id": request_id,
                    "number_id": number.id,
                    "enterprise_id": number.enterprise_id,
                    "phone_number": number.phone_number,
                    "network": hit.network,
                    "tier": 1,
                    "manual": False,
                    "state": CaseState.UNANSWERED if manual else CaseState.OPEN,
                    "label": hit.label,
                    "idempotency_key": idempotency_key(
                        request_id, number.phone_number, hit.network, 1
                    ),
                    "deadline_at": now + timing.tier1_deadline,
                    "decided_at": now if manual else None,
                    "note": "network has no automated review" if manual else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if cases:
        session.execute(sa.insert(ReviewCase), cases)
    request.updated_at = now
    _record_reputation(session, request, lookups)
    session.flush()


def _record_reputation(
    session: Session,
    request: RemediationRequest,
    lookups: Mapping[str, Sequence[LookupResult]],
) -> None:
    """Refresh the numbers' reputation data with what screening learned."""
    from numrep.reputation.models import ReputationNumber
    from numrep.reputation.service import record_lookups

    phone_numbers = {
        result.phone_number for rows in lookups.values() for result in rows
    }
    if not phone_numbers:
        return
    registered = session.scalars(
        sa.select(ReputationNumber).where(
            ReputationNumber.enterprise_id == request.enterprise_id,
            ReputationNumber.removed_at.is_(None),
            ReputationNumber.phone_number.in_(phone_numbers),
        )
    ).all()
    if registered:
        record_lookups(session, numbers=registered, results=lookups)


def idempotency_key(
    request_id: uuid.UUID, phone_number: str, network: str, tier: int
) -> str:
    return f"{request_id}:{phone_number}:{network}:{tier}"


def cases_to_submit(
    session: Session, request_id: uuid.UUID, *, tier: int
) -> list[ReviewCase]:
    """Automated cases not yet sent to their network."""
    return list(
        session.scalars(
            sa.select(ReviewCase).where(
                ReviewCase.request_id == request_id,
                ReviewCase.tier == tier,
                ReviewCase.manual.is_(False),
                ReviewCase.state == CaseState.OPEN,
                ReviewCase.submitted_at.is_(None),
            )
        )
    )


def open_automated_cases(
    session: Session, request_id: uuid.UUID, *, tier: int
) -> list[ReviewCase]:
    return list(
        session.scalars(
            sa.select(ReviewCase).where(
                ReviewCase.request_id == request_id,
                ReviewCase.tier == tier,
                ReviewCase.manual.is_(False),
                ReviewCase.state == CaseState.OPEN,
                ReviewCase.review_id.is_not(None),
            )
        )
    )


def record_statuses(
    session: Session,
    case_ids: Sequence[uuid.UUID],
    statuses: Sequence[ReviewStatus],
) -> int:
    """Store review ids and any decisions; return how many cases settled."""
    by_key = {status.idempotency_key: status for status in statuses}
    by_review = {status.review_id: status for status in statuses}
    now = utcnow()
    settled = 0
    cases = session.scalars(
        sa.select(ReviewCase).where(
            ReviewCase.id.in_(case_ids), ReviewCase.state == CaseState.OPEN
        )
    ).all()
    for case in cases:
        status = by_key.get(case.idempotency_key) or by_review.get(case.review_id or "")
        if status is None:
            continue
        case.review_id = status.review_id
        case.submitted_at = case.submitted_at or now
        case.updated_at = now
        new_state = _OUTCOME_TO_CASE.get(status.outcome)
        if new_state is not None:
            case.state = new_state
            case.decided_at = status.decided_at or now
            case.note = status.detail
            settled += 1
    session.flush()
    return settled


def record_failures(
    session: Session, case_ids: Sequence[uuid.UUID], *, error: str, budget: int
) -> None:
    """Count a failed network call against each case; settle those out of budget.

    A case whose connector keeps failing settles as unanswered, so its number ends
    in ``requires_review`` instead of holding the request open forever.
    """
    now = utcnow()
    cases = session.scalars(
        sa.select(ReviewCase).where(
            ReviewCase.id.in_(case_ids), ReviewCase.state == CaseState.OPEN
        )
    ).all()
    for case in cases:
        case.attempts += 1
        case.last_error = error[:2000]
        case.updated_at = now
        if case.attempts >= budget:
            case.state = CaseState.UNANSWERED
            case.decided_at = now
            case.note = "network kept failing; settled after its retry budget"
    session.flush()


def settle_overdue(session: Session, request_id: uuid.UUID, *, tier: int) -> int:
    """Settle open cases whose deadline passed as unanswered."""
    now = utcnow()
    result = session.execute(
        sa.update(ReviewCase)
        .where(
            ReviewCase.request_id == request_id,
            ReviewCase.tier == tier,
            ReviewCase.state == CaseState.OPEN,
            ReviewCase.deadline_at <= now,
        )
        .values(
            state=CaseState.UNANSWERED,
            decided_at=now,
            updated_at=now,
            note="no decision before the deadline",
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def count_open_cases(session: Session, request_id: uuid.UUID, *, tier: int) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(ReviewCase)
            .where(
                ReviewCase.request_id == request_id,
                ReviewCase.tier == tier,
                ReviewCase.state == CaseState.OPEN,
            )
        )
        or 0
    )
