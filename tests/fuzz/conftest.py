"""Fuzzing runs on SQLite only, to keep its time within the suite's budget."""

from __future__ import annotations

import pytest


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url
