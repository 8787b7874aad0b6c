"""Submitting and reading an enterprise's external verification."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import (
    ErrorItem,
    InvalidParametersError,
    NotFoundError,
    StateGuardError,
    invalid_item,
)
from numrep.documents import service as documents
from numrep.enterprise import service as enterprises
from numrep.phone.e164 import is_e164
from numrep.verification.models import ExternalVerification, VerificationStatus

log = structlog.get_logger(__name__)


def find(
    session: Session, *, enterprise_id: uuid.UUID, for_update: bool = False
) -> ExternalVerification | None:
    query = sa.select(ExternalVerification).where(
        ExternalVerification.enterprise_id == enterprise_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def status_of(session: Session, *, enterprise_id: uuid.UUID) -> str | None:
    """Return the review status of the enterprise, or None when nothing was sent."""
    return session.scalar(
        sa.select(ExternalVerification.status).where(
            ExternalVerification.enterprise_id == enterprise_id
        )
    )


def get(
    session: Session, *, account_id: uuid.UUID, enterprise_id: uuid.UUID
) -> ExternalVerification:
    enterprises.get_owned(session, account_id=account_id, enterprise_id=enterprise_id)
    verification = find(session, enterprise_id=enterprise_id)
    if verification is None:
        raise NotFoundError(
            f"Enterprise {enterprise_id} has no external verification; submit "
            "ownership documents with POST .../reputation/external_verification."
        )
    return verification


def submit(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    document_ids: Sequence[str],
    phone_numbers: Sequence[str],
) -> tuple[ExternalVerification, bool]:
    """Store the ownership proof and open its review.

    Returns the verification and whether it was created; a replace of a pending
    or rejected verification re-opens the review.
    """
    # The enterprise row lock serializes concurrent first submissions.
    enterprises.get_owned(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    current = find(session, enterprise_id=enterprise_id, for_update=True)
    if current is not None and current.status == VerificationStatus.APPROVED:
        raise StateGuardError(
            f"The external verification of enterprise {enterprise_id} is "
            "approved and can no longer be changed."
        )
    stored_ids, errors = _document_errors(session, account_id, document_ids)
    errors += _phone_number_errors(phone_numbers)
    if errors:
        raise InvalidParametersError(errors)

    now = utcnow()
    created = current is None
    verification = current or ExternalVerification(
        account_id=account_id, enterprise_id=enterprise_id, created_at=now
    )
    verification.document_ids = stored_ids
    verification.phone_numbers = list(phone_numbers)
    verification.status = VerificationStatus.PENDING
    verification.rejection_reason = None
    verification.submitted_at = now
    verification.reviewed_at = None
    verification.reviewer_key_id = None
    verification.updated_at = now
    if created:
        session.add(verification)
    session.flush()
    log.info(
        "verification.submitted",
        enterprise_id=str(enterprise_id),
        documents=len(stored_ids),
        replaced=not created,
    )
    return verification, created


def _document_errors(
    session: Session, account_id: uuid.UUID, document_ids: Sequence[str]
) -> tuple[list[str], list[ErrorItem]]:
    """Return the canonical ids of the documents and one error per bad entry."""
    stored: list[str] = []
    errors: list[ErrorItem] = []
    first_seen: dict[str, int] = {}
    for index, value in enumerate(document_ids):
        pointer = f"/document_ids/{index}"
        try:
            document = documents.get_owned(
                session, account_id=account_id, document_id=value.strip()
            )
        except NotFoundError:
            errors.append(
                invalid_item(
                    f"Document {value!r} was not found in this account; upload the "
                    "proof with POST /documents and send the id it returns.",
                    pointer=pointer,
                )
            )
            continue
        document_id = str(document.id)
        if document_id in first_seen:
            errors.append(
                invalid_item(
                    f"Document {value!r} is a duplicate of "
                    f"/document_ids/{first_seen[document_id]}; send each id once.",
                    pointer=pointer,
                )
            )
            continue
        first_seen[document_id] = index
        stored.append(document_id)
    return stored, errors


def _phone_number_errors(phone_numbers: Sequence[str]) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    first_seen: dict[str, int] = {}
    for index, number in enumerate(phone_numbers):
        pointer = f"/phone_numbers/{index}"
        if not is_e164(number):
            errors.append(
                invalid_item(
                    f"{number!r} is not an E.164 number; send '+' followed by the "
                    "country code and number, with no spaces or other characters.",
                    pointer=pointer,
                )
            )
        elif number in first_seen:
            errors.append(
                invalid_item(
                    f"{number} is a duplicate of /phone_numbers/{first_seen[number]}; "
                    "send each number once.",
                    pointer=pointer,
                )
            )
        else:
            first_seen[number] = index
    return errors
