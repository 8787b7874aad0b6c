"""Reading requests, the per-number view, eligibility and cancellation."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.clock import isoformat, utcnow
from numrep.core.errors import (
    InvalidParametersError,
    NotFoundError,
    StateGuardError,
    invalid_item,
)
from numrep.core.pagination import Page, PageParams, paginate
from numrep.enterprise.models import Enterprise
from numrep.remediation.cancel import cancel_numbers, cancel_request
from numrep.remediation.models import (
    IN_FLIGHT_STATUSES,
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)
from numrep.remediation.schemas import CancelRequest, EligibilityCheck
from numrep.remediation.submit import cooldown_until
from numrep.reputation.models import ReputationNumber


def list_requests(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    status: RequestStatus | None,
    created_gte: datetime | None,
    created_lte: datetime | None,
    page: PageParams,
) -> Page[RemediationRequest]:
    query = requests_query(
        enterprise_id=enterprise_id,
        status=status,
        created_gte=created_gte,
        created_lte=created_lte,
    )
    return paginate(session, query, page)


def requests_query(
    *,
    enterprise_id: uuid.UUID,
    status: RequestStatus | None,
    created_gte: datetime | None,
    created_lte: datetime | None,
) -> sa.Select[RemediationRequest]:
    """Build the list query: one enterprise's requests, newest first."""
    query = sa.select(RemediationRequest).where(
        RemediationRequest.enterprise_id == enterprise_id
    )
    if status is not None:
        query = query.where(RemediationRequest.status == status)
    if created_gte is not None:
        query = query.where(RemediationRequest.created_at >= _aware(created_gte))
    if created_lte is not None:
        query = query.where(RemediationRequest.created_at <= _aware(created_lte))
    return query.order_by(
        RemediationRequest.created_at.desc(), RemediationRequest.id.desc()
    )


def _aware(value: datetime) -> datetime:
    """Read a datetime without an offset as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=utcnow().tzinfo)
    return value


def get_request(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    request_id: uuid.UUID,
    for_update: bool = False,
) -> RemediationRequest:
    query = sa.select(RemediationRequest).where(
        RemediationRequest.id == request_id,
        RemediationRequest.enterprise_id == enterprise_id,
    )
    if for_update:
        query = query.with_for_update()
    request = session.scalar(query)
    if request is None:
        raise NotFoundError("Remediation request not found.")
    return request


def request_numbers(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    request_id: uuid.UUID,
    page: PageParams,
    cooldown: timedelta,
) -> dict[str, Any]:
    get_request(session, enterprise_id=enterprise_id, request_id=request_id)
    result = paginate(session, request_numbers_query(request_id), page)
    cases: dict[int, list[ReviewCase]] = defaultdict(list)
    ids = [number.id for number in result.items]
    if ids:
        for case in session.scalars(
            sa.select(ReviewCase)
            .where(ReviewCase.number_id.in_(ids))
            .order_by(ReviewCase.network, ReviewCase.tier)
        ):
            cases[case.number_id].append(case)
    return {
        "data": [
            _render_number(number, cases[number.id], cooldown)
            for number in result.items
        ],
        "meta": result.meta(),
    }


def request_numbers_query(
    request_id: uuid.UUID,
) -> sa.Select[RemediationNumber]:
    """Build the per-number view's query: a request's numbers in submitted order."""
    return (
        sa.select(RemediationNumber)
        .where(RemediationNumber.request_id == request_id)
        .order_by(RemediationNumber.position)
    )


def _render_number(
    number: RemediationNumber, cases: list[ReviewCase], cooldown: timedelta
) -> dict[str, Any]:
    next_eligible = None
    if (
        number.state
        in (
            NumberState.REMEDIATED,
            NumberState.REFUSED,
            NumberState.REQUIRES_REVIEW,
        )
        and number.decided_at is not None
    ):
        next_eligible = number.decided_at + cooldown
    return {
        "record_type": "reputation_remediation_number",
        "phone_number": number.phone_number,
        "state": number.state,
        "flagged_networks": number.flagged_networks,
        "screened_at": isoformat(number.screened_at),
        "decided_at": isoformat(number.decided_at),
        "cancelled_at": isoformat(number.cancelled_at),
        "next_eligible_at": isoformat(next_eligible),
        "networks": [
            {
                "network": case.network,
                "tier": case.tier,
                "label": case.label,
                "outcome": case.state,
                "handled_by": "operator" if case.manual else "network",
                "opened_at": isoformat(case.submitted_at or case.created_at),
                "deadline_at": isoformat(case.deadline_at),
                "decided_at": isoformat(case.decided_at),
            }
            for case in cases
        ],
    }


def eligibility(
    session: Session,
    *,
    enterprise: Enterprise,
    body: EligibilityCheck,
    cooldown: timedelta,
) -> dict[str, Any]:
    numbers = body.phone_numbers
    registered = set(
        session.scalars(
            sa.select(ReputationNumber.phone_number).where(
                ReputationNumber.enterprise_id == enterprise.id,
                ReputationNumber.removed_at.is_(None),
                ReputationNumber.phone_number.in_(numbers),
            )
        )
    )
    in_flight = dict(
        session.execute(
            sa.select(
                RemediationNumber.inflight_phone, RemediationNumber.request_id
            ).where(RemediationNumber.inflight_phone.in_(numbers))
        ).all()
    )
    cooling = cooldown_until(session, numbers, cooldown=cooldown)
    data = []
    for number in numbers:
        entry: dict[str, Any] = {
            "phone_number": number,
            "eligible": False,
            "reason": None,
            "eligible_from": None,
            "remediation_id": None,
        }
        if number not in registered:
            entry["reason"] = "not_registered"
        elif number in in_flight:
            entry["reason"] = "in_flight"
            entry["remediation_id"] = str(in_flight[number])
        elif number in cooling:
            entry["reason"] = "cooldown"
            entry["eligible_from"] = isoformat(cooling[number])
        else:
            entry["eligible"] = True
        data.append(entry)
    return {"data": data}


def cancel(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    request_id: uuid.UUID,
    body: CancelRequest,
) -> RemediationRequest:
    request = get_request(
        session, enterprise_id=enterprise_id, request_id=request_id, for_update=True
    )
    if request.status not in IN_FLIGHT_STATUSES:
        raise StateGuardError(
            f"Remediation request {request.id} is '{request.status}'; only pending "
            "or in_progress requests can be cancelled."
        )
    if body.phone_numbers is None:
        cancel_request(session, request, reason=body.reason or "cancelled by client")
        return request
    members = set(
        session.scalars(
            sa.select(RemediationNumber.phone_number).where(
                RemediationNumber.request_id == request.id,
                RemediationNumber.phone_number.in_(body.phone_numbers),
            )
        )
    )
    missing = [
        (index, number)
        for index, number in enumerate(body.phone_numbers)
        if number not in members
    ]
    if missing:
        raise InvalidParametersError(
            [
                invalid_item(
                    f"{number} is not part of remediation request {request.id}.",
                    pointer=f"/phone_numbers/{index}",
                )
                for index, number in missing
            ]
        )
    cancel_numbers(session, request, body.phone_numbers)
    return request
