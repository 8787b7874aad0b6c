"""Reading a number's ownership detail and answering an ownership question."""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy.orm import Session

from numrep.core.errors import InvalidParametersError, NotFoundError, StateGuardError
from numrep.documents import service as documents
from numrep.ownership import effects, history
from numrep.ownership.decide import FlagReason
from numrep.ownership.effects import NumberRef, Removed
from numrep.ownership.history import HistoryEntry
from numrep.ownership.models import HistoryEvent, OwnershipHistory
from numrep.phone.e164 import mask
from numrep.reputation import numbers
from numrep.reputation.models import OwnershipStatus, RemovalReason, ReputationNumber

log = structlog.get_logger(__name__)

OUTCOME_STILL_OWNED = "still_owned"
OUTCOME_NOT_OWNED = "not_owned"
_AWAITING = (OwnershipStatus.PENDING_CONFIRMATION, OwnershipStatus.FLAGGED)


def get_ownership(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_number: str,
) -> tuple[ReputationNumber, list[OwnershipHistory]]:
    """Return the active number and its latest history, most recent first."""
    number = numbers.get_number(
        session,
        account_id=account_id,
        enterprise_id=enterprise_id,
        phone_number=phone_number,
    )
    return number, history.recent(session, number.id)


def confirm(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_number: str,
    still_own: bool,
    evidence_document_id: str | None,
    now: datetime,
) -> ReputationNumber:
    """Apply the owner's confirmation: back to ``verified``, or removed at once.

    ``still_own=true`` is accepted only while the number is
    ``pending_confirmation`` or ``flagged``; after a carrier change the carrier
    the last check found becomes the baseline. ``still_own=false`` removes the
    number with ``ported_away`` when it confirms a carrier change, else with
    ``customer_reported``.
    """
    number = numbers.get_number(
        session,
        account_id=account_id,
        enterprise_id=enterprise_id,
        phone_number=phone_number,
    )
    document_id = _evidence(session, account_id, evidence_document_id)
    session.refresh(number, with_for_update=True)
    if number.removed_at is not None:
        raise NotFoundError(
            f"{phone_number} is not registered for reputation monitoring here."
        )
    if still_own:
        _confirm_owned(session, number, document_id, now)
    else:
        _report_not_owned(session, number, document_id, now)
    session.flush()
    return number


def _evidence(
    session: Session, account_id: uuid.UUID, document_id: str | None
) -> uuid.UUID | None:
    if document_id is None:
        return None
    try:
        document = documents.get_owned(
            session, account_id=account_id, document_id=document_id
        )
    except NotFoundError:
        raise InvalidParametersError.at(
            f"Document {document_id!r} was not found in this account; upload the "
            "evidence with POST /documents and send the id it returns, or leave "
            "evidence_document_id out.",
            pointer="/evidence_document_id",
        ) from None
    return document.id


def _confirm_owned(
    session: Session,
    number: ReputationNumber,
    document_id: uuid.UUID | None,
    now: datetime,
) -> None:
    if number.ownership_status not in _AWAITING:
        raise StateGuardError(
            f"{number.phone_number} is {number.ownership_status}, so there is no "
            "ownership question to confirm; confirm only a number that is "
            "pending_confirmation or flagged.",
            pointer="/still_own",
        )
    number.baseline_carrier = number.observed_carrier or number.baseline_carrier
    number.baseline_recorded_at = now
    number.ownership_status = OwnershipStatus.VERIFIED
    number.flag_reason = None
    number.confirm_by = None
    number.updated_at = now
    history.record(
        session,
        [
            HistoryEntry(
                number.id, HistoryEvent.CONFIRM, OUTCOME_STILL_OWNED, now, document_id
            )
        ],
    )
    log.info(
        "ownership.confirmed",
        enterprise_id=str(number.enterprise_id),
        phone_number=mask(number.phone_number),
    )


def _report_not_owned(
    session: Session,
    number: ReputationNumber,
    document_id: uuid.UUID | None,
    now: datetime,
) -> None:
    reason = (
        RemovalReason.PORTED_AWAY
        if number.flag_reason == FlagReason.CARRIER_CHANGED
        else RemovalReason.CUSTOMER_REPORTED
    )
    number.ownership_status = OwnershipStatus.REMOVED
    number.removal_reason = reason
    number.removed_at = now
    number.flag_reason = None
    number.confirm_by = None
    number.next_check_at = None
    number.updated_at = now
    session.flush()

    history.record(
        session,
        [
            HistoryEntry(
                number.id, HistoryEvent.CONFIRM, OUTCOME_NOT_OWNED, now, document_id
            ),
            HistoryEntry(number.id, HistoryEvent.REMOVED, reason, now),
        ],
    )

    ref = NumberRef(
        number.id,
        number.account_id,
        number.enterprise_id,
        number.phone_number,
        number.source,
    )
    effects.after_removed(session, [Removed(ref, reason)], now)
    log.info(
        "ownership.reported_not_owned",
        enterprise_id=str(number.enterprise_id),
        phone_number=mask(number.phone_number),
        removal_reason=reason.value,
    )
