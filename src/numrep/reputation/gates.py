"""The approval gates other domains check before acting on an enterprise."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.errors import ForbiddenError, StateGuardError
from numrep.enterprise.models import Enterprise
from numrep.reputation.models import LoaStatus, ReputationSettings, SettingsStatus
from numrep.tos.service import ProductType, has_agreed


def open_settings(
    session: Session, *, enterprise_id: uuid.UUID, for_update: bool = False
) -> ReputationSettings | None:
    """Return the enterprise's current settings row, or None when not enabled."""
    query = sa.select(ReputationSettings).where(
        ReputationSettings.enterprise_id == enterprise_id,
        ReputationSettings.closed_at.is_(None),
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def require_gates(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise: Enterprise,
    require_tos: bool = True,
) -> ReputationSettings:
    """Return the enterprise's settings when every approval gate is open.

    Raises ``StateGuardError`` (400, code 10015) naming the first closed gate:
    reputation not enabled, ``status`` not approved or ``loa_status`` not
    approved. With ``require_tos``, unaccepted number_reputation terms raise
    ``ForbiddenError`` (403).
    """
    settings = open_settings(session, enterprise_id=enterprise.id)
    if settings is None:
        raise StateGuardError(
            f"Number reputation is not enabled on enterprise {enterprise.id}; "
            "enable it with POST /enterprises/{enterprise_id}/reputation first."
        )
    if settings.status != SettingsStatus.APPROVED:
        raise StateGuardError(
            f"Number reputation status of enterprise {enterprise.id} is "
            f"'{settings.status}', not 'approved'; wait for vetting to approve "
            "it (GET /enterprises/{enterprise_id}/reputation shows the status)."
        )
    if settings.loa_status != LoaStatus.APPROVED:
        raise StateGuardError(
            f"The Letter of Authorization of enterprise {enterprise.id} is "
            f"'{settings.loa_status}', not 'approved'; wait for its review, or "
            "replace a rejected one with PATCH .../reputation/loa."
        )
    if require_tos and not has_agreed(
        session, account_id=account_id, product_type=ProductType.NUMBER_REPUTATION
    ):
        # Terms not accepted is a permission problem, as when enabling reputation.
        raise ForbiddenError(
            "The number_reputation terms of service are not accepted; accept "
            "them with POST /terms_of_service/number_reputation/agree."
        )
    return settings
