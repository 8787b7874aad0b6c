"""Databases and sandbox connectors for the network tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from numrep.core.db import Database
from tests.network.helpers import SandboxFactory, open_database, sandbox_factory


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The test database on SQLite and on PostgreSQL."""
    opened = open_database(database_url)
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_database(sqlite_url: str) -> Iterator[Database]:
    opened = open_database(sqlite_url)
    yield opened
    opened.dispose()


@pytest.fixture
def sandbox(database: Database) -> SandboxFactory:
    """Build sandbox connectors on the test database (both backends)."""
    return sandbox_factory(database)


@pytest.fixture
def sqlite_sandbox(sqlite_database: Database) -> SandboxFactory:
    """Build sandbox connectors on a SQLite database."""
    return sandbox_factory(sqlite_database)
