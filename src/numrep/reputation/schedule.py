"""When a registered number is next checked, from its enterprise's frequency.

Times are UTC. ``business_daily`` skips Saturday and Sunday; ``monthly`` moves to
the same day of the next month, or its last day when the month is shorter.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.reputation.models import CheckFrequency, ReputationNumber

_FIXED_STEPS = {
    CheckFrequency.DAILY: timedelta(days=1),
    CheckFrequency.WEEKLY: timedelta(days=7),
    CheckFrequency.BIWEEKLY: timedelta(days=14),
}
_SATURDAY = 5

# How long a number handed to a refresh stays out of the sweep; a refresh that
# fails leaves it due again after this, so a lost run delays a check but never
# drops it.
CLAIM_SECONDS = 900


def next_check_after(frequency: str, moment: datetime) -> datetime | None:
    """Return the next check after ``moment``, or None for ``never``."""
    match CheckFrequency(frequency):
        case CheckFrequency.NEVER:
            return None
        case CheckFrequency.BUSINESS_DAILY:
            step = moment + timedelta(days=1)
            while step.weekday() >= _SATURDAY:
                step += timedelta(days=1)
            return step
        case CheckFrequency.MONTHLY:
            return _add_month(moment)
        case other:
            return moment + _FIXED_STEPS[other]


def claim_until(now: datetime) -> datetime:
    return now + timedelta(seconds=CLAIM_SECONDS)


def apply_frequency(
    session: Session,
    *,
    enterprise_id: uuid.UUID,
    frequency: CheckFrequency,
    now: datetime,
) -> None:
    """Reschedule the enterprise's numbers after a frequency change.

    ``never`` clears every pending check. Any other value keeps the check that
    is already scheduled, which then runs at the new pace, and schedules the
    numbers that had none from their last refresh (or now).
    """
    active = sa.and_(
        ReputationNumber.enterprise_id == enterprise_id,
        ReputationNumber.removed_at.is_(None),
    )
    if frequency == CheckFrequency.NEVER:
        session.execute(
            sa.update(ReputationNumber).where(active).values(next_check_at=None)
        )
        return
    unscheduled = session.scalars(
        sa.select(ReputationNumber).where(
            active, ReputationNumber.next_check_at.is_(None)
        )
    )
    for number in unscheduled:
        base = number.last_refreshed_at or now
        number.next_check_at = next_check_after(frequency, base)


def _add_month(moment: datetime) -> datetime:
    year = moment.year + moment.month // 12
    month = moment.month % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))
