"""``numrep inventory``: import and list the numbers an account owns."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer

from numrep.cli import context
from numrep.core.errors import NotFoundError
from numrep.inventory import importer

inventory_app = typer.Typer(
    help="Manage the numbers each account owns.", no_args_is_help=True
)


@inventory_app.command("import")
def import_numbers(
    file: Path = typer.Argument(
        ..., help="CSV file with a header row that has a 'phone_number' column."
    ),
    account_id: uuid.UUID = typer.Option(..., "--account", help="Account id."),
    apply: bool = typer.Option(
        False, "--apply", help="Write the numbers; without it, only report."
    ),
) -> None:
    """Import numbers from a CSV file into an account's inventory.

    Prints each rejected line with its line number and reason. Without --apply
    nothing is written; with it, the valid lines are written even when others
    are rejected. Exits with 1 when any line was rejected.
    """
    try:
        with context.unit_of_work() as session:
            plan = importer.plan_import(session, account_id=account_id, path=file)
            written = (
                importer.apply_import(session, account_id=account_id, plan=plan)
                if apply
                else 0
            )
    except importer.ImportFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    except NotFoundError as error:
        typer.echo(f"error: {error.items[0].detail}", err=True)
        raise typer.Exit(2) from error

    for rejected in plan.rejected:
        typer.echo(
            f"line {rejected.line}: rejected {rejected.value!r}: {rejected.reason}"
        )
    typer.echo(
        f"{len(plan.accepted)} valid, {len(plan.rejected)} rejected, "
        f"{len(plan.already_present)} already in the inventory, "
        f"{len(plan.to_add)} new."
    )
    if apply:
        typer.echo(f"Added {written} numbers to account {account_id}.")
    else:
        typer.echo("Dry run: nothing was written; run again with --apply to add them.")
    if plan.rejected:
        raise typer.Exit(1)
