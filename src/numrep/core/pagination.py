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
    total = (
        session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
        or 0
    )
    if params.offset >= total:
        return Page(items=[], params=params, total=total)
    rows = session.scalars(query.offset(params.offset).limit(params.size)).all()
    return Page(items=rows, params=params, total=total)
