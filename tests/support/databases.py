"""Fresh databases for tests, built once from the migrations and then copied.

SQLite tests copy a migrated template file; PostgreSQL tests clone a migrated
template database with ``CREATE DATABASE ... TEMPLATE``. PostgreSQL runs when
``NUMREP_TEST_POSTGRES_URL`` names a server database the tests may use to create
and drop others; ``.ci/run`` always sets it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa

from numrep.core import migrate

POSTGRES_ENV = "NUMREP_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _worker_suffix() -> str:
    # The process id keeps two test runs on one server from sharing a template.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


class SqliteTemplate:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        migrate.upgrade(f"sqlite:///{self.path}")
        # Fold the WAL into the main file so a plain copy is complete.
        engine = sa.create_engine(f"sqlite:///{self.path}")
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def fresh(self, folder: Path) -> str:
        target = folder / f"numrep-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"


class PostgresTemplate:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = sa.make_url(admin_url)
        # The process id keeps concurrent test sessions on one server apart.
        self.template = f"numrep_template_{_worker_suffix()}_{os.getpid()}"
        self.admin = sa.create_engine(
            self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        self._drop(self.template)
        self._execute(f'CREATE DATABASE "{self.template}"')
        migrate.upgrade(self.url_for(self.template))
        self.created: list[str] = []

    def url_for(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def fresh(self) -> str:
        name = f"numrep_t_{_worker_suffix()}_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self.url_for(name)

    def drop(self, url: str) -> None:
        name = sa.make_url(url).database
        if name:
            self._drop(name)

    def close(self) -> None:
        for name in self.created:
            self._drop(name)
        self._drop(self.template)
        self.admin.dispose()

    def _drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)
