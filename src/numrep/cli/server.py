"""``numrep serve`` and ``numrep migrate``."""

from __future__ import annotations

import logging
import os
from typing import Any

import typer
import uvicorn
from fastapi import FastAPI

from numrep.account import service as accounts
from numrep.account.models import KeyRole
from numrep.cli import context
from numrep.core import migrate as migrations
from numrep.core.logging import configure_logging
from numrep.metrics.multiprocess import use_metrics_dir
from numrep.settings import get_settings

# The app factory that each process of 'numrep serve --workers N' imports.
APP_FACTORY = "numrep.cli.server:create_worker_app"


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("migrate")(migrate)


def migrate() -> None:
    """Create or upgrade the database schema (numrep's tables and DBOS's)."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrations.upgrade(settings.resolved_database_url)
    typer.echo("Database is at the newest schema.")


def serve(
    host: str = typer.Option(None, help="Address to listen on [NUMREP_HOST]."),
    port: int = typer.Option(None, help="TCP port to listen on [NUMREP_PORT]."),
    worker: bool = typer.Option(
        True, "--worker/--no-worker", help="Run the queue worker in this process."
    ),
    migrate_first: bool = typer.Option(
        True, "--migrate/--no-migrate", help="Apply migrations before starting."
    ),
    workers: int = typer.Option(
        1,
        min=1,
        help="HTTP worker processes. More than one requires --no-worker, so the "
        "queue worker runs in a separate 'numrep worker' process.",
    ),
) -> None:
    """Start the HTTP API (and, by default, the in-process worker)."""
    settings = get_settings()
    if workers > 1 and worker:
        typer.echo(
            f"numrep serve failed: --workers {workers} starts {workers} API "
            "processes, and the queue worker may run in one process only. Add "
            "--no-worker and run the queue worker with 'numrep worker'.",
            err=True,
        )
        raise typer.Exit(code=2)
    settings.run_worker = worker
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    # Set before create_app imports prometheus_client, and inherited by workers.
    use_metrics_dir(settings.resolved_metrics_dir, remove_stale=True)
    if migrate_first:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(settings.resolved_database_url)
    _create_first_account()
    # The account helper lowers logging to WARNING, as for other CLI commands.
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_config": None,
        # RequestContextMiddleware logs each request with its request id instead.
        "access_log": False,
        "timeout_graceful_shutdown": 10,
        # uvicorn kills a worker process that has not responded to its health
        # check within this many seconds. A worker responds only once it has
        # imported numrep, which on a busy host takes longer than the default 5.
        "timeout_worker_healthcheck": 60,
    }
    if workers > 1:
        # Each worker process builds its app from the environment.
        os.environ["NUMREP_RUN_WORKER"] = "false"
        uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)
        return
    from numrep.app import create_app

    uvicorn.run(create_app(settings), **options)


def create_worker_app() -> FastAPI:
    """Build the app of one of several API processes from the environment."""
    from numrep.app import create_app

    app = create_app()
    # uvicorn applied access_log=False before create_app configured logging,
    # which routes uvicorn.access to the root handler again.
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    return app


def _create_first_account() -> None:
    """On an empty database, create a local account and print its key once."""
    current = context.services()
    try:
        with current.db.unit_of_work() as session:
            if accounts.count_accounts(session) > 0:
                return
            account = accounts.create_account(session, name="local")
            issued = accounts.issue_key(
                session,
                current.secret_key,
                account_id=account.id,
                name="first key",
                role=KeyRole.OPERATOR,
            )
    finally:
        current.db.dispose()
    typer.echo(
        "\nCreated the account 'local' and its first API key (operator role).\n"
        "It is shown only this once; store it now:\n\n"
        f"    {issued.secret}\n\n"
        "Create more with 'numrep keys create'.\n"
    )
