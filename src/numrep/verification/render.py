"""Response and webhook shapes of an external verification."""

from __future__ import annotations

from typing import Any

from numrep.core.clock import isoformat
from numrep.verification.models import ExternalVerification

STATUS_CHANGED_EVENT = "number_reputation.external_verification.status_changed"


def render_verification(verification: ExternalVerification) -> dict[str, Any]:
    return {
        "enterprise_id": str(verification.enterprise_id),
        "document_ids": list(verification.document_ids),
        "phone_numbers": list(verification.phone_numbers),
        "status": verification.status,
        "rejection_reason": verification.rejection_reason,
        "submitted_at": isoformat(verification.submitted_at),
        "reviewed_at": isoformat(verification.reviewed_at),
    }


def status_changed_payload(verification: ExternalVerification) -> dict[str, Any]:
    """Build the ``status_changed`` event payload of a decided verification."""
    return {
        "record_type": "reputation_external_verification",
        "enterprise_id": str(verification.enterprise_id),
        "status": verification.status,
        "rejection_reason": verification.rejection_reason,
        "reviewed_at": isoformat(verification.reviewed_at),
    }
