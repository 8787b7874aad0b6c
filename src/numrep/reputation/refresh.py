"""Live refreshes: forced by a client, by a fresh read, or by the schedule.

These functions open their own units of work instead of taking a session,
because the network calls between reading and writing can take seconds and
must not hold a write transaction (on SQLite that would block every writer).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.db import Database
from numrep.core.errors import (
    ErrorItem,
    InvalidParametersError,
    StateGuardError,
    invalid_item,
)
from numrep.enterprise import service as enterprises
from numrep.network.gateway import NetworkGateway
from numrep.phone.e164 import is_e164
from numrep.reputation import lookups, ratelimit
from numrep.reputation.data import record_lookups
from numrep.reputation.gates import open_settings
from numrep.reputation.models import (
    ReputationNetworkStatus,
    ReputationNumber,
    SettingsStatus,
)
from numrep.reputation.numbers import (
    get_number,
    network_statuses,
    registered_numbers,
)


@dataclass(frozen=True, slots=True)
class RefreshResult:
    phone_number: str
    success: bool
    error: str | None = None


def refresh_requested(
    database: Database,
    gateway: NetworkGateway,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_numbers: Sequence[str],
    rate_limit: str,
) -> list[RefreshResult]:
    """Refresh the listed numbers of an enterprise now; one result per number.

    Malformed or repeated entries reject the call (422). A number that is not
    registered under the enterprise gets ``success: false``. A number counts as
    refreshed when at least one network returned a result for it.
    """
    with database.unit_of_work(write=False) as session:
        registered = _refresh_targets(session, account_id, enterprise_id, phone_numbers)
    ratelimit.hit_refresh_limit(enterprise_id, rate_limit)
    errors = refresh_by_ids(database, gateway, number_ids=list(registered.values()))

    results = []
    for number in phone_numbers:
        if number not in registered:
            results.append(
                RefreshResult(
                    number,
                    False,
                    f"{number} is not registered under enterprise {enterprise_id}.",
                )
            )
            continue
        error = errors.get(number)
        results.append(RefreshResult(number, error is None, error))
    return results


def read_number(
    database: Database,
    gateway: NetworkGateway,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
    phone_number: str,
    fresh: bool,
) -> tuple[ReputationNumber, list[ReputationNetworkStatus]]:
    """Return a registered number and its per-network detail.

    With ``fresh``, or when nothing has been stored for the number yet, it is
    looked up live first.
    """
    number, statuses = _load_number(database, account_id, enterprise_id, phone_number)
    if fresh or number.last_refreshed_at is None:
        refresh_by_ids(database, gateway, number_ids=[number.id])
        number, statuses = _load_number(
            database, account_id, enterprise_id, phone_number
        )
    return number, statuses


def refresh_by_ids(
    database: Database, gateway: NetworkGateway, *, number_ids: Sequence[uuid.UUID]
) -> dict[str, str]:
    """Look up and store the active numbers among ``number_ids``.

    Returns an error message for each number that got no network result.
    """
    if not number_ids:
        return {}
    with database.unit_of_work(write=False) as session:
        phone_numbers = list(
            session.scalars(
                sa.select(ReputationNumber.phone_number).where(
                    ReputationNumber.id.in_(list(number_ids)),
                    ReputationNumber.removed_at.is_(None),
                )
            )
        )
    outcome = lookups.lookup_all(gateway, phone_numbers)
    with database.unit_of_work() as session:
        numbers = session.scalars(
            sa.select(ReputationNumber).where(
                ReputationNumber.id.in_(list(number_ids)),
                ReputationNumber.removed_at.is_(None),
            )
        ).all()
        record_lookups(session, numbers=numbers, results=outcome.results)
    failed = "; ".join(
        f"{network}: {error}" for network, error in sorted(outcome.failures.items())
    )
    return {
        number: f"No network returned a result for {number}. {failed}".strip()
        for number in phone_numbers
        if not outcome.has_result(number)
    }


def _load_number(
    database: Database,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
    phone_number: str,
) -> tuple[ReputationNumber, list[ReputationNetworkStatus]]:
    with database.unit_of_work(write=False) as session:
        number = get_number(
            session,
            account_id=account_id,
            enterprise_id=enterprise_id,
            phone_number=phone_number,
        )
        return number, network_statuses(session, number_id=number.id)


def _refresh_targets(
    session: Session,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_numbers: Sequence[str],
) -> dict[str, uuid.UUID]:
    """Check the request and return the ids of its registered numbers."""
    enterprises.get_owned(session, account_id=account_id, enterprise_id=enterprise_id)
    settings = open_settings(session, enterprise_id=enterprise_id)
    if settings is None or settings.status != SettingsStatus.APPROVED:
        raise StateGuardError(
            f"Number reputation is not enabled and approved on enterprise "
            f"{enterprise_id}, so it has no numbers to refresh."
        )
    errors = _syntax_errors(phone_numbers)
    if errors:
        raise InvalidParametersError(errors)
    found = registered_numbers(
        session, enterprise_id=enterprise_id, phone_numbers=phone_numbers
    )
    return {number: row.id for number, row in found.items()}


def _syntax_errors(phone_numbers: Sequence[str]) -> list[ErrorItem]:
    errors = []
    first_seen: dict[str, int] = {}
    for index, number in enumerate(phone_numbers):
        pointer = f"/phone_numbers/{index}"
        if not is_e164(number):
            errors.append(
                invalid_item(
                    f"{number!r} is not an E.164 number; send '+1' followed by "
                    "the 10 digits.",
                    pointer=pointer,
                )
            )
        elif number in first_seen:
            errors.append(
                invalid_item(
                    f"{number} is a duplicate of /phone_numbers/"
                    f"{first_seen[number]}; send each number once.",
                    pointer=pointer,
                )
            )
        else:
            first_seen[number] = index
    return errors
