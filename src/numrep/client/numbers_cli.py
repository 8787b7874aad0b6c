"""``numrep numbers``: import a CSV file of numbers and export their reputation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from numrep.client import options
from numrep.client.http import (
    DEFAULT_BASE_URL,
    ApiError,
    NumrepClient,
    TransportError,
)
from numrep.client.importer import ImportAbortedError, ImportOutcome, import_numbers
from numrep.client.options import ApiKey, BaseUrl, Enterprise, Output
from numrep.client.progress import progress_bar

numbers_app = typer.Typer(
    help="Import numbers from CSV files and export their reputation, over HTTP.",
    no_args_is_help=True,
)

REPORT_COLUMNS = ("line", "input", "reason")
NUMBER_COLUMNS = (
    "phone_number",
    "id",
    "source",
    "ownership_status",
    "flag_reason",
    "spam_risk",
    "spam_category",
    "maturity_score",
    "connection_score",
    "engagement_score",
    "sentiment_score",
    "last_refreshed_at",
    "created_at",
)
SNAPSHOT_COLUMNS = (
    "phone_number",
    "taken_at",
    "spam_risk",
    "spam_category",
    "maturity_score",
    "connection_score",
    "engagement_score",
    "sentiment_score",
    "networks",
)
SCORE_FIELDS = NUMBER_COLUMNS[5:12]


@numbers_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="CSV file with one phone number per row.")
    ],
    enterprise: Enterprise,
    api_key: ApiKey,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write rejected and unreadable lines to this CSV file."
        ),
    ] = None,
) -> None:
    """Associate every number of FILE with an enterprise, 100 per request.

    A request rejected for some of its numbers is sent again without them, and
    each rejected number is printed with its line and the server's reason.
    Exits with 1 when any line was rejected or unreadable, 2 when the file or
    the server stopped the import.
    """
    parsed = options.load_numbers(file)
    aborted: ImportAbortedError | None = None
    with (
        options.open_client(base_url, api_key) as client,
        progress_bar("Associating", len(parsed.numbers)) as advance,
    ):
        try:
            outcome = import_numbers(
                client, enterprise, parsed.numbers, advance=advance
            )
        except ImportAbortedError as error:
            aborted, outcome = error, error.outcome
    for rejected in outcome.rejected:
        typer.echo(f"line {rejected.line}: rejected {rejected.raw}: {rejected.reason}")
    _print_summary(outcome, unreadable=len(parsed.bad_lines))
    if report is not None:
        rows: list[dict[str, Any]] = [
            {"line": bad.line, "input": bad.raw, "reason": bad.reason}
            for bad in parsed.bad_lines
        ]
        rows += [
            {"line": item.line, "input": item.raw, "reason": item.reason}
            for item in outcome.rejected
        ]
        rows.sort(key=lambda row: int(row["line"]))
        options.write_csv(report, REPORT_COLUMNS, rows)
    if aborted is not None:
        options.fail(f"import stopped: {aborted.cause}")
    if outcome.rejected or parsed.bad_lines:
        raise typer.Exit(options.EXIT_PARTIAL)


def _print_summary(outcome: ImportOutcome, *, unreadable: int) -> None:
    typer.echo(
        f"associated: {len(outcome.associated)}, "
        f"already associated: {len(outcome.already_associated)}, "
        f"rejected: {len(outcome.rejected)}, unreadable lines: {unreadable}"
    )


@numbers_app.command("export")
def export_command(
    enterprise: Enterprise,
    api_key: ApiKey,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    history: Annotated[
        bool,
        typer.Option(
            "--history", help="Write every stored snapshot of each number instead."
        ),
    ] = False,
    output: Output = None,
) -> None:
    """Write the current reputation of every registered number as CSV.

    With --history, write one row per stored snapshot, newest first per number.
    """
    try:
        with (
            options.open_client(base_url, api_key) as client,
            options.output_stream(output) as handle,
        ):
            columns = SNAPSHOT_COLUMNS if history else NUMBER_COLUMNS
            writer = options.csv_writer(handle, columns)
            for number in _iter_numbers(client, enterprise):
                if not history:
                    writer.writerow(number_row(number))
                    continue
                for snapshot in _iter_history(client, enterprise, number):
                    writer.writerow(snapshot_row(snapshot))
    except (ApiError, TransportError) as error:
        options.fail(f"export stopped: {error}")


def _iter_numbers(client: NumrepClient, enterprise: str) -> Iterator[dict[str, Any]]:
    path = client.numbers_path(enterprise)
    with progress_bar("Exporting", None) as bar:
        for data, meta in client.iter_pages(path):
            bar.set_total(meta["total_results"])
            yield from data
            bar(len(data))


def _iter_history(
    client: NumrepClient, enterprise: str, number: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    path = client.history_path(enterprise, number["phone_number"])
    for data, _ in client.iter_pages(path):
        yield from data


def number_row(number: dict[str, Any]) -> dict[str, Any]:
    data = number.get("reputation_data") or {}
    row = {name: number.get(name) for name in NUMBER_COLUMNS[:5]}
    row.update({name: data.get(name) for name in SCORE_FIELDS})
    row["created_at"] = number.get("created_at")
    return row


def snapshot_row(snapshot: dict[str, Any]) -> dict[str, Any]:
    row = {name: snapshot.get(name) for name in SNAPSHOT_COLUMNS[:-1]}
    row["networks"] = json.dumps(snapshot.get("networks") or [], sort_keys=True)
    return row
