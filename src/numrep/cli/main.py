"""The ``numrep`` command line: serve, migrate, and account administration."""

from __future__ import annotations

import typer

from numrep.cli import accounts, network, review, server, webhooks, worker
from numrep.client.numbers_cli import numbers_app
from numrep.client.remediation_cli import remediation_app
from numrep.demo import cli as demo_cli
from numrep.inventory.cli import inventory_app
from numrep.ownership.cli import ownership_app, sandbox_carrier_app
from numrep.reputation.cli import operator_app
from numrep.verification.cli import verification_app

app = typer.Typer(
    name="numrep",
    help="Spam reputation and remediation service for outbound calling numbers.",
    no_args_is_help=True,
    add_completion=False,
)
server.register(app)
worker.register(app)
demo_cli.register(app)
app.add_typer(accounts.accounts_app, name="accounts")
app.add_typer(accounts.keys_app, name="keys")
app.add_typer(network.sandbox_network_app, name="sandbox-network")
app.add_typer(inventory_app, name="inventory")
app.add_typer(operator_app, name="operator")
app.add_typer(webhooks.webhooks_app, name="webhooks")
app.add_typer(review.review_app, name="review")
app.add_typer(ownership_app, name="ownership")
app.add_typer(sandbox_carrier_app, name="sandbox-carrier")
app.add_typer(numbers_app, name="numbers")
app.add_typer(remediation_app, name="remediation")
app.add_typer(verification_app, name="verification")


if __name__ == "__main__":
    app()
