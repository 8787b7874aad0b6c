"""Webhook events and remediation cancellations after an ownership flag or removal.

Events go to the webhook URL of the enterprise's open reputation settings, in
the caller's transaction; without a URL nothing is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.clock import isoformat
from numrep.remediation import hooks
from numrep.reputation.models import OwnershipStatus, ReputationSettings
from numrep.webhook import events

EVENT_FLAGGED = "number_reputation.number.flagged"
EVENT_REMOVED = "number_reputation.number.removed"
RECORD_TYPE = "reputation_phone_number"


@dataclass(frozen=True, slots=True)
class NumberRef:
    id: uuid.UUID
    account_id: uuid.UUID
    enterprise_id: uuid.UUID
    phone_number: str
    source: str


@dataclass(frozen=True, slots=True)
class Flagged:
    number: NumberRef
    flag_reason: str
    confirm_by: datetime


@dataclass(frozen=True, slots=True)
class Removed:
    number: NumberRef
    removal_reason: str


def webhook_urls(
    session: Session, enterprise_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Return the webhook URL of each enterprise that has one set."""
    enterprise_list = list(set(enterprise_ids))
    if not enterprise_list:
        return {}
    rows = session.execute(
        sa.select(
            ReputationSettings.enterprise_id, ReputationSettings.webhook_url
        ).where(
            ReputationSettings.enterprise_id.in_(enterprise_list),
            ReputationSettings.closed_at.is_(None),
            ReputationSettings.webhook_url.is_not(None),
        )
    )
    return {enterprise_id: url for enterprise_id, url in rows if url}


def after_flagged(session: Session, flagged: Sequence[Flagged], now: datetime) -> None:
    """Send ``number.flagged`` for numbers that entered ``pending_confirmation``."""
    urls = webhook_urls(session, (item.number.enterprise_id for item in flagged))
    for item in flagged:
        url = urls.get(item.number.enterprise_id)
        if url is None:
            continue
        payload = _base_payload(item.number)
        payload.update(
            ownership_status=OwnershipStatus.PENDING_CONFIRMATION.value,
            flag_reason=item.flag_reason,
            confirm_by=isoformat(item.confirm_by),
        )
        _emit(session, item.number, url, EVENT_FLAGGED, payload, now)


def after_removed(session: Session, removed: Sequence[Removed], now: datetime) -> None:
    """Finish removals already written to the number rows and their history.

    Cancels the numbers in in-flight remediation requests and sends
    ``number.removed``.
    """
    by_enterprise: dict[uuid.UUID, list[str]] = {}
    for item in removed:
        by_enterprise.setdefault(item.number.enterprise_id, []).append(
            item.number.phone_number
        )
    for enterprise_id, phone_numbers in by_enterprise.items():
        hooks.on_numbers_removed(
            session, enterprise_id=enterprise_id, phone_numbers=phone_numbers
        )
    urls = webhook_urls(session, by_enterprise)
    for item in removed:
        url = urls.get(item.number.enterprise_id)
        if url is None:
            continue
        payload = _base_payload(item.number)
        payload.update(
            ownership_status=OwnershipStatus.REMOVED.value,
            removal_reason=item.removal_reason,
            removed_at=isoformat(now),
        )
        _emit(session, item.number, url, EVENT_REMOVED, payload, now)


def _base_payload(number: NumberRef) -> dict[str, Any]:
    return {
        "record_type": RECORD_TYPE,
        "phone_number": number.phone_number,
        "enterprise_id": str(number.enterprise_id),
        "source": number.source,
    }


def _emit(
    session: Session,
    number: NumberRef,
    url: str,
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    events.emit(
        session,
        account_id=number.account_id,
        url=url,
        event_type=event_type,
        payload=payload,
        occurred_at=now,
    )
