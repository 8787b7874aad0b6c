"""Operator decisions from the console, the operator API and the CLI, audited.

Each function calls the domain service that owns the change and records the
state before and after in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from numrep.console import audit
from numrep.remediation.models import ReviewCase
from numrep.reputation import vetting
from numrep.reputation.gates import open_settings
from numrep.reputation.models import ReputationSettings
from numrep.review import service as review
from numrep.review.service import Decision
from numrep.verification import review as verification_review
from numrep.verification import service as verification_service
from numrep.verification.models import ExternalVerification
from numrep.webhook import service as webhooks
from numrep.webhook.models import WebhookEvent


def decide_cases(
    session: Session,
    *,
    case_ids: Sequence[uuid.UUID],
    decision: Decision,
    note: str | None,
    actor: str,
) -> list[ReviewCase]:
    before = {case_id: review.get_case(session, case_id).state for case_id in case_ids}
    cases = review.decide(
        session, case_ids=case_ids, decision=decision, note=note, decided_by=actor
    )
    for case in cases:
        audit.record(
            session,
            actor=actor,
            action="review_case.decided",
            subject_type="review_case",
            subject_id=case.id,
            request_id=case.request_id,
            before={"state": before[case.id]},
            after={"state": case.state, "note": note},
        )
    return cases


def decide_loa(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    approve: bool,
    reason: str | None,
    actor: str,
) -> ReputationSettings:
    current = open_settings(session, enterprise_id=enterprise_id)
    before = {"loa_status": current.loa_status} if current is not None else None
    settings = vetting.decide_loa(
        session, enterprise_id=enterprise_id, approve=approve, reason=reason
    )
    audit.record(
        session,
        actor=actor,
        action="loa.approved" if approve else "loa.rejected",
        subject_type="enterprise",
        subject_id=enterprise_id,
        before=before,
        after={"loa_status": settings.loa_status, "reason": reason},
    )
    return settings


def decide_verification(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    approve: bool,
    reason: str | None,
    actor: str,
    reviewer_key_id: uuid.UUID | None,
) -> ExternalVerification:
    current = verification_service.find(session, enterprise_id=enterprise_id)
    before = {"status": current.status} if current is not None else None
    verification = verification_review.decide(
        session,
        enterprise_id=enterprise_id,
        approve=approve,
        reason=reason,
        reviewer_key_id=reviewer_key_id,
    )
    audit.record(
        session,
        actor=actor,
        action=(
            "external_verification.approved"
            if approve
            else "external_verification.rejected"
        ),
        subject_type="external_verification",
        subject_id=enterprise_id,
        before=before,
        after={"status": verification.status, "reason": reason},
    )
    return verification


def redeliver(
    session: Session,
    *,
    event_id: uuid.UUID,
    actor: str,
) -> int:
    event = webhooks.get_event(session, event_id=event_id)
    request_id = event_request_id(event)
    before = {"status": event.status, "attempt_count": event.attempt_count}
    attempt = webhooks.redeliver(session, event_id=event_id)
    audit.record(
        session,
        actor=actor,
        action="webhook_event.redelivered",
        subject_type="webhook_event",
        subject_id=event_id,
        request_id=request_id,
        before=before,
        after={"status": event.status, "attempt": attempt},
    )
    return attempt


def event_request_id(event: WebhookEvent) -> uuid.UUID | None:
    """Return the remediation request a remediation event reports on, if any."""
    if not event.event_type.startswith("number_reputation.remediation."):
        return None
    try:
        return uuid.UUID(str(event.payload.get("id")))
    except ValueError:
        return None
