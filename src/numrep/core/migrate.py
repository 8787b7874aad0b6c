"""Apply numrep's Alembic migrations and DBOS's system tables to a database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# The tables DBOS 3.4.0 creates for itself. On SQLite they share numrep's file;
# on PostgreSQL they live in the "dbos" schema, which autogenerate never reads.
DBOS_SQLITE_TABLES = frozenset(
    {
        "application_versions",
        "dbos_migrations",
        "notifications",
        "operation_outputs",
        "queues",
        "streams",
        "workflow_events",
        "workflow_events_history",
        "workflow_input",
        "workflow_output",
        "workflow_schedules",
        "workflow_status",
    }
)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave DBOS's tables out of Alembic's comparisons; DBOS migrates them."""
    if type_ != "table" or name is None:
        return True
    is_dbos = getattr(obj, "schema", None) == "dbos" or name in DBOS_SQLITE_TABLES
    return not is_dbos


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


def schema_differences(
    database_url: str, metadata: sa.MetaData | None = None
) -> list[Any]:
    """Return what Alembic finds different between the database and the models.

    ``metadata`` defaults to ``numrep.models.metadata``; an empty list means the
    migrations build exactly those tables.
    """
    from numrep.models import metadata as models_metadata

    target = models_metadata if metadata is None else metadata
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_object": include_object,
                    "compare_type": True,
                    "render_as_batch": True,
                },
            )
            return list(compare_metadata(context, target))
    finally:
        engine.dispose()
