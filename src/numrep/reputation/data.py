"""Deriving a number's reputation data from what each network reports.

The rule, also stated in docs/reputation.md:

- ``spam_risk`` is ``high`` when two or more networks flag the number, or when
  a flagging network's label contains "scam" or "fraud" (any case). It is
  ``medium`` when exactly one network flags it and ``low`` when none does. It
  is null until a network has returned a result.
- ``spam_category`` is the most common label among flagging networks. A tie
  goes to the label of the network first in name order. It is null when no
  network flags the number.
- Each of the four scores is the mean over the networks that report it,
  rounded half up, or null when none does.
- ``last_refreshed_at`` is the latest ``checked_at`` among the stored results.

Each network's latest result is kept, so a network that fails during one
refresh still counts with its previous result.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import isoformat, utcnow
from numrep.network.base import LookupResult
from numrep.reputation import schedule
from numrep.reputation.lookup_store import (
    SCORE_FIELDS,
    LookupTarget,
    NetworkStatus,
    StoredStatus,
    load_statuses,
    settings_by_enterprise,
    status_row,
    sync_loaded,
    write_lookups,
)
from numrep.reputation.models import (
    CheckFrequency,
    ReputationSettings,
    SpamRisk,
)
from numrep.webhook import events

log = structlog.get_logger(__name__)

SEVERE_LABEL_WORDS = ("scam", "fraud")
EVENT_SPAM_FLAGGED = "number_reputation.number.spam_flagged"
EVENT_RELABELED = "number_reputation.number.relabeled"


@dataclass(frozen=True, slots=True)
class DerivedData:
    spam_risk: str | None
    spam_category: str | None
    scores: dict[str, int | None]
    last_refreshed_at: datetime | None
    flagged_networks: int


def derive(statuses: Sequence[NetworkStatus]) -> DerivedData:
    """Apply the module's rule to the latest result of each network."""
    if not statuses:
        return DerivedData(None, None, dict.fromkeys(SCORE_FIELDS), None, 0)
    ordered = sorted(statuses, key=lambda status: status.network)
    flagging = [status for status in ordered if status.flagged]
    labels = [status.label for status in flagging if status.label]
    return DerivedData(
        spam_risk=_spam_risk(len(flagging), labels),
        spam_category=_most_common(labels),
        scores={name: _mean(ordered, name) for name in SCORE_FIELDS},
        last_refreshed_at=max(status.checked_at for status in ordered),
        flagged_networks=len(flagging),
    )


def record_lookups(
    session: Session,
    *,
    numbers: Sequence[LookupTarget],
    results: Mapping[str, Sequence[LookupResult]],
) -> None:
    """Store each network's result, the derived data and a snapshot per number.

    Removed numbers and numbers without any result in ``results`` are left
    unchanged. The next scheduled check moves to one period after now. A number that
    becomes flagged sends ``number_reputation.number.spam_flagged`` to the
    enterprise's reputation webhook URL, or ``.relabeled`` when it was
    remediated before; nothing is sent when no URL is set.

    The rows are written with one statement each for statuses, numbers and
    snapshots, so the ORM objects in ``numbers`` are not flushed. Their
    attributes are set to the stored values without marking them changed.
    ``numbers`` may also be ``NumberRow`` values from ``active_number_rows``.
    """
    by_number = _group_by_number(results)
    answered = [
        number
        for number in numbers
        if number.removed_at is None and by_number.get(number.phone_number)
    ]
    if not answered:
        return
    stored = load_statuses(session, [number.id for number in answered])
    enterprise_settings = settings_by_enterprise(session, answered)
    now = utcnow()

    status_rows: list[dict[str, Any]] = []
    number_rows: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    for number in answered:
        statuses = stored.setdefault(number.id, {})
        for result in by_number[number.phone_number]:
            statuses[result.network] = _status_from(result, now)
        merged = [statuses[name] for name in sorted(statuses)]
        status_rows.extend(status_row(number.id, status) for status in merged)
        settings = enterprise_settings.get(number.enterprise_id)
        changes, snapshot = _apply(session, number, merged, settings, now)
        number_rows.append({"b_id": number.id, **changes})
        snapshots.append(snapshot)
    write_lookups(session, status_rows, number_rows, snapshots)
    sync_loaded(answered, number_rows)


def _apply(
    session: Session,
    number: LookupTarget,
    statuses: Sequence[StoredStatus],
    settings: ReputationSettings | None,
    now: datetime,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Derive the number's new values and send its event. Return them and a snapshot."""
    was_flagged = number.spam_risk in (SpamRisk.MEDIUM, SpamRisk.HIGH)
    derived = derive(statuses)
    event_type = _event_type(number, derived, was_flagged)
    frequency = settings.check_frequency if settings else CheckFrequency.NEVER
    changes: dict[str, Any] = {
        "spam_risk": derived.spam_risk,
        "spam_category": derived.spam_category,
        **derived.scores,
        "last_refreshed_at": derived.last_refreshed_at,
        "next_check_at": schedule.next_check_after(frequency, now),
        "flag_event_at": now if event_type is not None else number.flag_event_at,
        "updated_at": now,
    }

    networks = [_network_payload(status) for status in statuses]
    if event_type is not None and settings is not None and settings.webhook_url:
        events.emit(
            session,
            account_id=number.account_id,
            url=settings.webhook_url,
            event_type=event_type,
            payload={
                "record_type": "reputation_phone_number",
                "phone_number": number.phone_number,
                "enterprise_id": str(number.enterprise_id),
                "spam_risk": derived.spam_risk,
                "networks": networks,
            },
        )
    snapshot = {
        "number_id": number.id,
        "enterprise_id": number.enterprise_id,
        "phone_number": number.phone_number,
        "spam_risk": derived.spam_risk,
        "spam_category": derived.spam_category,
        **derived.scores,
        "networks": networks,
        "taken_at": now,
    }
    return changes, snapshot


def _event_type(
    number: LookupTarget, derived: DerivedData, was_flagged: bool
) -> str | None:
    """Pick the webhook event for this refresh, if any.

    The first refresh after a remediation that finds the number flagged is a
    relabel, even if no refresh saw it clear in between. Later refreshes that
    still find it flagged send nothing.
    """
    if derived.flagged_networks == 0:
        return None
    remediated = number.last_remediated_at
    last_event = number.flag_event_at
    if remediated is not None and (last_event is None or last_event < remediated):
        return EVENT_RELABELED
    if not was_flagged:
        return EVENT_SPAM_FLAGGED
    return None


def _status_from(result: LookupResult, now: datetime) -> StoredStatus:
    return StoredStatus(
        network=result.network,
        flagged=result.flagged,
        label=result.label,
        maturity_score=result.maturity_score,
        connection_score=result.connection_score,
        engagement_score=result.engagement_score,
        sentiment_score=result.sentiment_score,
        checked_at=result.checked_at or now,
    )


def _group_by_number(
    results: Mapping[str, Sequence[LookupResult]],
) -> dict[str, list[LookupResult]]:
    grouped: dict[str, list[LookupResult]] = {}
    for network, answers in results.items():
        for answer in answers:
            if answer.network != network:
                log.warning(
                    "reputation.lookup_network_mismatch",
                    expected=network,
                    reported=answer.network,
                )
            grouped.setdefault(answer.phone_number, []).append(answer)
    return grouped


def _network_payload(status: NetworkStatus) -> dict[str, Any]:
    return {
        "network": status.network,
        "flagged": status.flagged,
        "label": status.label,
        "checked_at": isoformat(status.checked_at),
    }


def _spam_risk(flagging: int, labels: Sequence[str]) -> str:
    severe = any(
        word in label.lower() for label in labels for word in SEVERE_LABEL_WORDS
    )
    if flagging >= 2 or severe:
        return SpamRisk.HIGH
    if flagging == 1:
        return SpamRisk.MEDIUM
    return SpamRisk.LOW


def _most_common(labels: Sequence[str]) -> str | None:
    if not labels:
        return None
    counts = Counter(labels)
    top = max(counts.values())
    # ``labels`` is in network-name order, so the first label at the top count
    # is the tie-break the module docstring promises.
    return next(label for label in labels if counts[label] == top)


def _mean(statuses: Sequence[NetworkStatus], name: str) -> int | None:
    values: list[int | None] = [getattr(status, name) for status in statuses]
    present = [value for value in values if value is not None]
    if not present:
        return None
    return math.floor(sum(present) / len(present) + 0.5)
