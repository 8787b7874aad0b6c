"""Operator review of external verifications and the status_changed event."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import InvalidParametersError, NotFoundError, StateGuardError
from numrep.core.pagination import Page, PageParams, paginate
from numrep.enterprise.models import Enterprise
from numrep.reputation.gates import open_settings
from numrep.verification.models import ExternalVerification, VerificationStatus
from numrep.verification.render import STATUS_CHANGED_EVENT, status_changed_payload
from numrep.verification.service import find
from numrep.webhook import events

log = structlog.get_logger(__name__)

# Verifications of deleted enterprises stay in the table but need no review.
_PENDING = (
    ExternalVerification.status == VerificationStatus.PENDING,
    Enterprise.deleted_at.is_(None),
)


def pending_query() -> sa.Select[ExternalVerification, Enterprise]:
    """Select pending verifications with their enterprises, oldest first."""
    return (
        sa.select(ExternalVerification, Enterprise)
        .join(Enterprise, Enterprise.id == ExternalVerification.enterprise_id)
        .where(*_PENDING)
        .order_by(ExternalVerification.submitted_at, ExternalVerification.id)
    )


def list_pending(session: Session, *, page: PageParams) -> Page[ExternalVerification]:
    query = (
        sa.select(ExternalVerification)
        .join(Enterprise, Enterprise.id == ExternalVerification.enterprise_id)
        .where(*_PENDING)
        .order_by(ExternalVerification.submitted_at, ExternalVerification.id)
    )
    return paginate(session, query, page)


def decide(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    approve: bool,
    reason: str | None,
    reviewer_key_id: uuid.UUID | None,
) -> ExternalVerification:
    """Approve or reject the pending verification of any account's enterprise.

    The status_changed event goes to the enterprise's reputation webhook, when
    one is set, in the same transaction as the decision.
    """
    if not approve and not reason:
        raise InvalidParametersError.at(
            "The rejection reason is missing; send a reason the customer can act on.",
            pointer="/reason",
        )
    verification = find(session, enterprise_id=enterprise_id, for_update=True)
    if verification is None:
        raise NotFoundError(
            f"Enterprise {enterprise_id} has no external verification to review."
        )
    if verification.status != VerificationStatus.PENDING:
        raise StateGuardError(
            f"The external verification of enterprise {enterprise_id} is "
            f"'{verification.status}', not 'pending'; only a pending one can be "
            "approved or rejected."
        )
    now = utcnow()
    verification.status = (
        VerificationStatus.APPROVED if approve else VerificationStatus.REJECTED
    )
    verification.rejection_reason = None if approve else reason
    verification.reviewed_at = now
    verification.reviewer_key_id = reviewer_key_id
    verification.updated_at = now
    session.flush()
    _notify(session, verification)
    log.info(
        "verification.decided",
        enterprise_id=str(enterprise_id),
        status=verification.status,
    )
    return verification


def _notify(session: Session, verification: ExternalVerification) -> None:
    settings = open_settings(session, enterprise_id=verification.enterprise_id)
    if settings is None or settings.webhook_url is None:
        return
    events.emit(
        session,
        account_id=verification.account_id,
        url=settings.webhook_url,
        event_type=STATUS_CHANGED_EVENT,
        payload=status_changed_payload(verification),
        occurred_at=verification.reviewed_at,
    )
