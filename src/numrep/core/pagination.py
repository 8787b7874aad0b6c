"""JSON:API-style pagination shared by every list endpoint.

``page[number]`` starts at 1; ``page[size]`` above 250 is clamped, not rejected;
``meta.page_size`` is the number of items returned and ``total_pages`` is
``ceil(total / requested size)``, 0 when there is nothing. The official SDK stops
paging when ``data`` is empty or ``page_number`` reaches ``total_pages``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 250
# Pages past the data come back empty without a query, so this bound only keeps
# the echoed meta.page_number inside a signed 32-bit integer for every client.
MAX_PAGE_NUMBER = 2**31 - 1

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageParams:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    params: PageParams
    total: int

    def meta(self) -> dict[str, int]:
        return {
            "page_number": self.params.number,
            "page_size": len(self.items),
            "total_pages": math.ceil(self.total / self.params.size),
            "total_results": self.total,
        }

    def render(self, item: Callable[[T], Any]) -> dict[str, Any]:
        return {"data": [item(row) for row in self.items], "meta": self.meta()}


def page_params(default_size: int) -> Callable[..., PageParams]:
    """Build a dependency that reads ``page[number]`` and ``page[size]``."""

    def dependency(
        number: int = Query(1, alias="page[number]", ge=1, le=MAX_PAGE_NUMBER),
        size: int = Query(default_size, alias="page[size]", ge=1),
    ) -> PageParams:
        return PageParams(number=number, size=min(size, MAX_PAGE_SIZE))

    return dependency


def paginate(session: Session, query: sa.Select[T], params: PageParams) -> Page[T]:
    """Run ``query`` for one page; the caller has applied filters and order."""
    total = session.scalar(count_query(query)) or 0
    if params.offset >= total:
        return Page(items=[], params=params, total=total)
    rows = session.scalars(page_query(query, params)).all()
    return Page(items=rows, params=params, total=total)


def page_query(query: sa.Select[T], params: PageParams) -> sa.Select[T]:
    """Build the select of one page: its keys from the index, then their rows.

    The database walks every earlier row to reach an ``OFFSET``. Selecting only
    the primary key lets it walk the index alone when the index contains every
    filtered column, and fetch table rows for this page only.
    """
    key = _single_primary_key(query)
    if key is None:
        return query.offset(params.offset).limit(params.size)
    keys = page_keys_query(query, params).scalar_subquery()
    entity = query.column_descriptions[0]["entity"]
    # The outer select repeats only the order. With the filters repeated there,
    # a planner may read the whole scope in order and test each key.
    # NOTE: so the order may name only the entity's own columns, and it is read
    # from Select._order_by_clauses, which SQLAlchemy 2 does not document.
    page: sa.Select[T] = (
        sa.select(entity).where(key.in_(keys)).order_by(*query._order_by_clauses)
    )
    return page


def page_keys_query(query: sa.Select[T], params: PageParams) -> sa.Select[Any]:
    """Build the inner select of ``page_query``: the page's primary keys."""
    key = _single_primary_key(query)
    selected = query if key is None else query.with_only_columns(key)
    return selected.offset(params.offset).limit(params.size)


def _single_primary_key(query: sa.Select[T]) -> sa.ColumnElement[Any] | None:
    """Return the primary key of the one mapped entity ``query`` selects, if any."""
    if len(query.column_descriptions) != 1:
        return None
    entity = query.column_descriptions[0]["entity"]
    if entity is None:
        return None
    mapper = sa.inspect(entity)
    if len(mapper.primary_key) != 1:
        return None
    column: sa.ColumnElement[Any] = mapper.primary_key[0]
    return column


def count_query(query: sa.Select[T]) -> sa.Select[int]:
    """Build the exact count of ``query``'s rows for ``meta.total_results``.

    Both databases flatten the subquery, so a count over an index that contains
    every filtered column reads only that index.
    """
    return sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
