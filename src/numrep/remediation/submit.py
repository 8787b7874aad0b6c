"""Accepting a remediation request: validation in contract order, then one insert.

The order of checks is fixed, so clients get the same error for the same body.
First the body schema (422), then the approval gates (400, or 403 for the terms of
service), numbers not registered under the enterprise (422) and numbers in an
in-flight request (409).
Numbers in a cooldown are accepted as ``ineligible``. Everything commits in one
transaction together with the message that starts screening.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.db import UTCDateTime, in_values, uuid_param
from numrep.core.errors import (
    ConflictError,
    ErrorItem,
    InvalidParametersError,
    conflict_item,
    invalid_item,
)
from numrep.enterprise.models import Enterprise
from numrep.remediation import events, stages
from numrep.remediation.models import (
    IN_FLIGHT_STATUSES,
    REVIEWED_OUTCOMES,
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
)
from numrep.remediation.schemas import RemediationCreate
from numrep.reputation.gates import require_gates
from numrep.reputation.models import ReputationNumber

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SubmitOptions:
    cooldown: timedelta
    allow_private_webhooks: bool


def submit(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise: Enterprise,
    body: RemediationCreate,
    options: SubmitOptions,
) -> RemediationRequest:
    """Validate and store a request; enqueue screening unless nothing is eligible."""
    _check_webhook_url(body.webhook_url, allow_private=options.allow_private_webhooks)
    _reject_duplicates(body.phone_numbers)
    require_gates(session, account_id=account_id, enterprise=enterprise)
    _reject_unregistered(session, enterprise.id, body.phone_numbers)
    in_flight, cooling = _history(session, body.phone_numbers, options.cooldown)
    if in_flight:
        raise _in_flight_error(body.phone_numbers, in_flight)

    now = utcnow()
    eligible = [number for number in body.phone_numbers if number not in cooling]
    request = RemediationRequest(
        account_id=account_id,
        enterprise_id=enterprise.id,
        status=RequestStatus.PENDING if eligible else RequestStatus.COMPLETED,
        call_purpose=body.call_purpose,
        contact_email=body.contact_email,
        webhook_url=body.webhook_url,
        phone_numbers_count=len(body.phone_numbers),
        phone_numbers_submitted=len(eligible),
        phone_numbers_ineligible=len(body.phone_numbers) - len(eligible),
        created_at=now,
        updated_at=now,
        finished_at=None if eligible else now,
    )
    session.add(request)
    session.flush()
    _insert_numbers(session, request, body.phone_numbers, cooling, now)

    if eligible:
        stages.schedule_screening(session, request.id)
    else:
        events.emit_request_event(session, request, "completed")
    log.info(
        "remediation.submitted",
        request_id=str(request.id),
        enterprise_id=str(enterprise.id),
        numbers=len(body.phone_numbers),
        ineligible=request.phone_numbers_ineligible,
    )
    return request


def _insert_numbers(
    session: Session,
    request: RemediationRequest,
    phone_numbers: Sequence[str],
    cooling: dict[str, datetime],
    now: datetime,
) -> None:
    request_id = uuid_param(session, request.id)
    enterprise_id = uuid_param(session, request.enterprise_id)
    rows = [
        {
            "request_id": request_id,
            "enterprise_id": enterprise_id,
            "phone_number": number,
            "position": position,
            "state": (
                NumberState.INELIGIBLE if number in cooling else NumberState.QUEUED
            ),
            "inflight_phone": None if number in cooling else number,
            "decided_at": now if number in cooling else None,
        }
        for position, number in enumerate(phone_numbers)
    ]
    try:
        with session.begin_nested():
            # Plain executemany: the ORM's per-row type processing and
            # multi-row VALUES rendering cost more than the insert itself.
            if session.get_bind().dialect.name == "postgresql":
                session.execute(_INSERT_NUMBERS_UNNEST, _as_arrays(rows))
            else:
                session.execute(_INSERT_NUMBERS, rows)
    except IntegrityError as error:
        # Another submit took some of these numbers between our check and insert;
        # the unique in-flight constraint caught it. Report them like the check.
        conflicts = _numbers_in_flight(session, phone_numbers)
        if not conflicts:
            raise
        raise _in_flight_error(phone_numbers, conflicts) from error


def _as_arrays(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    return {
        "request_id": first["request_id"],
        "enterprise_id": first["enterprise_id"],
        "phone_numbers": [row["phone_number"] for row in rows],
        "positions": [row["position"] for row in rows],
        "states": [str(row["state"]) for row in rows],
        "inflight": [row["inflight_phone"] for row in rows],
        "decided": [row["decided_at"] for row in rows],
    }


# On PostgreSQL one statement over arrays replaces 2,000 executemany rounds. It
# cut the insert of a full request from about 54 ms to 31 ms (psycopg 3.3, 2 cores).
_INSERT_NUMBERS_UNNEST = sa.text(
    "INSERT INTO remediation_numbers (request_id, enterprise_id, phone_number, "
    "position, state, inflight_phone, flagged_networks, decided_at) "
    "SELECT :request_id, :enterprise_id, n.phone_number, n.position, n.state, "
    "n.inflight, 0, n.decided FROM unnest(CAST(:phone_numbers AS varchar[]), "
    "CAST(:positions AS integer[]), CAST(:states AS varchar[]), "
    "CAST(:inflight AS varchar[]), CAST(:decided AS timestamptz[])) "
    "AS n(phone_number, position, state, inflight, decided)"
)

_INSERT_NUMBERS = sa.text(
    "INSERT INTO remediation_numbers (request_id, enterprise_id, phone_number, "
    "position, state, inflight_phone, flagged_networks, decided_at) VALUES "
    "(:request_id, :enterprise_id, :phone_number, :position, :state, "
    ":inflight_phone, 0, :decided_at)"
).bindparams(sa.bindparam("decided_at", type_=UTCDateTime()))


def cooldown_until(
    session: Session, phone_numbers: Sequence[str], *, cooldown: timedelta
) -> dict[str, datetime]:
    """Return, for numbers still cooling down, when each may be submitted again.

    The cooldown starts at the outcome of the number's last request in which a
    network reviewed it; ``not_flagged``, cancelled and failed attempts start none.
    """
    if cooldown <= timedelta(0):
        return {}
    since = utcnow() - cooldown
    last = sa.func.max(RemediationNumber.decided_at)
    rows = session.execute(
        sa.select(RemediationNumber.phone_number, last)
        .where(
            in_values(session, RemediationNumber.phone_number, phone_numbers),
            RemediationNumber.state.in_(REVIEWED_OUTCOMES),
            RemediationNumber.decided_at > since,
        )
        .group_by(RemediationNumber.phone_number)
    ).all()
    return {
        number: decided + cooldown for number, decided in rows if decided is not None
    }


def _history(
    session: Session, phone_numbers: Sequence[str], cooldown: timedelta
) -> tuple[set[str], dict[str, datetime]]:
    """Return the numbers in flight and those cooling down, in one round trip.

    Two index seeks joined by ``UNION ALL``: the unique in-flight column, and
    ``(phone_number, decided_at)`` from the cooldown's start. A number's older
    requests are never read, so a long history does not slow a submit.
    """
    columns = (RemediationNumber.phone_number, RemediationNumber.decided_at)
    in_flight_rows = sa.select(*columns, sa.literal(True).label("in_flight")).where(
        in_values(session, RemediationNumber.inflight_phone, phone_numbers)
    )
    query: sa.Executable = in_flight_rows
    if cooldown > timedelta(0):
        cooling_rows = sa.select(*columns, sa.literal(False)).where(
            in_values(session, RemediationNumber.phone_number, phone_numbers),
            RemediationNumber.decided_at > utcnow() - cooldown,
            RemediationNumber.state.in_(REVIEWED_OUTCOMES),
        )
        query = sa.union_all(in_flight_rows, cooling_rows)
    in_flight: set[str] = set()
    cooling: dict[str, datetime] = {}
    for number, decided_at, is_in_flight in session.execute(query):
        if is_in_flight:
            in_flight.add(number)
        elif decided_at is not None:
            until = decided_at + cooldown
            cooling[number] = max(until, cooling.get(number, until))
    return in_flight, cooling


def _check_webhook_url(url: str | None, *, allow_private: bool) -> None:
    if url is None:
        return
    from numrep.webhook.safety import validate_webhook_url

    try:
        validate_webhook_url(url, allow_private=allow_private)
    except ValueError as error:
        raise InvalidParametersError.at(str(error), pointer="/webhook_url") from error


def _reject_duplicates(phone_numbers: Sequence[str]) -> None:
    seen: dict[str, int] = {}
    items: list[ErrorItem] = []
    for index, number in enumerate(phone_numbers):
        if number in seen:
            items.append(
                invalid_item(
                    f"{number} appears more than once (first at index "
                    f"{seen[number]}); send each number once.",
                    pointer=f"/phone_numbers/{index}",
                )
            )
        else:
            seen[number] = index
    if items:
        raise InvalidParametersError(items)


def _reject_unregistered(
    session: Session, enterprise_id: uuid.UUID, phone_numbers: Sequence[str]
) -> None:
    registered = set(
        session.scalars(
            sa.select(ReputationNumber.phone_number).where(
                ReputationNumber.enterprise_id == enterprise_id,
                ReputationNumber.removed_at.is_(None),
                in_values(session, ReputationNumber.phone_number, phone_numbers),
            )
        )
    )
    items = [
        invalid_item(
            f"{number} is not registered for reputation under this enterprise; "
            "associate it with POST /enterprises/{enterprise_id}/reputation/numbers "
            "first.",
            pointer=f"/phone_numbers/{index}",
        )
        for index, number in enumerate(phone_numbers)
        if number not in registered
    ]
    if items:
        raise InvalidParametersError(items)


def _numbers_in_flight(session: Session, phone_numbers: Sequence[str]) -> set[str]:
    rows = session.scalars(
        sa.select(RemediationNumber.phone_number).where(
            in_values(session, RemediationNumber.inflight_phone, phone_numbers)
        )
    )
    return set(rows)


def _in_flight_error(
    phone_numbers: Sequence[str], conflicts: set[str]
) -> ConflictError:
    return ConflictError(
        [
            conflict_item(
                f"{number} is already in an in-flight remediation request; wait "
                "for that request to finish or cancel it.",
                pointer=f"/phone_numbers/{index}",
            )
            for index, number in enumerate(phone_numbers)
            if number in conflicts
        ]
    )


def in_flight_request_ids(
    session: Session, enterprise_id: uuid.UUID
) -> list[uuid.UUID]:
    return list(
        session.scalars(
            sa.select(RemediationRequest.id).where(
                RemediationRequest.enterprise_id == enterprise_id,
                RemediationRequest.status.in_(IN_FLIGHT_STATUSES),
            )
        )
    )
