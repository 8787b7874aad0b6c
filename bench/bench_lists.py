"""Every list endpoint over 1,000,000 reputation numbers and 100,000 requests.

Seeds a fresh PostgreSQL database (``bench/lists_seed.py``), then reads the
first and the last page of 250 of each list, with each filter, through the app
in a FastAPI TestClient. The floor is the same count and page query sent as
plain SQL through psycopg. Prints p50 and p95 per case, the table read of the
page's plan and the ratio of the endpoint's p50 to the floor's, and appends the
table to ``docs/benchmarks.md``. The server comes from
``NUMREP_BENCH_POSTGRES_URL`` (default: user postgres on 127.0.0.1:55432,
database postgres), which must be allowed to create databases. A second run on
a temporary SQLite file uses a tenth of the rows, with SQLAlchemy Core as the
floor.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bench import report
from bench.lists_floor import PostgresFloor, SqliteFloor
from bench.lists_seed import (
    ACCOUNTS,
    BIG_ENTERPRISES,
    Size,
    seed_postgresql,
    seed_sqlite,
)
from numrep.account import service as accounts
from numrep.account.models import Account, KeyRole
from numrep.app import create_app
from numrep.core import migrate
from numrep.core.clock import utcnow
from numrep.core.db import Database, create_db_engine
from numrep.core.logging import configure_logging
from numrep.core.pagination import PageParams, count_query, page_query
from numrep.remediation.models import RemediationRequest
from numrep.remediation.queries import request_numbers_query, requests_query
from numrep.reputation.numbers import NumberFilters, numbers_query
from numrep.review.service import cases_query
from numrep.settings import Settings

# A smaller run for a quick check sets both; the report records the size used.
SIZE = Size(
    numbers=int(os.environ.get("NUMREP_BENCH_LIST_NUMBERS", 1_000_000)),
    requests=int(os.environ.get("NUMREP_BENCH_LIST_REQUESTS", 100_000)),
)
# SQLite is seeded row by row from Python, so it runs a tenth of the size.
SQLITE_SIZE = Size(numbers=SIZE.numbers // 10, requests=SIZE.requests // 10)
PAGE_SIZE = 250
RUNS = 15
BUDGET_MS = 50.0
SECRET = "bench-secret"
ADMIN_URL = os.environ.get(
    "NUMREP_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:55432/postgres",
)
HEADING = "## List endpoints at scale"
Floor = PostgresFloor | SqliteFloor


@dataclass(frozen=True)
class Tenant:
    """Account 0, the large tenant, with one of its enterprises and requests."""

    account_id: uuid.UUID
    enterprise_id: uuid.UUID
    request_id: uuid.UUID
    api_key: str
    operator_key: str


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    params: dict[str, str]
    query: sa.Select[Any]
    table: str
    operator: bool = False


@dataclass(frozen=True)
class Result:
    case: str
    page: int
    total: int
    p50_ms: float
    p95_ms: float
    floor_ms: float
    plan: str

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_ms


def main() -> None:
    configure_logging(level="WARNING")
    load_before = os.getloadavg()
    postgres = _run_postgresql()
    sqlite = _run_sqlite()
    load_after = os.getloadavg()
    for run in (postgres, sqlite):
        print(run.title)
        for line in _table(run.results):
            print(line)
    _append_report([postgres, sqlite], (load_before, load_after))
    print(f"appended to {report.REPORT}")


@dataclass(frozen=True)
class Run:
    title: str
    size: Size
    seed_seconds: float
    results: list[Result]


def _run_postgresql() -> Run:
    name = f"numrep_bench_lists_{os.getpid()}"
    admin = sa.make_url(ADMIN_URL)
    url = admin.set(database=name).render_as_string(hide_password=False)
    _admin_sql(admin, f'CREATE DATABASE "{name}"')
    try:
        seconds = _seed(url)
        print(f"PostgreSQL seeded in {seconds:.0f} s", flush=True)
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            results = _measure(url, PostgresFloor(connection))
    finally:
        _admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    title = "PostgreSQL, floor: the same count and page SQL through psycopg"
    return Run(title, SIZE, seconds, results)


def _run_sqlite() -> Run:
    with tempfile.TemporaryDirectory(prefix="numrep-bench-") as folder:
        url = f"sqlite:///{folder}/lists.db"
        started = time.perf_counter()
        migrate.upgrade(url)
        engine = create_db_engine(url)
        with engine.begin() as connection:
            seed_sqlite(connection, SQLITE_SIZE)
            connection.exec_driver_sql("ANALYZE")
        seconds = time.perf_counter() - started
        print(f"SQLite seeded in {seconds:.0f} s", flush=True)
        with engine.connect() as connection:
            results = _measure(url, SqliteFloor(connection))
        engine.dispose()
    title = "SQLite, floor: the same selects through SQLAlchemy Core"
    return Run(title, SQLITE_SIZE, seconds, results)


def _admin_sql(admin: sa.URL, statement: str) -> None:
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


def _seed(url: str) -> float:
    started = time.perf_counter()
    migrate.upgrade(url)
    engine = create_db_engine(url)
    with engine.begin() as connection:
        seed_postgresql(connection, SIZE)
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    with autocommit.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        # Write the seed's dirty pages now; otherwise the first cases pay for
        # the write-back and the reads compete with the checkpointer.
        connection.exec_driver_sql("CHECKPOINT")
    engine.dispose()
    return time.perf_counter() - started


def _measure(url: str, floor: Floor) -> list[Result]:
    database = Database(create_db_engine(url))
    tenant = _tenant(database)
    database.dispose()
    with tempfile.TemporaryDirectory(prefix="numrep-bench-") as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=url,
            secret_key=SECRET,
            run_worker=False,
            log_level="WARNING",
        )
        with TestClient(create_app(settings)) as client:
            return [
                result
                for case in _cases(tenant)
                for result in _measure_case(client, floor, tenant, case)
            ]


def _tenant(database: Database) -> Tenant:
    with database.unit_of_work() as session:
        account_id = session.scalar(
            sa.select(Account.id).where(Account.name == "bench 0")
        )
        assert account_id is not None
        enterprise_id, request_id = session.execute(
            sa.select(RemediationRequest.enterprise_id, RemediationRequest.id)
            .where(RemediationRequest.account_id == account_id)
            .order_by(RemediationRequest.created_at.desc())
            .limit(1)
        ).one()
        customer = accounts.issue_key(session, SECRET, account_id=account_id)
        operator = accounts.issue_key(
            session, SECRET, account_id=account_id, role=KeyRole.OPERATOR
        )
        return Tenant(
            account_id, enterprise_id, request_id, customer.secret, operator.secret
        )


def _cases(tenant: Tenant) -> list[Case]:
    return [
        *_number_cases(tenant, scoped=True),
        *_number_cases(tenant, scoped=False),
        *_request_cases(tenant),
        Case(
            "request numbers",
            f"/v2/enterprises/{tenant.enterprise_id}/reputation/remediation/"
            f"{tenant.request_id}/numbers",
            {},
            request_numbers_query(tenant.request_id),
            "remediation_numbers",
        ),
        *_review_cases(tenant),
    ]


def _number_cases(tenant: Tenant, *, scoped: bool) -> list[Case]:
    enterprise = str(tenant.enterprise_id)
    filters: list[tuple[str, dict[str, str], NumberFilters]] = [
        ("all", {}, NumberFilters()),
        (
            "flagged",
            {"filter[ownership_status]": "flagged"},
            NumberFilters(ownership_status="flagged"),  # type: ignore[arg-type]
        ),
        (
            "removed",
            {"filter[ownership_status]": "removed"},
            NumberFilters(ownership_status="removed"),  # type: ignore[arg-type]
        ),
        (
            "external",
            {"filter[source]": "external"},
            NumberFilters(source="external"),  # type: ignore[arg-type]
        ),
        (
            "contains 00049",
            {"filter[phone_number][contains]": "00049"},
            NumberFilters(phone_number_contains="00049"),
        ),
        (
            "eq",
            {"filter[phone_number][eq]": "+12002000000"},
            NumberFilters(phone_number_eq="+12002000000"),
        ),
    ]
    if not scoped:
        filters.append(
            (
                "enterprise_id",
                {"filter[enterprise_id]": enterprise},
                NumberFilters(enterprise_id=tenant.enterprise_id),
            )
        )
    path = (
        f"/v2/enterprises/{enterprise}/reputation/numbers"
        if scoped
        else "/v2/reputation/numbers"
    )
    label = "enterprise numbers" if scoped else "account numbers"
    return [
        Case(
            f"{label}, {name}",
            path,
            params,
            numbers_query(
                account_id=tenant.account_id,
                enterprise_id=tenant.enterprise_id if scoped else None,
                filters=number_filters,
            ),
            "reputation_numbers",
        )
        for name, params, number_filters in filters
    ]


def _request_cases(tenant: Tenant) -> list[Case]:
    month_ago = utcnow() - timedelta(days=30)
    since = month_ago.isoformat()
    path = f"/v2/enterprises/{tenant.enterprise_id}/reputation/remediation"
    variants: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("all", {}, {}),
        ("completed", {"filter[status]": "completed"}, {"status": "completed"}),
        ("failed", {"filter[status]": "failed"}, {"status": "failed"}),
        ("since 30 d", {"filter[created_at][gte]": since}, {"created_gte": month_ago}),
        ("before 30 d", {"filter[created_at][lte]": since}, {"created_lte": month_ago}),
        (
            "failed before 30 d",
            {"filter[status]": "failed", "filter[created_at][lte]": since},
            {"status": "failed", "created_lte": month_ago},
        ),
    ]
    cases = []
    for name, params, options in variants:
        arguments: dict[str, Any] = {
            "status": None,
            "created_gte": None,
            "created_lte": None,
            **options,
        }
        query = requests_query(enterprise_id=tenant.enterprise_id, **arguments)
        cases.append(
            Case(f"requests, {name}", path, params, query, "remediation_requests")
        )
    return cases


def _review_cases(tenant: Tenant) -> list[Case]:
    defaults: dict[str, Any] = {
        "state": "open",
        "network": None,
        "enterprise_id": None,
        "opened_before": None,
    }
    return [
        Case(
            "review cases, open",
            "/v2/operator/review_cases",
            {},
            cases_query(**defaults),
            "review_cases",
            operator=True,
        ),
        Case(
            "review cases, att",
            "/v2/operator/review_cases",
            {"filter[network]": "att"},
            cases_query(**{**defaults, "network": "att"}),
            "review_cases",
            operator=True,
        ),
    ]


def _measure_case(
    client: TestClient, floor: Floor, tenant: Tenant, case: Case
) -> list[Result]:
    key = tenant.operator_key if case.operator else tenant.api_key
    headers = {"Authorization": f"Bearer {key}"}
    first = _get(client, case, headers, 1)
    pages = sorted({1, max(1, first["meta"]["total_pages"])})
    results = []
    for page in pages:
        request = partial(_get, client, case, headers, page)
        request()
        timings = [_timed(request) for _ in range(RUNS)]
        params = PageParams(number=page, size=PAGE_SIZE)
        page_select = page_query(case.query, params)
        plain = floor.prepare([count_query(case.query), page_select])
        plain()
        floors = [_timed(plain) for _ in range(RUNS)]
        results.append(
            Result(
                case.name,
                page,
                first["meta"]["total_results"],
                statistics.median(timings),
                _p95(timings),
                statistics.median(floors),
                floor.plan(page_select, case.table),
            )
        )
        print(_row(results[-1]), flush=True)
    return results


def _get(
    client: TestClient, case: Case, headers: dict[str, str], page: int
) -> dict[str, Any]:
    params = {**case.params, "page[size]": str(PAGE_SIZE), "page[number]": str(page)}
    response = client.get(case.path, params=params, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{case.name}: HTTP {response.status_code} {response.text}")
    body: dict[str, Any] = response.json()
    return body


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def _row(result: Result) -> str:
    return (
        f"| {result.case} | {result.page} | {result.total:,} | {result.p50_ms:.1f} "
        f"| {result.p95_ms:.1f} | {result.floor_ms:.1f} | {result.ratio:.2f} "
        f"| {result.plan} |"
    )


def _table(results: list[Result]) -> list[str]:
    return [
        "| case | page | total_results | p50 ms | p95 ms | floor p50 ms | ratio "
        "| page plan |",
        "|---|---|---|---|---|---|---|---|",
        *(_row(result) for result in results),
    ]


def _append_report(
    runs: list[Run],
    loads: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> None:
    lines = [
        f"- command: `{report.command('bench_lists')}`",
        f"- machine: {report.machine()}, PostgreSQL 15 on 127.0.0.1, app in a "
        "FastAPI TestClient in the same process",
        f"- load average (1, 5, 15 min) before: {_load(loads[0])}, after: "
        f"{_load(loads[1])}; other engineers shared the machine",
        f"- data: {ACCOUNTS:,} accounts; account 0 owns a fifth of the numbers "
        f"and of the requests over {BIG_ENTERPRISES} enterprises; each request "
        "has 3 numbers with one review case each",
        f"- each case: {RUNS} requests per page of {PAGE_SIZE} after one warm-up, "
        "as account 0, first and last page",
    ]
    for run in runs:
        over = [result for result in run.results if result.p95_ms >= BUDGET_MS]
        over_text = ", ".join(f"{r.case} p{r.page}" for r in over) or "none"
        lines += [
            "",
            f"{run.title}. {run.size.numbers:,} reputation numbers and "
            f"{run.size.requests:,} requests, seeded in {run.seed_seconds:.0f} s.",
            "",
            *_table(run.results),
            "",
            f"Cases with p95 at or over {BUDGET_MS:.0f} ms: {over_text}.",
        ]
    report.append(HEADING, lines, source="bench/bench_lists.py")


def _load(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    main()
