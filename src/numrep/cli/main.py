"""The ``numrep`` command line: serve, migrate, and account administration."""

from __future__ import annotations

import typer

from numrep.cli import accounts, server

app = typer.Typer(
    name="numrep",
    help="Spam reputation and remediation service for outbound calling numbers.",
    no_args_is_help=True,
    add_completion=False,
)
server.register(app)
app.add_typer(accounts.accounts_app, name="accounts")
app.add_typer(accounts.keys_app, name="keys")


if __name__ == "__main__":
    app()
