"""Decisions on an enablement: sandbox vetting and the operator's LOA review.

Sandbox vetting approves every enablement, except that it rejects one whose
enterprise legal name contains the upper-case word ``REJECT``, so the rejected
path can be exercised on purpose.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import NotFoundError, StateGuardError
from numrep.enterprise.models import Enterprise
from numrep.reputation.gates import open_settings
from numrep.reputation.models import LoaStatus, ReputationSettings, SettingsStatus

log = structlog.get_logger(__name__)

REJECT_MARKER = "REJECT"


def run_vetting(session: Session, *, settings_id: uuid.UUID) -> str | None:
    """Approve or reject a pending enablement; returns the new status.

    Returns None, changing nothing, when the row is gone, closed or already
    decided, so a vetting that runs twice is harmless.
    """
    settings = session.get(ReputationSettings, settings_id, with_for_update=True)
    if settings is None or settings.closed_at is not None:
        return None
    if settings.status != SettingsStatus.PENDING:
        return None
    enterprise = session.get(Enterprise, settings.enterprise_id)
    now = utcnow()
    if enterprise is not None and REJECT_MARKER in enterprise.legal_name:
        settings.status = SettingsStatus.REJECTED
        settings.rejection_reasons = [
            f"The legal name {enterprise.legal_name!r} did not pass vetting; "
            "correct the enterprise record, then enable reputation again."
        ]
        enterprise.number_reputation_enabled = False
        enterprise.updated_at = now
    else:
        settings.status = SettingsStatus.APPROVED
        settings.rejection_reasons = None
    settings.vetted_at = now
    settings.updated_at = now
    session.flush()
    log.info(
        "reputation.vetted",
        enterprise_id=str(settings.enterprise_id),
        status=settings.status,
    )
    return settings.status


def decide_loa(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    approve: bool,
    reason: str | None = None,
) -> ReputationSettings:
    """Record an operator's decision on the pending LOA of any enterprise."""
    settings = open_settings(session, enterprise_id=enterprise_id, for_update=True)
    if settings is None:
        raise NotFoundError(
            f"Number reputation is not enabled on enterprise {enterprise_id}."
        )
    if settings.loa_status != LoaStatus.PENDING:
        raise StateGuardError(
            f"The LOA of enterprise {enterprise_id} is '{settings.loa_status}', "
            "not 'pending'; only a pending LOA can be approved or rejected."
        )
    now = utcnow()
    settings.loa_status = LoaStatus.APPROVED if approve else LoaStatus.REJECTED
    settings.loa_rejection_reason = None if approve else reason
    settings.loa_reviewed_at = now
    settings.updated_at = now
    session.flush()
    log.info(
        "reputation.loa_decided",
        enterprise_id=str(enterprise_id),
        loa_status=settings.loa_status,
    )
    return settings
