"""Query plans of list queries on SQLite and PostgreSQL, and checks on them.

A list query passes when every read of a large table searches an index whose
condition contains the scope and the equality filters, and when no sort step runs,
because then the database stops after one page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable


class Explain(Executable, ClauseElement):
    """``EXPLAIN`` in the dialect's form, wrapped around a select."""

    inherit_cache = False

    def __init__(self, statement: sa.Select[Any]) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain_postgresql(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


@compiles(Explain, "sqlite")
def _explain_sqlite(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN QUERY PLAN " + compiler.process(element.statement, **kw)


@dataclass(frozen=True, slots=True)
class Read:
    """One read of a table in a plan: how, and on which condition."""

    table: str
    method: str
    condition: str
    filtered: bool


@dataclass(frozen=True, slots=True)
class Plan:
    reads: list[Read]
    sorts: bool
    text: str


def explain(
    connection: sa.Connection,
    statement: sa.Select[Any],
    *,
    ordered: bool = True,
    index_only: bool = False,
) -> Plan:
    """Return the plan of ``statement`` with its parameters bound as in the app.

    On PostgreSQL, sequential scans are priced out first, sorts too when the
    page must come out of an index in order, and bitmap scans when the query
    should read an index alone. A few thousand rows are too few for the
    planner to prefer an index on cost. The planner still takes a priced-out
    step when nothing else can run the query, so such a step in the plan means
    that no fitting index exists. An index-only scan never costs more than a
    plain scan of the same index, so the planner picks it whenever the index
    contains every column the query names.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql(f"SET enable_sort = {_on(not ordered)}")
        connection.exec_driver_sql(f"SET enable_bitmapscan = {_on(not index_only)}")
    # The raw cursor rows, because the select's own result types do not apply.
    rows = connection.execute(Explain(statement)).cursor.fetchall()
    if connection.dialect.name == "postgresql":
        return _postgresql_plan(rows[0][0])
    return _sqlite_plan([str(row[-1]) for row in rows])


def _on(enabled: bool) -> str:
    return "on" if enabled else "off"


def _postgresql_plan(document: Any) -> Plan:
    if isinstance(document, str):
        document = json.loads(document)
    reads: list[Read] = []
    sorts = False
    stack = [document[0]["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("Plans", []))
        kind = node["Node Type"]
        sorts = sorts or kind in ("Sort", "Incremental Sort")
        if "Relation Name" in node:
            condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
            reads.append(Read(node["Relation Name"], kind, condition, "Filter" in node))
    return Plan(reads, sorts, json.dumps(document, indent=1))


def _sqlite_plan(details: list[str]) -> Plan:
    reads = []
    for detail in details:
        words = detail.split()
        if words[0] not in ("SEARCH", "SCAN"):
            continue
        method = " ".join(words[:1] + words[2:]).split(" (")[0]
        condition = detail.split(" (", 1)[1] if " (" in detail else ""
        # SQLite's plan does not show residual filters, so "filtered" is unknown.
        reads.append(Read(words[1], method, condition, False))
    sorts = any("TEMP B-TREE" in detail for detail in details)
    return Plan(reads, sorts, "\n".join(details))


def index_problems(
    plan: Plan,
    table: str,
    columns: tuple[str, ...],
    *,
    ordered: bool = True,
    exact: bool = True,
    index_only: bool = False,
) -> list[str]:
    """List what keeps ``plan`` from reading ``table`` through a fitting index.

    ``columns`` must all appear in the index condition. With ``ordered`` the plan
    must not sort, with ``exact`` it must not discard rows it read, and with
    ``index_only`` it must not read the table's rows.
    """
    reads = [read for read in plan.reads if read.table == table]
    problems = [] if reads else [f"{table} is not read at all"]
    for read in reads:
        if not _uses_index(read):
            problems.append(f"{table} is read by {read.method}")
        missing = [name for name in columns if name not in read.condition]
        if missing:
            problems.append(
                f"{table}: {', '.join(missing)} not in index condition "
                f"{read.condition!r} of {read.method}"
            )
        if read.filtered and exact:
            problems.append(f"{table}: {read.method} discards rows with a filter")
        if index_only and not _index_only(read):
            problems.append(f"{table}: {read.method} reads table rows")
    if ordered and plan.sorts:
        problems.append("the plan sorts rows, so it reads every match first")
    return problems


def _uses_index(read: Read) -> bool:
    if read.method.startswith("SEARCH"):
        return True
    return read.method in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")


def _index_only(read: Read) -> bool:
    return read.method == "Index Only Scan" or "COVERING INDEX" in read.method
