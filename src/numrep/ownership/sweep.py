"""The ownership check sweep: check every active number once per run, in batches.

A run checks the active numbers whose last check is older than the run's start,
so an interrupted run resumes where it stopped. A second run at the same time
skips the rows the first one has locked (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL). Each batch is one transaction with one carrier lookup, one
inventory query, one bulk update and one history insert.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.inventory.models import InventoryNumber
from numrep.ownership import effects, history
from numrep.ownership.carrier import (
    CarrierLookup,
    CarrierLookupError,
    CarrierRecord,
    lookup_for,
)
from numrep.ownership.config import HttpCarrierConfig, SandboxCarrierConfig
from numrep.ownership.decide import (
    Decision,
    Notice,
    NumberState,
    Outcome,
    Policy,
    decide,
)
from numrep.ownership.effects import Flagged, NumberRef, Removed
from numrep.ownership.history import HistoryEntry
from numrep.ownership.models import HistoryEvent
from numrep.reputation.models import NumberSource, ReputationNumber

log = structlog.get_logger(__name__)

BATCH_SIZE = 200

# A selected row of ``_COLUMNS``.
DueRow = Row[*tuple[Any, ...]]

_N = ReputationNumber
_COLUMNS = (
    _N.id,
    _N.account_id,
    _N.enterprise_id,
    _N.phone_number,
    _N.source,
    _N.ownership_status,
    _N.flag_reason,
    _N.confirm_by,
    _N.baseline_carrier,
    _N.baseline_recorded_at,
    _N.observed_carrier,
    _N.next_check_at,
    _N.created_at,
    _N.updated_at,
)


@dataclass
class SweepResult:
    """How many numbers a run checked, and the count of each check outcome."""

    checked: int = 0
    outcomes: Counter[str] | None = None

    def add(self, outcomes: Counter[str]) -> None:
        self.checked += sum(outcomes.values())
        self.outcomes = (self.outcomes or Counter()) + outcomes

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "outcomes": dict(self.outcomes or {})}


def run_sweep(
    database: Database,
    config: SandboxCarrierConfig | HttpCarrierConfig,
    policy: Policy,
    *,
    now: datetime | None = None,
    enterprise_id: uuid.UUID | None = None,
    batch_size: int = BATCH_SIZE,
) -> SweepResult:
    """Check every active number (of one enterprise, if given) not yet checked.

    ``now`` is the time the checks compare deadlines with; it defaults to the
    current time of each batch.
    """
    started_at = now or utcnow()
    result = SweepResult()
    while True:
        with database.unit_of_work() as session:
            outcomes = check_batch(
                session,
                lookup_for(config, session),
                policy,
                due_before=started_at,
                now=now or utcnow(),
                enterprise_id=enterprise_id,
                limit=batch_size,
            )
        if not outcomes:
            break
        result.add(outcomes)
    log.info("ownership.sweep_finished", **result.as_dict())
    return result


def check_batch(
    session: Session,
    lookup: CarrierLookup,
    policy: Policy,
    *,
    due_before: datetime,
    now: datetime,
    enterprise_id: uuid.UUID | None = None,
    limit: int = BATCH_SIZE,
) -> Counter[str]:
    """Check up to ``limit`` due numbers; return the count of each outcome."""
    rows = _due_rows(session, due_before, enterprise_id, limit)
    if not rows:
        return Counter()
    # NOTE: the lookup runs inside the batch's transaction, so a slow HTTP source
    # keeps these rows locked for up to timeout_seconds * max_attempts.
    records = _lookup(lookup, [row.phone_number for row in rows])
    in_inventory = _inventory(session, rows)

    updates: list[dict[str, Any]] = []
    entries: list[HistoryEntry] = []
    flagged: list[Flagged] = []
    removed: list[Removed] = []
    outcomes: Counter[str] = Counter()
    for row in rows:
        record = records.get(row.phone_number)
        state = _state(row, (row.account_id, row.phone_number) in in_inventory)
        decision = decide(state, record, now, policy)
        outcomes[decision.outcome] += 1
        updates.append(_update(row, decision, record, now))
        entries.extend(_history(row.id, decision, now))
        ref = NumberRef(
            row.id, row.account_id, row.enterprise_id, row.phone_number, row.source
        )
        if decision.notice == Notice.FLAGGED and decision.confirm_by is not None:
            flagged.append(Flagged(ref, str(decision.flag_reason), decision.confirm_by))
        elif decision.notice == Notice.REMOVED and decision.removal_reason:
            removed.append(Removed(ref, decision.removal_reason))

    session.execute(sa.update(ReputationNumber), updates)
    history.record(session, entries)
    effects.after_flagged(session, flagged, now)
    effects.after_removed(session, removed, now)
    return outcomes


def _due_rows(
    session: Session,
    due_before: datetime,
    enterprise_id: uuid.UUID | None,
    limit: int,
) -> Sequence[DueRow]:
    query = (
        sa.select(*_COLUMNS)
        .where(
            _N.removed_at.is_(None),
            sa.or_(
                _N.ownership_checked_at.is_(None), _N.ownership_checked_at < due_before
            ),
        )
        .order_by(_N.ownership_checked_at.asc().nulls_first(), _N.id)
        .limit(limit)
        .with_for_update(of=_N, skip_locked=True)
    )
    if enterprise_id is not None:
        query = query.where(_N.enterprise_id == enterprise_id)
    return session.execute(query).all()


def _lookup(
    lookup: CarrierLookup, phone_numbers: list[str]
) -> dict[str, CarrierRecord]:
    try:
        return lookup.lookup(phone_numbers)
    except CarrierLookupError as error:
        # Deadlines and the inventory are still checked; carriers count as unknown.
        log.warning(
            "ownership.check_lookup_failed",
            numbers=len(phone_numbers),
            error=str(error),
        )
        return {}


def _inventory(session: Session, rows: Sequence[DueRow]) -> set[tuple[uuid.UUID, str]]:
    """Return (account_id, phone_number) of the batch's numbers in an inventory."""
    telnyx = [row.phone_number for row in rows if row.source == NumberSource.TELNYX]
    if not telnyx:
        return set()
    found = session.execute(
        sa.select(InventoryNumber.account_id, InventoryNumber.phone_number).where(
            InventoryNumber.phone_number.in_(telnyx)
        )
    )
    return {(account_id, phone) for account_id, phone in found}


def _state(row: DueRow, in_inventory: bool) -> NumberState:
    return NumberState(
        status=row.ownership_status,
        flag_reason=row.flag_reason,
        confirm_by=row.confirm_by,
        baseline_carrier=row.baseline_carrier,
        established_at=row.baseline_recorded_at or row.created_at,
        source=row.source,
        in_inventory=in_inventory,
    )


def _update(
    row: DueRow, decision: Decision, record: CarrierRecord | None, now: datetime
) -> dict[str, Any]:
    changed = (
        decision.status != row.ownership_status
        or decision.flag_reason != row.flag_reason
        or decision.confirm_by != row.confirm_by
    )
    removing = decision.removal_reason is not None
    return {
        "id": row.id,
        "ownership_status": decision.status,
        "flag_reason": decision.flag_reason,
        "confirm_by": decision.confirm_by,
        "removal_reason": decision.removal_reason,
        "removed_at": now if removing else None,
        "baseline_carrier": decision.baseline_carrier or row.baseline_carrier,
        "baseline_recorded_at": now
        if decision.baseline_carrier
        else row.baseline_recorded_at,
        "observed_carrier": record.spid if record else row.observed_carrier,
        "ownership_checked_at": now,
        # A removed number leaves the reputation monitoring too.
        "next_check_at": None if removing else row.next_check_at,
        "updated_at": now if changed else row.updated_at,
    }


def _history(
    number_id: uuid.UUID, decision: Decision, now: datetime
) -> list[HistoryEntry]:
    entries = [HistoryEntry(number_id, HistoryEvent.CHECK, decision.outcome, now)]
    if decision.notice == Notice.FLAGGED:
        entries.append(
            HistoryEntry(number_id, HistoryEvent.FLAG, str(decision.flag_reason), now)
        )
    elif decision.removal_reason is not None:
        entries.append(
            HistoryEntry(number_id, HistoryEvent.REMOVED, decision.removal_reason, now)
        )
    elif decision.outcome == Outcome.REVERIFICATION_UNANSWERED:
        entries.append(
            HistoryEntry(number_id, HistoryEvent.FLAG, decision.outcome, now)
        )
    return entries
