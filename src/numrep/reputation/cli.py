"""``numrep operator``: LOA decisions from the command line."""

from __future__ import annotations

import uuid

import typer

from numrep.cli import context
from numrep.core.errors import NumrepError
from numrep.reputation import vetting

operator_app = typer.Typer(
    help="Operator decisions on enterprises.", no_args_is_help=True
)


@operator_app.command("approve-loa")
def approve_loa(
    enterprise_id: uuid.UUID = typer.Argument(..., help="Enterprise id."),
) -> None:
    """Approve the enterprise's pending Letter of Authorization."""
    _decide(enterprise_id, approve=True, reason=None)


@operator_app.command("reject-loa")
def reject_loa(
    enterprise_id: uuid.UUID = typer.Argument(..., help="Enterprise id."),
    reason: str = typer.Option(
        ..., "--reason", help="Why the LOA is rejected; kept with the decision."
    ),
) -> None:
    """Reject the enterprise's pending Letter of Authorization."""
    _decide(enterprise_id, approve=False, reason=reason)


def _decide(enterprise_id: uuid.UUID, *, approve: bool, reason: str | None) -> None:
    try:
        with context.unit_of_work() as session:
            settings = vetting.decide_loa(
                session, enterprise_id=enterprise_id, approve=approve, reason=reason
            )
    except NumrepError as error:
        typer.echo(f"error: {error.items[0].detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"enterprise {enterprise_id}: loa_status {settings.loa_status}")
