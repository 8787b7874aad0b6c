"""The ``numrep`` command line: serve, migrate, and account administration."""

from __future__ import annotations

import typer

from numrep.cli import accounts, network, review, server, webhooks, worker
from numrep.inventory.cli import inventory_app
from numrep.reputation.cli import operator_app

app = typer.Typer(
    name="numrep",
    help="Spam reputation and remediation service for outbound calling numbers.",
    no_args_is_help=True,
    add_completion=False,
)
server.register(app)
worker.register(app)
app.add_typer(accounts.accounts_app, name="accounts")
app.add_typer(accounts.keys_app, name="keys")
app.add_typer(network.sandbox_network_app, name="sandbox-network")
app.add_typer(inventory_app, name="inventory")
app.add_typer(operator_app, name="operator")
app.add_typer(webhooks.webhooks_app, name="webhooks")
app.add_typer(review.review_app, name="review")


if __name__ == "__main__":
    app()
