"""Database engine, declarative base and the unit of work.

Services take a ``Session``, flush and never commit. The edges (an endpoint, a
CLI command, a worker step) open one unit of work, call the service and commit.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
import structlog
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from numrep.core.clock import utcnow

log = structlog.get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both SQLite and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use numrep.core.clock.utcnow()")
        return value.astimezone(utcnow().tzinfo)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=utcnow().tzinfo)
        return stored.astimezone(utcnow().tzinfo)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        uuid.UUID: sa.Uuid(),
    }


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def new_ids(count: int) -> list[uuid.UUID]:
    """Return ``count`` random version-4 UUIDs from one ``os.urandom`` call.

    ``uuid.uuid4()`` reads the OS random source once per id, which cost more
    than the executemany itself when 2,000 numbers were screened (cProfile, 2 cores).
    """
    random_bytes = os.urandom(16 * count)
    return [
        uuid.UUID(bytes=random_bytes[start : start + 16], version=4)
        for start in range(0, 16 * count, 16)
    ]


def create_db_engine(
    url: str, *, busy_timeout: float = 30.0, pool_size: int = 10, max_overflow: int = 10
) -> Engine:
    """Create the engine with the settings each backend needs under load.

    SQLite gets WAL, foreign keys and a long busy timeout because one writer runs
    at a time and a 5 s timeout turned bursts of submits into "database is locked"
    errors. Transactions that write begin with ``BEGIN IMMEDIATE`` (see
    ``unit_of_work``) so a read-then-write never fails on lock upgrade.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=max_overflow,
        )
        _configure_sqlite(engine, busy_timeout)
        return engine
    return sa.create_engine(
        url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True
    )


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver, so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engine and session factories of one process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._reader_bind = engine
        self._writer_bind = writer
        self._write_lock = _sqlite_write_lock(engine) if self.is_sqlite else None

    def session(self, *, write: bool = True) -> Session:
        bind = self._writer_bind if write else self._reader_bind
        return Session(bind=bind, expire_on_commit=False, autoflush=True)

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """Open a session, commit on success, roll back on error.

        Callables registered with ``after_commit(session, fn)`` run once the commit
        has succeeded, so a job never starts on rows that were rolled back.
        """
        session = self.session(write=write)
        lock = self._write_lock if write else None
        try:
            with _holding(lock), session.begin():
                yield session
            for callback in session.info.pop("after_commit", []):
                callback()
        finally:
            session.info.pop("after_commit", None)
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


# One lock per SQLite file, shared by every Database of the process.
_SQLITE_WRITE_LOCKS: dict[str, threading.RLock] = {}
_SQLITE_WRITE_LOCKS_GUARD = threading.Lock()
# Past this wait the unit of work goes ahead without the lock and SQLite's busy
# timeout decides, so a thread that waits on another writer is delayed, not stuck.
SQLITE_WRITE_LOCK_SECONDS = 30.0


def _sqlite_write_lock(engine: Engine) -> threading.RLock:
    """Return the process-wide writer lock of ``engine``'s SQLite file.

    SQLite lets one writer in at a time and makes the others poll with sleeps
    of up to 100 ms, so many threads writing at once spend most of their time
    asleep while the file is free. Queueing writers on a lock in the process
    hands the file over at once; the busy timeout still covers other processes.

    NOTE: the lock is taken when a write unit of work opens, not at its first
    statement. A write unit of work that waits on another thread's write (a
    network call made inside it, say) stalls for ``SQLITE_WRITE_LOCK_SECONDS``.
    """
    key = engine.url.render_as_string(hide_password=True)
    with _SQLITE_WRITE_LOCKS_GUARD:
        return _SQLITE_WRITE_LOCKS.setdefault(key, threading.RLock())


@contextmanager
def _holding(lock: threading.RLock | None) -> Iterator[None]:
    if lock is None:
        yield
        return
    acquired = lock.acquire(timeout=SQLITE_WRITE_LOCK_SECONDS)
    if not acquired:
        log.warning("db.sqlite_write_lock_timeout", seconds=SQLITE_WRITE_LOCK_SECONDS)
    try:
        yield
    finally:
        if acquired:
            lock.release()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    session.info.setdefault("after_commit", []).append(callback)


def in_values(
    session: Session, column: sa.ColumnElement[Any] | Any, values: Sequence[Any]
) -> sa.ColumnElement[bool]:
    """``column IN values`` with the values sent as one parameter.

    With thousands of values an expanded ``IN`` list costs a bind parameter each
    to send, parse and plan; PostgreSQL takes one array (``= ANY``) and SQLite one
    JSON array read with ``json_each``.
    """
    target: sa.ColumnElement[Any] = column
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        array = sa.bindparam(
            None, list(values), type_=postgresql.ARRAY(target.type), expanding=False
        )
        return target == sa.any_(array)
    if dialect == "sqlite":
        # One JSON text parameter instead of thousands of bound values.
        members: sa.Select[Any] = sa.select(sa.column("value")).select_from(
            sa.func.json_each(sa.bindparam(None, json.dumps(list(values))))
        )
        return target.in_(members.scalar_subquery())
    return target.in_(values)


def uuid_param(session: Session, value: uuid.UUID) -> Any:
    """Convert a UUID to the driver's form for plain SQL (hex text on SQLite)."""
    return value.hex if session.get_bind().dialect.name == "sqlite" else value
