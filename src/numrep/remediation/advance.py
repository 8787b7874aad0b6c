"""Moving a request between tiers and to its final outcome."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import cast

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.db import in_values
from numrep.remediation import events, stages
from numrep.remediation.models import (
    TERMINAL_STATUSES,
    WORKING_STATES,
    CaseState,
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)
from numrep.remediation.pipeline import (
    NetworkTraits,
    Timing,
    count_open_cases,
    idempotency_key,
    insert_cases,
    lock_request,
    settle_overdue,
)

log = structlog.get_logger(__name__)


class Step(StrEnum):
    """The outcome of one ``advance`` call."""

    DONE = "done"
    WAITING = "waiting"
    ESCALATING = "escalating"
    COMPLETED = "completed"


def advance(
    session: Session,
    request_id: uuid.UUID,
    *,
    tier: int,
    round_number: int,
    networks: Mapping[str, NetworkTraits],
    timing: Timing,
) -> Step:
    """Settle overdue cases, then wait, move to tier 2 or finish the request."""
    request = lock_request(session, request_id)
    if request is None or request.status in TERMINAL_STATUSES:
        return Step.DONE
    if tier == 2 and request.tier1_completed_at is None:
        return Step.DONE
    if tier == 1 and request.tier1_completed_at is not None:
        return Step.DONE

    settle_overdue(session, request_id, tier=tier)
    if count_open_cases(session, request_id, tier=tier) > 0:
        stages.schedule_collect(
            session,
            request_id,
            tier=tier,
            round_number=round_number + 1,
            delay_seconds=_next_poll_delay(session, request_id, tier, timing),
        )
        return Step.WAITING
    if tier == 1:
        return _complete_tier1(session, request, networks=networks, timing=timing)
    finalize(session, request)
    return Step.COMPLETED


def _next_poll_delay(
    session: Session, request_id: uuid.UUID, tier: int, timing: Timing
) -> float:
    """Poll networks every ``poll_seconds``; with only operator cases left, wake
    at the earliest deadline instead (a decision completes the request itself)."""
    open_cases = sa.select(ReviewCase).where(
        ReviewCase.request_id == request_id,
        ReviewCase.tier == tier,
        ReviewCase.state == CaseState.OPEN,
    )
    automated = session.scalar(
        sa.select(sa.func.count()).select_from(
            open_cases.where(ReviewCase.manual.is_(False)).subquery()
        )
    )
    if automated:
        return timing.poll_seconds
    earliest = session.scalar(
        sa.select(sa.func.min(ReviewCase.deadline_at)).where(
            ReviewCase.request_id == request_id,
            ReviewCase.tier == tier,
            ReviewCase.state == CaseState.OPEN,
        )
    )
    if earliest is None:
        return timing.poll_seconds
    wait = (earliest - utcnow()).total_seconds()
    return max(timing.poll_seconds, wait + 0.5)


def _complete_tier1(
    session: Session,
    request: RemediationRequest,
    *,
    networks: Mapping[str, NetworkTraits],
    timing: Timing,
) -> Step:
    now = utcnow()
    uncleared = _uncleared_networks(session, request.id, tier=1)
    numbers = session.execute(
        sa.select(
            RemediationNumber.id,
            RemediationNumber.phone_number,
            RemediationNumber.enterprise_id,
        ).where(
            RemediationNumber.request_id == request.id,
            RemediationNumber.state == NumberState.IN_REVIEW,
        )
    ).all()
    outcomes: dict[NumberState, list[int]] = defaultdict(list)
    escalations: list[dict[str, object]] = []
    for number_id, phone_number, enterprise_id in numbers:
        pending = uncleared.get(number_id, [])
        if not pending:
            outcomes[NumberState.REMEDIATED].append(number_id)
            continue
        outcomes[NumberState.ESCALATED].append(number_id)
        for network, label in pending:
            escalations.append(
                {
                    "request_id": request.id,
                    "number_id": number_id,
                    "enterprise_id": enterprise_id,
                    "phone_number": phone_number,
                    "network": network,
                    "label": label,
                    "manual": not _escalates_automatically(networks.get(network)),
                    "deadline_at": now + timing.tier2_deadline,
                }
            )

    _move_numbers(session, outcomes, from_state=NumberState.IN_REVIEW, now=now)
    insert_cases(session, [_tier2_case(row, now) for row in escalations])
    request.tier1_completed_at = now
    request.updated_at = now
    session.flush()
    events.emit_request_event(session, request, "tier1_complete")
    log.info(
        "remediation.tier1_completed",
        request_id=str(request.id),
        escalated_cases=len(escalations),
    )
    if not escalations:
        finalize(session, request, tier2_ran=False)
        return Step.COMPLETED
    stages.schedule_escalation(session, request.id)
    return Step.ESCALATING


def _escalates_automatically(traits: NetworkTraits | None) -> bool:
    if traits is None:
        return False
    return traits.supports_escalation and not traits.manual


def _tier2_case(row: dict[str, object], now: datetime) -> dict[str, object]:
    """Complete a tier-2 case row with its key, state and timestamps."""
    key = idempotency_key(
        cast(uuid.UUID, row["request_id"]),
        str(row["phone_number"]),
        str(row["network"]),
        2,
    )
    return {
        **row,
        "tier": 2,
        "state": CaseState.OPEN,
        "idempotency_key": key,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


def _uncleared_networks(
    session: Session, request_id: uuid.UUID, *, tier: int
) -> dict[int, list[tuple[str, str | None]]]:
    rows = session.execute(
        sa.select(ReviewCase.number_id, ReviewCase.network, ReviewCase.label).where(
            ReviewCase.request_id == request_id,
            ReviewCase.tier == tier,
            ReviewCase.state != CaseState.CLEARED,
            ReviewCase.state != CaseState.CANCELLED,
        )
    )
    uncleared: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for number_id, network, label in rows:
        uncleared[number_id].append((network, label))
    return uncleared


def _tier2_outcome(states: list[str]) -> NumberState:
    """Refused when any network upheld its label; remediated when all cleared."""
    if CaseState.UPHELD in states:
        return NumberState.REFUSED
    if states and all(state == CaseState.CLEARED for state in states):
        return NumberState.REMEDIATED
    return NumberState.REQUIRES_REVIEW


def finalize(
    session: Session, request: RemediationRequest, *, tier2_ran: bool = True
) -> None:
    """Give every escalated number its outcome and complete the request."""
    now = utcnow()
    states_by_number: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        sa.select(ReviewCase.number_id, ReviewCase.state).where(
            ReviewCase.request_id == request.id,
            ReviewCase.tier == 2,
            ReviewCase.state != CaseState.CANCELLED,
        )
    )
    for number_id, state in rows:
        states_by_number[number_id].append(state)
    escalated = session.scalars(
        sa.select(RemediationNumber.id).where(
            RemediationNumber.request_id == request.id,
            RemediationNumber.state == NumberState.ESCALATED,
        )
    ).all()
    outcomes: dict[NumberState, list[int]] = defaultdict(list)
    for number_id in escalated:
        outcomes[_tier2_outcome(states_by_number.get(number_id, []))].append(number_id)
    _move_numbers(session, outcomes, from_state=NumberState.ESCALATED, now=now)

    request.status = RequestStatus.COMPLETED
    if tier2_ran:
        request.tier2_completed_at = now
    request.finished_at = now
    request.updated_at = now
    release_numbers(session, request.id)
    _mark_remediated(session, request, now)
    session.flush()
    events.emit_request_event(session, request, "completed")
    log.info("remediation.completed", request_id=str(request.id))


def _move_numbers(
    session: Session,
    outcomes: Mapping[NumberState, Sequence[int]],
    *,
    from_state: NumberState,
    now: datetime,
) -> None:
    """Set each number's new state, only where it is still in ``from_state``.

    Numbers that stay in a working state (escalated) get no ``decided_at``.
    """
    for state, number_ids in outcomes.items():
        values: dict[str, object] = {"state": state}
        if state not in WORKING_STATES:
            values["decided_at"] = now
        session.execute(
            sa.update(RemediationNumber)
            .where(
                in_values(session, RemediationNumber.id, number_ids),
                RemediationNumber.state == from_state,
            )
            .values(values)
            .execution_options(synchronize_session=False)
        )


def release_numbers(session: Session, request_id: uuid.UUID) -> None:
    """Let the request's numbers be submitted again (it is no longer in flight)."""
    session.execute(
        sa.update(RemediationNumber)
        .where(
            RemediationNumber.request_id == request_id,
            RemediationNumber.inflight_phone.is_not(None),
        )
        .values(inflight_phone=None)
    )


def _mark_remediated(
    session: Session, request: RemediationRequest, now: object
) -> None:
    from numrep.reputation.models import ReputationNumber

    remediated = sa.select(RemediationNumber.phone_number).where(
        RemediationNumber.request_id == request.id,
        RemediationNumber.state == NumberState.REMEDIATED,
    )
    session.execute(
        sa.update(ReputationNumber)
        .where(
            ReputationNumber.enterprise_id == request.enterprise_id,
            ReputationNumber.removed_at.is_(None),
            ReputationNumber.phone_number.in_(remediated),
        )
        .values(last_remediated_at=now)
    )


def fail(session: Session, request_id: uuid.UUID, *, reason: str) -> bool:
    """Mark a request that cannot be processed at all as ``failed``.

    Numbers already decided keep their outcome; the others stay where they were,
    and every number is released for a later request. ``failed`` starts no
    cooldown.
    """
    request = lock_request(session, request_id)
    if request is None or request.status in TERMINAL_STATUSES:
        return False
    now = utcnow()
    request.status = RequestStatus.FAILED
    request.status_reason = reason[:2000]
    request.finished_at = now
    request.updated_at = now
    session.execute(
        sa.update(ReviewCase)
        .where(ReviewCase.request_id == request_id, ReviewCase.state == CaseState.OPEN)
        .values(state=CaseState.CANCELLED, decided_at=now, updated_at=now)
    )
    release_numbers(session, request_id)
    session.flush()
    events.emit_request_event(session, request, "failed")
    log.error("remediation.failed", request_id=str(request_id), reason=reason)
    return True
