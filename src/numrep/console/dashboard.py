"""Figures for the console dashboard, each computed by one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.remediation.models import (
    BUCKETS,
    CaseState,
    RemediationNumber,
    RemediationRequest,
    ReviewCase,
)
from numrep.webhook.models import EventStatus, WebhookEvent

CHART_DAYS = 14


@dataclass
class DayOutcomes:
    day: date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Dashboard:
    requests_by_status: dict[str, int]
    waiting_by_tier: dict[int, int]
    waiting_by_network: dict[str, int]
    overdue_cases: int
    oldest_case: ReviewCase | None
    failed_webhooks: int
    outcomes: list[DayOutcomes]

    @property
    def max_day_total(self) -> int:
        return max((day.total for day in self.outcomes), default=0)


def build_dashboard(session: Session) -> Dashboard:
    now = utcnow()
    return Dashboard(
        requests_by_status=_grouped(session, RemediationRequest.status),
        waiting_by_tier=_grouped(session, ReviewCase.tier, _is_open),
        waiting_by_network=_grouped(session, ReviewCase.network, _is_open),
        overdue_cases=session.scalar(
            sa.select(sa.func.count()).select_from(
                _open_cases(manual=True).where(ReviewCase.deadline_at < now).subquery()
            )
        )
        or 0,
        oldest_case=session.scalars(
            _open_cases(manual=True)
            .order_by(ReviewCase.created_at, ReviewCase.id)
            .limit(1)
        ).first(),
        failed_webhooks=session.scalar(
            sa.select(sa.func.count()).where(WebhookEvent.status == EventStatus.FAILED)
        )
        or 0,
        outcomes=_outcomes_per_day(session, now),
    )


_is_open = ReviewCase.state == CaseState.OPEN


def _open_cases(*, manual: bool | None = None) -> sa.Select[ReviewCase]:
    query = sa.select(ReviewCase).where(ReviewCase.state == CaseState.OPEN)
    if manual is not None:
        query = query.where(ReviewCase.manual.is_(manual))
    return query


def _grouped(
    session: Session, column: Any, *conditions: sa.ColumnElement[bool]
) -> dict[Any, int]:
    rows = session.execute(
        sa.select(column, sa.func.count())
        .where(*conditions)
        .group_by(column)
        .order_by(column)
    ).all()
    return {key: count for key, count in rows}


def _outcomes_per_day(session: Session, now: datetime) -> list[DayOutcomes]:
    """Numbers reaching each result bucket per UTC day, for the last two weeks."""
    start = (now - timedelta(days=CHART_DAYS - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    day = sa.func.date(RemediationNumber.decided_at)
    rows = session.execute(
        sa.select(day, RemediationNumber.state, sa.func.count())
        .where(
            RemediationNumber.decided_at >= start,
            RemediationNumber.state.in_([bucket.value for bucket in BUCKETS]),
        )
        .group_by(day, RemediationNumber.state)
    ).all()
    days = {
        (start + timedelta(days=offset)).date(): DayOutcomes(
            (start + timedelta(days=offset)).date()
        )
        for offset in range(CHART_DAYS)
    }
    for value, state, count in rows:
        key = value if isinstance(value, date) else date.fromisoformat(str(value))
        if key in days:
            days[key].counts[state] = count
    return list(days.values())
