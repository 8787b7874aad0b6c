"""``numrep serve`` and ``numrep migrate``."""

from __future__ import annotations

import typer
import uvicorn

from numrep.account import service as accounts
from numrep.account.models import KeyRole
from numrep.cli import context
from numrep.core import migrate as migrations
from numrep.settings import get_settings


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
) -> None:
    """Start the HTTP API (and, by default, the in-process worker)."""
    settings = get_settings()
    settings.run_worker = worker
    if migrate_first:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(settings.resolved_database_url)
    _create_first_account()
    from numrep.app import create_app

    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        # RequestContextMiddleware logs each request with its request id instead.
        access_log=False,
        timeout_graceful_shutdown=10,
    )


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
