"""Every list query reads its large table through an index that fits it.

The service modules build these selects; the tests explain them on both
databases over a few thousand analyzed rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from numrep.core.clock import utcnow
from numrep.core.db import Database, create_db_engine
from numrep.core.pagination import (
    PageParams,
    count_query,
    page_keys_query,
    page_query,
)
from numrep.remediation.models import CaseState, RequestStatus
from numrep.remediation.queries import request_numbers_query, requests_query
from numrep.reputation.models import NumberSource, OwnershipStatus
from numrep.reputation.numbers import NumberFilters, numbers_query
from numrep.review.service import cases_query
from tests.lists.plans import Plan, explain, index_problems
from tests.lists.seed import Seeded, seed

PAGE_SIZE = 250
# Page 5 of 250 skips 1,000 rows, more than an enterprise has in the seed.
DEEP_PAGE = 5


@dataclass(frozen=True)
class Case:
    """One list query, the table it pages through and the columns its index needs."""

    name: str
    build: Callable[[Seeded], sa.Select[Any]]
    table: str
    columns: tuple[str, ...]
    # The substring and single-number filters match few rows, so they may
    # fetch them all and sort, and check the other conditions on each row.
    ordered: bool = True
    # Index columns SQLite may use instead, when its planner prefers them.
    sqlite_columns: tuple[str, ...] | None = None
    # Whether the count must read one index alone. The operator queue is not
    # held to it: when VACUUM could not mark its pages visible, PostgreSQL may
    # count through another index of that small table.
    count_covered: bool = True


def _numbers(enterprise: bool, **filters: Any) -> Callable[[Seeded], sa.Select[Any]]:
    def build(seeded: Seeded) -> sa.Select[Any]:
        if filters.get("enterprise_id") is True:
            filters["enterprise_id"] = seeded.enterprise_id
        return numbers_query(
            account_id=seeded.account_id,
            enterprise_id=seeded.enterprise_id if enterprise else None,
            filters=NumberFilters(**filters),
        )

    return build


def _requests(**filters: Any) -> Callable[[Seeded], sa.Select[Any]]:
    def build(seeded: Seeded) -> sa.Select[Any]:
        options: dict[str, Any] = {
            "status": None,
            "created_gte": None,
            "created_lte": None,
        }
        options.update(filters)
        return requests_query(enterprise_id=seeded.enterprise_id, **options)

    return build


def _cases(**filters: Any) -> Callable[[Seeded], sa.Select[Any]]:
    def build(seeded: Seeded) -> sa.Select[Any]:
        options: dict[str, Any] = {
            "state": CaseState.OPEN,
            "network": None,
            "enterprise_id": None,
            "opened_before": None,
        }
        options.update(filters)
        if options["enterprise_id"] is True:
            options["enterprise_id"] = seeded.enterprise_id
        return cases_query(**options)

    return build


NUMBERS = "reputation_numbers"
REQUESTS = "remediation_requests"
ENTERPRISE = ("account_id", "enterprise_id")
WEEK_AGO = utcnow() - timedelta(days=7)

CASES = [
    Case("numbers of enterprise", _numbers(True), NUMBERS, ENTERPRISE),
    Case("numbers of account", _numbers(False), NUMBERS, ("account_id",)),
    Case(
        "numbers by enterprise filter",
        _numbers(False, enterprise_id=True),
        NUMBERS,
        ENTERPRISE,
    ),
    Case(
        "flagged numbers of enterprise",
        _numbers(True, ownership_status=OwnershipStatus.FLAGGED),
        NUMBERS,
        (*ENTERPRISE, "ownership_status"),
    ),
    Case(
        "flagged numbers of account",
        _numbers(False, ownership_status=OwnershipStatus.FLAGGED),
        NUMBERS,
        ("account_id", "ownership_status"),
    ),
    Case(
        "removed numbers of enterprise",
        _numbers(True, ownership_status=OwnershipStatus.REMOVED),
        NUMBERS,
        ENTERPRISE,
    ),
    Case(
        "removed numbers of account",
        _numbers(False, ownership_status=OwnershipStatus.REMOVED),
        NUMBERS,
        ("account_id",),
    ),
    Case(
        "external numbers of enterprise",
        _numbers(True, source=NumberSource.EXTERNAL),
        NUMBERS,
        (*ENTERPRISE, "source"),
    ),
    Case(
        "external numbers of account",
        _numbers(False, source=NumberSource.EXTERNAL),
        NUMBERS,
        ("account_id", "source"),
    ),
    Case(
        "number equal to",
        _numbers(False, phone_number_eq="+13122000007"),
        NUMBERS,
        ("phone_number",),
        ordered=False,
    ),
    Case(
        "removed number equal to",
        _numbers(
            False,
            phone_number_eq="+13122000000",
            ownership_status=OwnershipStatus.REMOVED,
        ),
        NUMBERS,
        ("phone_number",),
        ordered=False,
        # SQLite 3.40 reads the account's removed numbers in order instead;
        # they are few next to its active ones.
        sqlite_columns=("account_id",),
    ),
    Case("requests of enterprise", _requests(), REQUESTS, ("enterprise_id",)),
    Case(
        "requests by status",
        _requests(status=RequestStatus.COMPLETED),
        REQUESTS,
        ("enterprise_id", "status"),
    ),
    Case(
        "requests since",
        _requests(created_gte=WEEK_AGO),
        REQUESTS,
        ("enterprise_id", "created_at"),
    ),
    Case(
        "requests until",
        _requests(created_lte=WEEK_AGO),
        REQUESTS,
        ("enterprise_id", "created_at"),
    ),
    Case(
        "requests by status and date",
        _requests(
            status=RequestStatus.FAILED,
            created_gte=WEEK_AGO - timedelta(days=30),
            created_lte=WEEK_AGO,
        ),
        REQUESTS,
        ("enterprise_id", "status", "created_at"),
    ),
    Case(
        "numbers of request",
        lambda seeded: request_numbers_query(seeded.request_id),
        "remediation_numbers",
        ("request_id",),
    ),
    Case(
        "open review cases",
        _cases(),
        "review_cases",
        ("manual", "state"),
        count_covered=False,
    ),
    Case(
        "review cases by network",
        _cases(network="att"),
        "review_cases",
        ("manual", "state", "network"),
        count_covered=False,
    ),
    Case(
        "review cases by enterprise",
        _cases(enterprise_id=True),
        "review_cases",
        ("manual", "state", "enterprise_id"),
        count_covered=False,
    ),
]


@pytest.fixture
def seeded(database_url: str) -> Iterator[tuple[sa.Engine, Seeded]]:
    engine = create_db_engine(database_url)
    yield engine, seed(Database(engine))
    engine.dispose()


def _problems(
    connection: sa.Connection, case: Case, plan: Plan, **checks: bool
) -> list[str]:
    """Check ``plan`` against the case's index columns, or SQLite's alternative."""
    problems = index_problems(plan, case.table, case.columns, **checks)
    if connection.dialect.name != "sqlite" or case.sqlite_columns is None:
        return problems
    alternative = index_problems(plan, case.table, case.sqlite_columns, **checks)
    return min(problems, alternative, key=len)


def _page_problems(connection: sa.Connection, case: Case, seeded: Seeded) -> list[str]:
    """Check the page's key select strictly, then the whole page's select.

    The keys of an ordered page must come from one index alone, in order, so a
    deep page walks only that index. The page's rows are then read by key.
    """
    problems = []
    for number in (1, DEEP_PAGE):
        params = PageParams(number=number, size=PAGE_SIZE)
        query = case.build(seeded)
        keys = page_keys_query(query, params)
        plan = explain(connection, keys, ordered=case.ordered, index_only=case.ordered)
        found = _problems(
            connection,
            case,
            plan,
            ordered=case.ordered,
            exact=case.ordered,
            index_only=case.ordered,
        )
        page = explain(connection, page_query(query, params), ordered=False)
        found += index_problems(page, case.table, (), ordered=False, exact=False)
        problems += [f"page {number}: {problem}" for problem in found]
    return problems


def test_list_pages_use_fitting_indexes(seeded: tuple[sa.Engine, Seeded]) -> None:
    engine, rows = seeded
    problems = {}
    with engine.connect() as connection:
        for case in CASES:
            found = _page_problems(connection, case, rows)
            if found:
                problems[case.name] = found
    assert problems == {}


def test_list_counts_read_only_indexes(seeded: tuple[sa.Engine, Seeded]) -> None:
    engine, rows = seeded
    problems = {}
    with engine.connect() as connection:
        for case in CASES:
            query = count_query(case.build(rows))
            covered = case.ordered and case.count_covered
            plan = explain(connection, query, ordered=False, index_only=covered)
            if covered:
                found = _problems(
                    connection,
                    case,
                    plan,
                    ordered=False,
                    exact=True,
                    index_only=True,
                )
            else:
                found = index_problems(plan, case.table, (), ordered=False, exact=False)
            if found:
                problems[case.name] = found
    assert problems == {}


def test_contains_filter_plan(seeded: tuple[sa.Engine, Seeded]) -> None:
    engine, rows = seeded
    query = numbers_query(
        account_id=rows.account_id,
        enterprise_id=None,
        filters=NumberFilters(phone_number_contains="2000049"),
    )
    with engine.connect() as connection:
        plan = explain(connection, query.limit(PAGE_SIZE), ordered=False)
    if engine.dialect.name == "postgresql":
        # pg_trgm's GIN index finds the candidates; the page is sorted after.
        columns: tuple[str, ...] = ("phone_number",)
    else:
        # SQLite cannot index a substring, so it reads the account's active rows.
        columns = ("account_id",)
    problems = index_problems(plan, NUMBERS, columns, ordered=False, exact=False)
    assert problems == [], plan.text


def test_plan_check_fails_without_index(seeded: tuple[sa.Engine, Seeded]) -> None:
    engine, rows = seeded
    case = next(case for case in CASES if case.name == "requests by status")
    with engine.connect() as connection:
        assert _page_problems(connection, case, rows) == []
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "DROP INDEX ix_remediation_requests_enterprise_status_created"
        )
    # New connections, because SQLite's cached statements keep their old plans.
    engine.dispose()
    with engine.connect() as connection:
        problems = _page_problems(connection, case, rows)
    assert problems != []
