"""Queries on the sandbox review table, run in the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from numrep.network.base import ReviewOutcome
from numrep.network.sandbox_models import SandboxReview


def insert_new_reviews(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert review rows, skipping any whose (network, key) already exists.

    ON CONFLICT DO NOTHING makes two concurrent calls with one idempotency key
    store one row: the second waits for the first and then inserts nothing.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement: sqlite.Insert | postgresql.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(SandboxReview)
    elif dialect == "sqlite":
        statement = sqlite.insert(SandboxReview)
    else:
        raise RuntimeError(f"sandbox reviews need SQLite or PostgreSQL, not {dialect}")
    statement = statement.on_conflict_do_nothing(
        index_elements=["network", "idempotency_key"]
    )
    session.execute(statement, list(rows))


def reviews_by_key(
    session: Session, *, network: str, keys: Collection[str]
) -> dict[str, SandboxReview]:
    query = sa.select(SandboxReview).where(
        SandboxReview.network == network, SandboxReview.idempotency_key.in_(keys)
    )
    return {review.idempotency_key: review for review in session.scalars(query)}


def reviews_by_id(
    session: Session, *, network: str, review_ids: Collection[str]
) -> dict[str, SandboxReview]:
    query = sa.select(SandboxReview).where(
        SandboxReview.network == network, SandboxReview.id.in_(review_ids)
    )
    return {review.id: review for review in session.scalars(query)}


def latest_clearances(
    session: Session, *, network: str, phone_numbers: Collection[str], now: datetime
) -> dict[str, SandboxReview]:
    """Return, per number, the most recent cleared review decided by ``now``."""
    query = sa.select(SandboxReview).where(
        SandboxReview.network == network,
        SandboxReview.phone_number.in_(phone_numbers),
        SandboxReview.outcome == ReviewOutcome.CLEARED.value,
    )
    latest: dict[str, SandboxReview] = {}
    for review in session.scalars(query):
        # Compared here, not in SQL, because SQLite stores datetimes as text.
        if review.decide_at is None or review.decide_at > now:
            continue
        current = latest.get(review.phone_number)
        if current is None or _decided(current) < review.decide_at:
            latest[review.phone_number] = review
    return latest


def _decided(review: SandboxReview) -> datetime:
    if review.decide_at is None:
        raise ValueError(f"review {review.id} has no decision time")
    return review.decide_at
