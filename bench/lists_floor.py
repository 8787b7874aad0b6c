"""The floor of the list benchmark: a page's count and rows read without the app.

On PostgreSQL the floor sends the service's own SQL through psycopg. On SQLite
it runs the same selects through SQLAlchemy Core, without the ORM and the app.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

# Compiles the service's selects for psycopg; creating it opens no connection.
PSYCOPG = sa.create_engine("postgresql+psycopg://").dialect

Statement = tuple[str, dict[str, Any]]


class PostgresFloor:
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def prepare(self, queries: list[sa.Select[Any]]) -> Callable[[], None]:
        """Compile ``queries`` once and return the call that runs them all."""
        statements = [_compile(query) for query in queries]

        def run() -> None:
            for sql, params in statements:
                self.connection.execute(sql, params).fetchall()

        return run

    def plan(self, query: sa.Select[Any], table: str) -> str:
        """Name the scans and indexes of the page's plan on ``table``, and any sort.

        Sorting the page's own rows after its keys were read in order is
        expected. A sort under the plan's Limit means that every match was read
        first.
        """
        sql, params = _compile(query)
        row = self.connection.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()
        assert row is not None
        document = row[0] if not isinstance(row[0], str) else json.loads(row[0])
        reads = []
        sorts_all = False
        stack = [(document[0]["Plan"], False)]
        while stack:
            node, limited = stack.pop()
            kind = node["Node Type"]
            below_limit = limited or kind == "Limit"
            stack.extend((child, below_limit) for child in node.get("Plans", []))
            sorts_all = sorts_all or (limited and kind in ("Sort", "Incremental Sort"))
            if node.get("Relation Name") == table:
                reads.append(f"{kind} {node.get('Index Name', '')}".strip())
        described = ", ".join(reversed(reads))
        if sorts_all:
            described += ", sorts every match"
        return described


def _compile(query: sa.Select[Any]) -> Statement:
    compiled = query.compile(dialect=PSYCOPG)
    return str(compiled), dict(compiled.params)


class SqliteFloor:
    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def prepare(self, queries: list[sa.Select[Any]]) -> Callable[[], None]:
        def run() -> None:
            for query in queries:
                self.connection.execute(query).all()

        return run

    def plan(self, query: sa.Select[Any], table: str) -> str:
        """Return SQLite's plan lines that read ``table`` or sort."""
        result = self.connection.execute(_ExplainQueryPlan(query))
        # The raw cursor rows, because the select's own result types do not apply.
        details = [str(row[-1]) for row in result.cursor.fetchall()]
        matching = [
            detail
            for detail in details
            if f" {table} " in f"{detail} " or "TEMP B-TREE" in detail
        ]
        return ", ".join(matching)


class _ExplainQueryPlan(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, statement: sa.Select[Any]) -> None:
        self.statement = statement


@compiles(_ExplainQueryPlan, "sqlite")
def _explain_sqlite(
    element: _ExplainQueryPlan, compiler: SQLCompiler, **kw: Any
) -> str:
    return "EXPLAIN QUERY PLAN " + compiler.process(element.statement, **kw)
