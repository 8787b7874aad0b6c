"""Registering numbers under an enterprise, listing, reading and removing them."""

from __future__ import annotations

import string
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import (
    ErrorItem,
    InvalidParametersError,
    NotFoundError,
    invalid_item,
)
from numrep.core.pagination import Page, PageParams, paginate
from numrep.enterprise import service as enterprises
from numrep.inventory.service import number_problem, owned_numbers
from numrep.ownership import baseline as ownership_baseline
from numrep.ownership import history as ownership_history
from numrep.phone.e164 import is_e164, mask
from numrep.remediation import hooks
from numrep.reputation import schedule
from numrep.reputation.gates import require_gates
from numrep.reputation.models import (
    CheckFrequency,
    NumberSource,
    OwnershipStatus,
    RemovalReason,
    ReputationNetworkStatus,
    ReputationNumber,
)
from numrep.verification.gate import external_number_problem, require_approved
from numrep.worker import jobs

log = structlog.get_logger(__name__)

REFRESH_WORKFLOW = "reputation.refresh_numbers"
CONTAINS_PARAMETER = "filter[phone_number][contains]"
MIN_CONTAINS_DIGITS = 5


@dataclass(frozen=True, slots=True)
class NumberFilters:
    ownership_status: OwnershipStatus | None = None
    phone_number_contains: str | None = None
    phone_number_eq: str | None = None
    source: NumberSource | None = None
    enterprise_id: uuid.UUID | None = None


def registered_numbers(
    session: Session, *, enterprise_id: uuid.UUID, phone_numbers: Iterable[str]
) -> dict[str, ReputationNumber]:
    """Return the enterprise's active (not removed) rows of ``phone_numbers``."""
    requested = list(set(phone_numbers))
    if not requested:
        return {}
    rows = session.scalars(
        sa.select(ReputationNumber).where(
            ReputationNumber.enterprise_id == enterprise_id,
            ReputationNumber.phone_number.in_(requested),
            ReputationNumber.removed_at.is_(None),
        )
    )
    return {row.phone_number: row for row in rows}


def associate(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_numbers: Sequence[str],
) -> list[ReputationNumber]:
    """Register every number or none, and enqueue their first refresh."""
    enterprise = enterprises.get_owned(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    settings = require_gates(
        session, account_id=account_id, enterprise=enterprise, require_tos=False
    )
    errors, owned = _association_errors(
        session, account_id, enterprise_id, phone_numbers
    )
    if errors:
        raise InvalidParametersError(errors)
    external = [number for number in phone_numbers if number not in owned]
    if external:
        require_approved(
            session, enterprise_id=enterprise_id, external_numbers=external
        )

    now = utcnow()
    # The first refresh is enqueued below. The claim keeps the sweep away until
    # that refresh has run, and makes the numbers due again if it fails.
    first_check = (
        None
        if settings.check_frequency == CheckFrequency.NEVER
        else schedule.claim_until(now)
    )
    rows = [
        ReputationNumber(
            account_id=account_id,
            enterprise_id=enterprise_id,
            phone_number=number,
            source=NumberSource.TELNYX if number in owned else NumberSource.EXTERNAL,
            ownership_status=OwnershipStatus.VERIFIED,
            next_check_at=first_check,
            created_at=now,
            updated_at=now,
        )
        for number in phone_numbers
    ]
    try:
        with session.begin_nested():
            session.add_all(rows)
    except IntegrityError as error:
        # Another request registered one of these numbers since the check above.
        raise InvalidParametersError.at(
            "One of these numbers was registered by a concurrent request; send "
            "the request again to see which.",
            pointer="/phone_numbers",
        ) from error
    jobs.enqueue(
        session,
        queue="networks",
        workflow=REFRESH_WORKFLOW,
        workflow_id=f"reputation-refresh:associate:{rows[0].id}",
        args=[[str(row.id) for row in rows]],
    )
    ownership_baseline.record_baseline(session, rows, now)
    log.info(
        "reputation.numbers_associated",
        enterprise_id=str(enterprise_id),
        count=len(rows),
    )
    return rows


def list_numbers(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
    filters: NumberFilters,
    page: PageParams,
) -> Page[ReputationNumber]:
    """List the account's numbers, or one enterprise's, without removed ones.

    ``filter[ownership_status]=removed`` lists only the removed numbers.
    """
    if enterprise_id is not None:
        enterprises.get_owned(
            session, account_id=account_id, enterprise_id=enterprise_id
        )
    query = numbers_query(
        account_id=account_id, enterprise_id=enterprise_id, filters=filters
    )
    return paginate(session, query, page)


def numbers_query(
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
    filters: NumberFilters,
) -> sa.Select[ReputationNumber]:
    """Build the list query, newest first. Raise on a too-short contains filter."""
    query = sa.select(ReputationNumber).where(ReputationNumber.account_id == account_id)
    if enterprise_id is not None:
        query = query.where(ReputationNumber.enterprise_id == enterprise_id)
    query = _apply_filters(query, filters)
    return query.order_by(
        ReputationNumber.created_at.desc(), ReputationNumber.id.desc()
    )


def get_number(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
    phone_number: str,
) -> ReputationNumber:
    """Return the active registration of ``phone_number`` in the caller's scope."""
    if enterprise_id is not None:
        enterprises.get_owned(
            session, account_id=account_id, enterprise_id=enterprise_id
        )
    if not is_e164(phone_number):
        raise InvalidParametersError.at(
            f"{phone_number!r} is not an E.164 number; send it as +1NPANXXXXXX "
            "with the + literal or encoded as %2B.",
            parameter="phone_number",
        )
    query = sa.select(ReputationNumber).where(
        ReputationNumber.account_id == account_id,
        ReputationNumber.phone_number == phone_number,
        ReputationNumber.removed_at.is_(None),
    )
    if enterprise_id is not None:
        query = query.where(ReputationNumber.enterprise_id == enterprise_id)
    number = session.scalar(query)
    if number is None:
        raise NotFoundError(
            f"{phone_number} is not registered for reputation monitoring here."
        )
    return number


def network_statuses(
    session: Session, *, number_id: uuid.UUID
) -> list[ReputationNetworkStatus]:
    return list(
        session.scalars(
            sa.select(ReputationNetworkStatus)
            .where(ReputationNetworkStatus.number_id == number_id)
            .order_by(ReputationNetworkStatus.network)
        )
    )


def remove_number(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
    phone_number: str,
) -> ReputationNumber:
    """De-register a number with ``customer_removed``; it stays in the inventory."""
    number = get_number(
        session,
        account_id=account_id,
        enterprise_id=enterprise_id,
        phone_number=phone_number,
    )
    _mark_removed(number, utcnow())
    session.flush()
    ownership_history.record_removed(
        session, [number.id], RemovalReason.CUSTOMER_REMOVED, number.updated_at
    )
    hooks.on_numbers_removed(
        session, enterprise_id=number.enterprise_id, phone_numbers=[phone_number]
    )
    log.info(
        "reputation.number_removed",
        enterprise_id=str(number.enterprise_id),
        phone_number=mask(phone_number),
    )
    return number


def remove_all_numbers(
    session: Session, *, enterprise_id: uuid.UUID, now: datetime
) -> int:
    """De-register every active number of the enterprise and return the count."""
    rows = session.scalars(
        sa.select(ReputationNumber).where(
            ReputationNumber.enterprise_id == enterprise_id,
            ReputationNumber.removed_at.is_(None),
        )
    ).all()
    for number in rows:
        _mark_removed(number, now)
    session.flush()
    ownership_history.record_removed(
        session, [number.id for number in rows], RemovalReason.CUSTOMER_REMOVED, now
    )
    return len(rows)


def _mark_removed(number: ReputationNumber, now: datetime) -> None:
    number.ownership_status = OwnershipStatus.REMOVED
    number.removal_reason = RemovalReason.CUSTOMER_REMOVED
    number.removed_at = now
    number.flag_reason = None
    number.confirm_by = None
    number.next_check_at = None
    number.updated_at = now


def _association_errors(
    session: Session,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_numbers: Sequence[str],
) -> tuple[list[ErrorItem], set[str]]:
    """Return one error per number that cannot be registered, in input order.

    Also return the numbers found in the account's inventory, which the caller
    registers as ``telnyx`` and the others as ``external``.
    """
    problems: dict[int, str] = {}
    first_seen: dict[str, int] = {}
    for index, number in enumerate(phone_numbers):
        problem = number_problem(number)
        if problem is None and number in first_seen:
            problem = (
                f"{number} is a duplicate of /phone_numbers/{first_seen[number]}; "
                "send each number once."
            )
        if problem is not None:
            problems[index] = problem
            continue
        first_seen[number] = index

    owned = owned_numbers(session, account_id=account_id, phone_numbers=first_seen)
    registered = _active_registrations(session, first_seen)
    for number, index in first_seen.items():
        problem = _registration_problem(
            number, enterprise_id, owned, registered.get(number)
        )
        if problem is not None:
            problems[index] = problem
    errors = [
        invalid_item(problems[index], pointer=f"/phone_numbers/{index}")
        for index in sorted(problems)
    ]
    return errors, owned


def _registration_problem(
    number: str,
    enterprise_id: uuid.UUID,
    owned: set[str],
    registered_under: uuid.UUID | None,
) -> str | None:
    if number not in owned:
        # Any other US number is external. The verification gate runs after
        # these per-number checks.
        problem = external_number_problem(number)
        if problem is not None:
            return problem
    if registered_under == enterprise_id:
        return f"{number} is already registered under this enterprise."
    if registered_under is not None:
        return (
            f"{number} is registered under another enterprise; remove it there "
            "before registering it here."
        )
    return None


def _active_registrations(
    session: Session, phone_numbers: Iterable[str]
) -> dict[str, uuid.UUID]:
    requested = list(phone_numbers)
    if not requested:
        return {}
    rows = session.execute(
        sa.select(ReputationNumber.phone_number, ReputationNumber.enterprise_id).where(
            ReputationNumber.phone_number.in_(requested),
            ReputationNumber.removed_at.is_(None),
        )
    )
    return {phone: enterprise for phone, enterprise in rows}


def _apply_filters(
    query: sa.Select[ReputationNumber], filters: NumberFilters
) -> sa.Select[ReputationNumber]:
    if filters.ownership_status == OwnershipStatus.REMOVED:
        query = query.where(ReputationNumber.removed_at.is_not(None))
    else:
        query = query.where(ReputationNumber.removed_at.is_(None))
        if filters.ownership_status is not None:
            query = query.where(
                ReputationNumber.ownership_status == filters.ownership_status
            )
    contains = filters.phone_number_contains
    if contains is not None:
        if sum(char in string.digits for char in contains) < MIN_CONTAINS_DIGITS:
            raise InvalidParametersError.at(
                f"{contains!r} has fewer than {MIN_CONTAINS_DIGITS} digits; a "
                "partial phone-number filter needs at least 5.",
                parameter=CONTAINS_PARAMETER,
            )
        query = query.where(
            ReputationNumber.phone_number.contains(contains, autoescape=True)
        )
    if filters.phone_number_eq is not None:
        query = query.where(ReputationNumber.phone_number == filters.phone_number_eq)
    if filters.source is not None:
        query = query.where(ReputationNumber.source == filters.source)
    if filters.enterprise_id is not None:
        query = query.where(ReputationNumber.enterprise_id == filters.enterprise_id)
    return query
