"""Alembic environment: numrep's tables only, DBOS keeps its own schema."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from numrep.models import metadata

config = context.config


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # DBOS creates its tables itself (schema "dbos", or the same SQLite file).
    if type_ != "table" or name is None:
        return True
    is_dbos = getattr(obj, "schema", None) == "dbos" or name in DBOS_SQLITE_TABLES
    return not is_dbos


DBOS_SQLITE_TABLES = frozenset(
    {
        "workflow_status", "operation_outputs", "notifications", "workflow_events",
        "workflow_events_history", "streams", "event_dispatch_kv", "queues",
        "workflow_schedules", "application_versions", "dbos_migrations",
        "workflow_inputs", "workflow_queue", "scheduler_state",
    }
)  # fmt: skip


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
        context.run_migrations()


run_migrations()
