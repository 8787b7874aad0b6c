"""Apply numrep's Alembic migrations and DBOS's system tables to a database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema, numrep's tables and DBOS's."""
    from numrep.core.db import create_db_engine
    from numrep.worker.runtime import migrate_system_tables

    if database_url.startswith("sqlite"):
        # Switch the file to WAL before any other connection opens it.
        engine = create_db_engine(database_url)
        with engine.connect():
            pass
        engine.dispose()
    command.upgrade(alembic_config(database_url), "head")
    migrate_system_tables(database_url)
