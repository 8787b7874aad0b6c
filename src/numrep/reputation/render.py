"""Response shapes of the reputation endpoints, as the Telnyx SDK reads them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import object_session

from numrep.core.clock import isoformat
from numrep.reputation.models import (
    ReputationNetworkStatus,
    ReputationNumber,
    ReputationSettings,
)
from numrep.verification.service import status_of


def render_settings(settings: ReputationSettings) -> dict[str, Any]:
    return {
        "enterprise_id": str(settings.enterprise_id),
        "status": settings.status,
        "loa_status": settings.loa_status,
        "loa_document_id": settings.loa_document_id,
        "rejection_reasons": settings.rejection_reasons,
        "check_frequency": settings.check_frequency,
        "external_verification_status": _verification_status(settings),
        "webhook_url": settings.webhook_url,
        "created_at": isoformat(settings.created_at),
        "updated_at": isoformat(settings.updated_at),
    }


def _verification_status(settings: ReputationSettings) -> str | None:
    # The verification lives in its own table, so it is read through the
    # session that loaded the settings; every caller renders inside it.
    session = object_session(settings)
    if session is None:
        raise RuntimeError(
            "render_settings failed: the settings row is detached from its "
            "session; render it inside the unit of work that loaded it."
        )
    return status_of(session, enterprise_id=settings.enterprise_id)


def render_reputation_data(number: ReputationNumber) -> dict[str, Any] | None:
    """The ``reputation_data`` object; null until the first refresh is stored."""
    if number.last_refreshed_at is None:
        return None
    return {
        "spam_risk": number.spam_risk,
        "spam_category": number.spam_category,
        "maturity_score": number.maturity_score,
        "connection_score": number.connection_score,
        "engagement_score": number.engagement_score,
        "sentiment_score": number.sentiment_score,
        "last_refreshed_at": isoformat(number.last_refreshed_at),
    }


def render_number(number: ReputationNumber) -> dict[str, Any]:
    return {
        "id": str(number.id),
        "enterprise_id": str(number.enterprise_id),
        "phone_number": number.phone_number,
        "source": number.source,
        "ownership_status": number.ownership_status,
        "flag_reason": number.flag_reason,
        "confirm_by": isoformat(number.confirm_by),
        "removal_reason": number.removal_reason,
        "removed_at": isoformat(number.removed_at),
        "reputation_data": render_reputation_data(number),
        "created_at": isoformat(number.created_at),
        "updated_at": isoformat(number.updated_at),
    }


def render_network_status(status: ReputationNetworkStatus) -> dict[str, Any]:
    return {
        "network": status.network,
        "flagged": status.flagged,
        "label": status.label,
        "maturity_score": status.maturity_score,
        "connection_score": status.connection_score,
        "engagement_score": status.engagement_score,
        "sentiment_score": status.sentiment_score,
        "checked_at": isoformat(status.checked_at),
    }


def render_number_detail(
    number: ReputationNumber, networks: Sequence[ReputationNetworkStatus]
) -> dict[str, Any]:
    """One number plus ``numrep_networks``, the per-network detail extension."""
    body = render_number(number)
    body["numrep_networks"] = [render_network_status(status) for status in networks]
    return body
