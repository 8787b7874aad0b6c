"""Alembic environment: numrep's tables only, DBOS keeps its own schema."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from numrep.core.migrate import include_object
from numrep.models import metadata

config = context.config


def run_migrations() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        _run(connection)


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        _create_extensions(connection)
        context.run_migrations()


def _create_extensions(connection: Any) -> None:
    """Enable pg_trgm, whose GIN index serves the phone-number substring filter.

    Creating an extension needs the CREATE privilege on the database; an operator
    without it runs ``CREATE EXTENSION pg_trgm`` once as a superuser instead.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")


run_migrations()
