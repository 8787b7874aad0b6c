"""``numrep webhooks``: the signing key, delivery attempts and redelivery."""

from __future__ import annotations

import uuid

import typer

from numrep.cli import context
from numrep.core.clock import isoformat
from numrep.core.errors import NumrepError
from numrep.settings import get_settings
from numrep.webhook import service
from numrep.webhook.models import AttemptOutcome
from numrep.webhook.signing import public_key_base64, signing_key

webhooks_app = typer.Typer(
    help="Inspect and resend webhook deliveries.", no_args_is_help=True
)


@webhooks_app.command("public-key")
def public_key() -> None:
    """Print the base64 Ed25519 public key that verifies webhooks."""
    typer.echo(public_key_base64(signing_key(get_settings())))


@webhooks_app.command("deliveries")
def deliveries(
    event_id: uuid.UUID | None = typer.Option(
        None, "--event", help="Show only the attempts of this event id."
    ),
    status: AttemptOutcome | None = typer.Option(
        None, "--status", help="Show only attempts with this outcome."
    ),
    limit: int = typer.Option(100, min=1, help="Maximum number of attempts shown."),
) -> None:
    """List delivery attempts, newest first."""
    with context.unit_of_work() as session:
        rows = service.list_deliveries(
            session, event_id=event_id, outcome=status, limit=limit
        )
        for row in rows:
            status_code = row.status_code if row.status_code is not None else "-"
            latency = f"{row.latency_ms:.1f}ms" if row.latency_ms is not None else "-"
            typer.echo(
                f"{row.event_id}  attempt={row.attempt}  {isoformat(row.started_at)}  "
                f"{row.outcome}  status={status_code}  latency={latency}  "
                f"{row.error or ''}".rstrip()
            )
    if not rows:
        typer.echo("No delivery attempts match.", err=True)


@webhooks_app.command("redeliver")
def redeliver(
    event_id: uuid.UUID = typer.Argument(..., help="Id of the event to send again."),
) -> None:
    """Send a delivered or failed event again, with the same data.id."""
    try:
        with context.unit_of_work() as session:
            attempt = service.redeliver(session, event_id=event_id)
    except NumrepError as error:
        typer.echo(f"error: {error.items[0].detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Queued attempt {attempt} of event {event_id}.")
