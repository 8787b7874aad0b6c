"""Reading and writing the rows behind ``record_lookups`` with set-based SQL.

Statuses are upserted with one ``INSERT ... ON CONFLICT (number_id, network) DO
UPDATE``, numbers updated with one executemany ``UPDATE`` by primary key, and
snapshots inserted in one statement, so a 2,000-number batch costs a handful of
statements instead of one ORM flush per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from numrep.core.db import Base, in_values, new_ids, uuid_param
from numrep.reputation.models import (
    ReputationNetworkStatus,
    ReputationNumber,
    ReputationSettings,
    ReputationSnapshot,
)

SCORE_FIELDS = (
    "maturity_score",
    "connection_score",
    "engagement_score",
    "sentiment_score",
)


@dataclass(frozen=True, slots=True)
class StoredStatus:
    """One network's latest result for a number, as stored in its status row."""

    network: str
    flagged: bool
    label: str | None
    maturity_score: int | None
    connection_score: int | None
    engagement_score: int | None
    sentiment_score: int | None
    checked_at: datetime


NetworkStatus = ReputationNetworkStatus | StoredStatus


@dataclass(frozen=True, slots=True)
class NumberRow:
    """The columns of a registered number that ``record_lookups`` reads."""

    id: uuid.UUID
    account_id: uuid.UUID
    enterprise_id: uuid.UUID
    phone_number: str
    removed_at: datetime | None
    spam_risk: str | None
    last_remediated_at: datetime | None
    flag_event_at: datetime | None


LookupTarget = ReputationNumber | NumberRow


def active_number_rows(
    session: Session, *, enterprise_id: uuid.UUID, phone_numbers: Sequence[str]
) -> list[NumberRow]:
    """Load the enterprise's active numbers among ``phone_numbers`` as plain rows.

    Cheaper than ORM objects for callers that only pass them to
    ``record_lookups``.
    """
    rows = session.execute(
        sa.select(*(ReputationNumber.__table__.c[name] for name in _NUMBER_ROW)).where(
            ReputationNumber.enterprise_id == enterprise_id,
            ReputationNumber.removed_at.is_(None),
            in_values(session, ReputationNumber.phone_number, phone_numbers),
        )
    )
    return [NumberRow(*row) for row in rows]


_NUMBER_ROW = tuple(NumberRow.__dataclass_fields__)


def write_lookups(
    session: Session,
    status_rows: list[dict[str, Any]],
    number_rows: list[dict[str, Any]],
    snapshots: list[dict[str, Any]],
) -> None:
    """Upsert the statuses, update the numbers and insert the snapshots.

    Status and snapshot rows get their ``id`` here. An upserted status that
    already exists keeps its stored id.
    """
    _assign_ids(status_rows)
    _assign_ids(snapshots)
    session.execute(_upsert_statuses(session), status_rows)
    numbers = _table(ReputationNumber)
    session.execute(
        sa.update(numbers).where(numbers.c.id == sa.bindparam("b_id")), number_rows
    )
    session.execute(sa.insert(_table(ReputationSnapshot)), snapshots)


def _assign_ids(rows: list[dict[str, Any]]) -> None:
    for row, row_id in zip(rows, new_ids(len(rows)), strict=True):
        row["id"] = row_id


def _upsert_statuses(session: Session) -> sa.Executable:
    """``INSERT ... ON CONFLICT (number_id, network) DO UPDATE`` for statuses."""
    table = _table(ReputationNetworkStatus)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg_insert = postgresql.insert(table)
        return pg_insert.on_conflict_do_update(
            index_elements=[table.c.number_id, table.c.network],
            set_={name: pg_insert.excluded[name] for name in _STATUS_UPDATED},
        )
    if dialect == "sqlite":
        lite_insert = sqlite.insert(table)
        return lite_insert.on_conflict_do_update(
            index_elements=[table.c.number_id, table.c.network],
            set_={name: lite_insert.excluded[name] for name in _STATUS_UPDATED},
        )
    raise RuntimeError(
        f"record_lookups supports SQLite and PostgreSQL, not {dialect}. "
        "Set NUMREP_DATABASE_URL to one of them."
    )


_STATUS_UPDATED = ("flagged", "label", *SCORE_FIELDS, "checked_at")
# Number columns a refresh writes. ``record_lookups`` gives every row all of them.
_NUMBER_UPDATED = (
    "spam_risk",
    "spam_category",
    *SCORE_FIELDS,
    "last_refreshed_at",
    "next_check_at",
    "flag_event_at",
    "updated_at",
)


def _table(model: type[Base]) -> sa.Table:
    return cast(sa.Table, model.__table__)


def sync_loaded(
    numbers: Sequence[LookupTarget], number_rows: Sequence[dict[str, Any]]
) -> None:
    """Give the session's objects the values just written, without a flush."""
    for number, row in zip(numbers, number_rows, strict=True):
        if not isinstance(number, ReputationNumber):
            continue
        for name in _NUMBER_UPDATED:
            set_committed_value(number, name, row[name])


def status_row(number_id: uuid.UUID, status: StoredStatus) -> dict[str, Any]:
    return {
        "number_id": number_id,
        "network": status.network,
        "flagged": status.flagged,
        "label": status.label,
        **{name: getattr(status, name) for name in SCORE_FIELDS},
        "checked_at": status.checked_at,
    }


def load_statuses(
    session: Session, number_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, StoredStatus]]:
    """Load the stored statuses of ``number_ids`` as plain rows, by network."""
    table = _table(ReputationNetworkStatus)
    ids = [uuid_param(session, number_id) for number_id in number_ids]
    rows = session.execute(
        sa.select(
            table.c.number_id,
            table.c.network,
            table.c.flagged,
            table.c.label,
            *(table.c[name] for name in SCORE_FIELDS),
            table.c.checked_at,
        ).where(in_values(session, table.c.number_id, ids))
    )
    loaded: dict[uuid.UUID, dict[str, StoredStatus]] = {}
    for number_id, *values in rows:
        status = StoredStatus(*values)
        loaded.setdefault(number_id, {})[status.network] = status
    return loaded


def settings_by_enterprise(
    session: Session, numbers: Iterable[LookupTarget]
) -> dict[uuid.UUID, ReputationSettings]:
    enterprise_ids = {number.enterprise_id for number in numbers}
    rows = session.scalars(
        sa.select(ReputationSettings).where(
            ReputationSettings.enterprise_id.in_(enterprise_ids),
            ReputationSettings.closed_at.is_(None),
        )
    )
    return {row.enterprise_id: row for row in rows}
