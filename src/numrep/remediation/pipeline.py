"""State transitions of the remediation pipeline, on the database only.

Network calls happen outside these functions (see ``tasks.py``), so no
transaction is held open while a network responds. Every function here is
idempotent: it acts only on rows still in the state it expects, so a step that
runs again after a crash changes nothing twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.db import in_values, new_ids, uuid_param
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
    """The traits of a network that the pipeline depends on."""

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
    """Store the networks' lookup results and open tier-1 cases where flagged.

    A number flagged nowhere becomes ``not_flagged``. At a network without an
    automated review (``manual``), the tier-1 case settles as unanswered at once,
    so the number goes straight to an operator at tier 2.
    """
    request = lock_request(session, request_id)
    if request is None or request.status in TERMINAL_STATUSES:
        return
    numbers = session.execute(
        sa.select(
            RemediationNumber.id,
            RemediationNumber.phone_number,
            RemediationNumber.enterprise_id,
        ).where(
            in_values(session, RemediationNumber.id, number_ids),
            RemediationNumber.state == NumberState.QUEUED,
        )
    ).all()
    flagged_at: dict[str, list[LookupResult]] = defaultdict(list)
    for results in lookups.values():
        for result in results:
            if result.flagged:
                flagged_at[result.phone_number].append(result)

    now = utcnow()
    by_hits: dict[int, list[int]] = defaultdict(list)
    cases: list[dict[str, object]] = []
    for number_id, phone_number, enterprise_id in numbers:
        hits = flagged_at.get(phone_number, [])
        by_hits[len(hits)].append(number_id)
        for hit in hits:
            manual = networks[hit.network].manual
            cases.append(
                {
                    "request_id": request_id,
                    "number_id": number_id,
                    "enterprise_id": enterprise_id,
                    "phone_number": phone_number,
                    "network": hit.network,
                    "tier": 1,
                    "manual": False,
                    "state": CaseState.UNANSWERED if manual else CaseState.OPEN,
                    "label": hit.label,
                    "idempotency_key": idempotency_key(
                        request_id, phone_number, hit.network, 1
                    ),
                    "deadline_at": now + timing.tier1_deadline,
                    "decided_at": now if manual else None,
                    "note": "network has no automated review" if manual else None,
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for hit_count, ids in by_hits.items():
        _mark_screened(session, ids, flagged_networks=hit_count, now=now)
    insert_cases(session, cases)
    request.updated_at = now
    # Only the numbers screened now, so a step run again stores no second snapshot.
    screened = {phone_number for _, phone_number, _ in numbers}
    _record_reputation(session, request, screened, lookups)
    session.flush()


_CASES = cast(sa.Table, ReviewCase.__table__)


def insert_cases(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert review cases in one statement, giving each row a new ``id``."""
    if not rows:
        return
    for row, case_id in zip(rows, new_ids(len(rows)), strict=True):
        row["id"] = case_id
    session.execute(sa.insert(_CASES), rows)


def _mark_screened(
    session: Session, number_ids: Sequence[int], *, flagged_networks: int, now: datetime
) -> None:
    """Move still-queued numbers to ``in_review``, or ``not_flagged`` with no hit."""
    values: dict[str, object] = {
        "screened_at": now,
        "flagged_networks": flagged_networks,
        "state": NumberState.IN_REVIEW,
    }
    if flagged_networks == 0:
        values.update(state=NumberState.NOT_FLAGGED, decided_at=now)
    session.execute(
        sa.update(RemediationNumber)
        .where(
            in_values(session, RemediationNumber.id, number_ids),
            RemediationNumber.state == NumberState.QUEUED,
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )


def _record_reputation(
    session: Session,
    request: RemediationRequest,
    phone_numbers: set[str],
    lookups: Mapping[str, Sequence[LookupResult]],
) -> None:
    """Refresh the reputation data of ``phone_numbers`` with what screening learned."""
    from numrep.reputation.service import active_number_rows, record_lookups

    if not phone_numbers:
        return
    registered = active_number_rows(
        session,
        enterprise_id=request.enterprise_id,
        phone_numbers=sorted(phone_numbers),
    )
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
    cases = session.execute(
        sa.select(
            ReviewCase.id,
            ReviewCase.idempotency_key,
            ReviewCase.review_id,
            ReviewCase.submitted_at,
        ).where(
            uuids_in(session, ReviewCase.id, case_ids),
            ReviewCase.state == CaseState.OPEN,
        )
    ).all()
    pending: list[dict[str, object]] = []
    settled: list[dict[str, object]] = []
    for case_id, key, review_id, submitted_at in cases:
        status = by_key.get(key) or by_review.get(review_id or "")
        if status is None:
            continue
        row: dict[str, object] = {
            "b_id": case_id,
            "review_id": status.review_id,
            "submitted_at": submitted_at or now,
            "updated_at": now,
        }
        new_state = _OUTCOME_TO_CASE.get(status.outcome)
        if new_state is None:
            pending.append(row)
            continue
        row.update(
            state=new_state, decided_at=status.decided_at or now, note=status.detail
        )
        settled.append(row)
    for rows in (pending, settled):
        if rows:
            session.execute(_UPDATE_OPEN_CASE, rows)
    return len(settled)


# An executemany by primary key. The SET clause comes from the first row's keys.
_UPDATE_OPEN_CASE = sa.update(_CASES).where(
    _CASES.c.id == sa.bindparam("b_id"), _CASES.c.state == CaseState.OPEN
)


def record_failures(
    session: Session, case_ids: Sequence[uuid.UUID], *, error: str, budget: int
) -> None:
    """Count a failed network call against each case; settle those out of budget.

    A case whose connector keeps failing settles as unanswered, so its number ends
    in ``requires_review`` instead of holding the request open forever.
    """
    now = utcnow()
    open_cases = (
        uuids_in(session, ReviewCase.id, case_ids),
        ReviewCase.state == CaseState.OPEN,
    )
    session.execute(
        sa.update(ReviewCase)
        .where(*open_cases)
        .values(
            attempts=ReviewCase.attempts + 1, last_error=error[:2000], updated_at=now
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(ReviewCase)
        .where(*open_cases, ReviewCase.attempts >= budget)
        .values(
            state=CaseState.UNANSWERED,
            decided_at=now,
            note="network kept failing; settled after its retry budget",
        )
        .execution_options(synchronize_session=False)
    )


def uuids_in(
    session: Session, column: sa.ColumnElement[Any] | Any, ids: Sequence[uuid.UUID]
) -> sa.ColumnElement[bool]:
    """``in_values`` for UUID keys, sent as the driver stores them."""
    return in_values(session, column, [uuid_param(session, value) for value in ids])


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
