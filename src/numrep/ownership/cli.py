"""``numrep ownership`` and ``numrep sandbox-carrier``: checks and simulated events.

Both open the database of the current settings, like the server does.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import typer

from numrep.cli import context
from numrep.core.clock import isoformat
from numrep.core.errors import NumrepError
from numrep.ownership import carrier_sandbox
from numrep.ownership.config import SandboxCarrierConfig
from numrep.ownership.decide import Policy
from numrep.ownership.models import CarrierEventKind
from numrep.ownership.sweep import run_sweep
from numrep.settings import get_settings

ownership_app = typer.Typer(
    help="Ownership tracking of registered numbers.", no_args_is_help=True
)
sandbox_carrier_app = typer.Typer(
    help="Simulated ports and disconnects for the sandbox carrier lookup.",
    no_args_is_help=True,
)


@ownership_app.command("check")
def check(
    enterprise_id: uuid.UUID | None = typer.Option(
        None, "--enterprise", help="Check only this enterprise's numbers."
    ),
) -> None:
    """Run the ownership check sweep now, as the schedule does."""
    services = context.services()
    try:
        settings = services.settings
        result = run_sweep(
            services.db,
            settings.carrier_lookup,
            Policy.from_settings(settings),
            enterprise_id=enterprise_id,
        )
    finally:
        services.db.dispose()
    typer.echo(f"checked: {result.checked}")
    for outcome, count in sorted((result.outcomes or {}).items()):
        typer.echo(f"{outcome}: {count}")


@sandbox_carrier_app.command("port")
def port(
    phone_number: str = typer.Argument(..., help="E.164 number, such as +15125550100."),
    to: str = typer.Option(..., "--to", help="SPID of the new carrier, such as S002."),
    at: datetime | None = typer.Option(
        None, "--at", help="When the port takes effect (UTC); default: now."
    ),
) -> None:
    """Move a number to another carrier."""
    _record(phone_number, CarrierEventKind.PORT, to, at)


@sandbox_carrier_app.command("disconnect")
def disconnect(
    phone_number: str = typer.Argument(..., help="E.164 number, such as +15125550100."),
    at: datetime | None = typer.Option(
        None, "--at", help="When the disconnect takes effect (UTC); default: now."
    ),
) -> None:
    """Mark a number as permanently disconnected."""
    _record(phone_number, CarrierEventKind.DISCONNECT, None, at)


@sandbox_carrier_app.command("list")
def list_events(
    phone_number: str | None = typer.Option(
        None, "--number", help="Show only this number's events."
    ),
    limit: int = typer.Option(100, min=1, help="Maximum events shown, newest first."),
) -> None:
    """List simulated carrier events, newest first."""
    with context.unit_of_work() as session:
        events = carrier_sandbox.list_events(
            session, phone_number=phone_number, limit=limit
        )
        lines = [
            f"{isoformat(event.effective_at)}  {event.phone_number}  {event.kind}"
            f"  {event.spid or '-'}"
            for event in events
        ]
    for line in lines:
        typer.echo(line)


def _record(
    phone_number: str, kind: CarrierEventKind, spid: str | None, at: datetime | None
) -> None:
    if not isinstance(get_settings().carrier_lookup, SandboxCarrierConfig):
        typer.echo(
            "error: NUMREP_CARRIER_LOOKUP is not the sandbox, so simulated events "
            "would have no effect.",
            err=True,
        )
        raise typer.Exit(1)
    # Typer parses --at without a zone; the help promises UTC.
    effective_at = at.replace(tzinfo=UTC) if at and at.tzinfo is None else at
    try:
        with context.unit_of_work() as session:
            event = carrier_sandbox.record_event(
                session,
                phone_number=phone_number,
                kind=kind,
                spid=spid,
                effective_at=effective_at,
            )
            summary = (
                f"{event.kind} {event.phone_number} at {isoformat(event.effective_at)}"
            )
    except NumrepError as error:
        typer.echo(f"error: {error.items[0].detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(summary)
