"""``numrep verification``: review external verifications from the command line."""

from __future__ import annotations

import uuid

import typer

from numrep.cli import context
from numrep.console import actions
from numrep.core.clock import isoformat
from numrep.core.errors import NumrepError
from numrep.core.pagination import PageParams
from numrep.verification import review
from numrep.verification.models import ExternalVerification

verification_app = typer.Typer(
    help="Review enterprises' proof of ownership for external numbers.",
    no_args_is_help=True,
)


@verification_app.command("list")
def list_pending(
    limit: int = typer.Option(50, min=1, max=250, help="Verifications to show."),
) -> None:
    """List pending verifications, oldest submission first."""
    with context.unit_of_work() as session:
        page = review.list_pending(session, page=PageParams(number=1, size=limit))
        for verification in page.items:
            typer.echo(
                f"{verification.enterprise_id}  submitted "
                f"{isoformat(verification.submitted_at)}  documents "
                f"{','.join(verification.document_ids)}  numbers "
                f"{len(verification.phone_numbers)}"
            )
        typer.echo(f"{len(page.items)} of {page.total} pending verifications")


@verification_app.command("approve")
def approve(
    enterprise_id: uuid.UUID = typer.Argument(..., help="Enterprise id."),
    operator: str = typer.Option("cli", help="Who decided, for the audit log."),
) -> None:
    """Approve the enterprise's pending verification."""
    verification = _decide(enterprise_id, approve=True, reason=None, actor=operator)
    typer.echo(f"{verification.enterprise_id} external verification approved")


@verification_app.command("reject")
def reject(
    enterprise_id: uuid.UUID = typer.Argument(..., help="Enterprise id."),
    reason: str = typer.Option(
        ..., help="Why the proof was rejected; the customer sees it."
    ),
    operator: str = typer.Option("cli", help="Who decided, for the audit log."),
) -> None:
    """Reject the enterprise's pending verification with a reason."""
    verification = _decide(
        enterprise_id, approve=False, reason=reason.strip(), actor=operator
    )
    typer.echo(f"{verification.enterprise_id} external verification rejected")


def _decide(
    enterprise_id: uuid.UUID, *, approve: bool, reason: str | None, actor: str
) -> ExternalVerification:
    try:
        with context.unit_of_work() as session:
            return actions.decide_verification(
                session,
                enterprise_id=enterprise_id,
                approve=approve,
                reason=reason,
                actor=actor,
                reviewer_key_id=None,
            )
    except NumrepError as error:
        typer.echo(f"error: {error.items[0].detail}", err=True)
        raise typer.Exit(1) from error
