"""``numrep review``: the tier-2 review queue from the command line."""

from __future__ import annotations

import uuid

import typer

from numrep.cli import context
from numrep.console import actions
from numrep.core.clock import isoformat
from numrep.core.errors import NumrepError
from numrep.core.pagination import PageParams
from numrep.remediation.models import CaseState
from numrep.review import service
from numrep.review.service import Decision

review_app = typer.Typer(help="Work the tier-2 review queue.", no_args_is_help=True)


@review_app.command("list")
def list_cases(
    state: CaseState = typer.Option(CaseState.OPEN, help="Case state to show."),
    network: str | None = typer.Option(None, help="Only this network."),
    enterprise: uuid.UUID | None = typer.Option(None, help="Only this enterprise."),
    limit: int = typer.Option(50, min=1, max=250, help="Cases to show."),
) -> None:
    """List operator cases, oldest deadline first."""
    with context.unit_of_work() as session:
        page = service.list_cases(
            session,
            page=PageParams(number=1, size=limit),
            state=state,
            network=network,
            enterprise_id=enterprise,
        )
        for case in page.items:
            typer.echo(
                f"{case.id}  {case.network:<12} {case.phone_number}  "
                f"{case.state:<22} deadline {isoformat(case.deadline_at)}  "
                f"request {case.request_id}"
            )
        typer.echo(f"{len(page.items)} of {page.total} cases")


@review_app.command("decide")
def decide(
    case_id: uuid.UUID = typer.Argument(..., help="Review case id."),
    decision: Decision = typer.Option(
        ..., help="The network's decision: cleared, upheld or needs_more_information."
    ),
    note: str | None = typer.Option(None, help="Free text kept with the decision."),
    operator: str = typer.Option("cli", help="Who decided, for the record."),
) -> None:
    """Record the network's decision on one case."""
    try:
        with context.unit_of_work() as session:
            cases = actions.decide_cases(
                session,
                case_ids=[case_id],
                decision=decision,
                note=note,
                actor=operator,
            )
    except NumrepError as error:
        typer.echo(f"error: {error.items[0].detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{cases[0].id} decided: {cases[0].state}")
