"""The database and settings of a worker process, for task modules to use."""

from __future__ import annotations

from numrep.core.db import Database
from numrep.settings import Settings

_database: Database | None = None
_settings: Settings | None = None


def install(database: Database, settings: Settings) -> None:
    global _database, _settings
    _database = database
    _settings = settings


def database() -> Database:
    if _database is None:
        raise RuntimeError("worker context used before numrep.worker.context.install")
    return _database


def settings() -> Settings:
    if _settings is None:
        raise RuntimeError("worker context used before numrep.worker.context.install")
    return _settings
