"""``numrep remediation``: submit a CSV file of numbers and export a request."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from numrep.client import options
from numrep.client.csvnumbers import ParseResult
from numrep.client.http import DEFAULT_BASE_URL, ApiError, TransportError
from numrep.client.options import ApiKey, BaseUrl, Enterprise, Output
from numrep.client.progress import progress_bar
from numrep.client.remediation import (
    EXPORT_COLUMNS,
    SkippedNumber,
    SubmitAbortedError,
    SubmitOptions,
    SubmitOutcome,
    dump_json,
    export_rows,
    find_request_enterprise,
    iter_request_numbers,
    submit_numbers,
)

remediation_app = typer.Typer(
    help="Submit numbers from CSV files for remediation and export results, over HTTP.",
    no_args_is_help=True,
)

SKIPPED_COLUMNS = (
    "line",
    "input",
    "phone_number",
    "reason",
    "eligible_from",
    "remediation_id",
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@remediation_app.command("submit")
def submit_command(
    file: Annotated[
        Path, typer.Argument(help="CSV file with one phone number per row.")
    ],
    enterprise: Enterprise,
    purpose: Annotated[
        str,
        typer.Option(
            "--purpose", help="Call purpose sent with every request (1-2000 chars)."
        ),
    ],
    api_key: ApiKey,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    contact_email: Annotated[
        str | None, typer.Option("--contact-email", help="Contact email address.")
    ] = None,
    webhook_url: Annotated[
        str | None,
        typer.Option("--webhook-url", help="HTTPS URL for status notifications."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write skipped and unreadable lines to this CSV file."
        ),
    ] = None,
) -> None:
    """Submit every number of FILE for remediation, 2,000 per request.

    Numbers in cooldown, in another in-flight request or not registered are
    skipped, printed with the reason and the time they become eligible, and
    written to --report. Prints the id of each request created. Exits with 1
    when nothing could be submitted, 2 when the file or the server stopped it.
    """
    parsed = options.load_numbers(file)
    settings = SubmitOptions(purpose, contact_email, webhook_url)
    aborted: SubmitAbortedError | None = None
    with (
        options.open_client(base_url, api_key) as client,
        progress_bar("Submitting", len(parsed.numbers)) as bar,
    ):
        try:
            outcome = submit_numbers(
                client, enterprise, parsed.numbers, settings, advance=bar
            )
        except SubmitAbortedError as error:
            aborted, outcome = error, error.outcome
    for skipped in outcome.skipped:
        typer.echo(f"line {skipped.line}: skipped {skipped.e164}: {_why(skipped)}")
    for request_id in outcome.request_ids:
        typer.echo(f"created remediation request {request_id}")
    typer.echo(
        f"submitted: {len(outcome.submitted)}, skipped: {len(outcome.skipped)}, "
        f"unreadable lines: {len(parsed.bad_lines)}, "
        f"requests: {len(outcome.request_ids)}"
    )
    if report is not None:
        options.write_csv(report, SKIPPED_COLUMNS, _report_rows(parsed, outcome))
    if aborted is not None:
        options.fail(f"submit stopped: {aborted.cause}")
    if not outcome.submitted:
        options.fail("no number could be submitted", options.EXIT_PARTIAL)


def _why(skipped: SkippedNumber) -> str:
    text = skipped.reason
    if skipped.remediation_id:
        text += f" (request {skipped.remediation_id})"
    if skipped.eligible_from:
        text += f", eligible from {skipped.eligible_from}"
    return text


def _report_rows(parsed: ParseResult, outcome: SubmitOutcome) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"line": bad.line, "input": bad.raw, "reason": bad.reason}
        for bad in parsed.bad_lines
    ]
    rows += [
        {
            "line": item.line,
            "input": item.raw,
            "phone_number": item.e164,
            "reason": item.reason,
            "eligible_from": item.eligible_from or "",
            "remediation_id": item.remediation_id or "",
        }
        for item in outcome.skipped
    ]
    rows.sort(key=lambda row: int(row["line"]))
    return rows


@remediation_app.command("export")
def export_command(
    remediation_id: Annotated[str, typer.Argument(help="Remediation request id.")],
    api_key: ApiKey,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    output_format: Annotated[
        ExportFormat, typer.Option("--format", help="Output format.")
    ] = ExportFormat.CSV,
    output: Output = None,
    enterprise: Annotated[
        str | None,
        typer.Option(
            "--enterprise",
            help="Enterprise id of the request; looked up among the account's "
            "enterprises when omitted.",
        ),
    ] = None,
) -> None:
    """Write every number of a request with its outcome and per-network detail.

    CSV has one row per network review of a number, or one row with empty
    network columns when no network flagged it. JSON is the list of the
    server's per-number objects.
    """
    try:
        with options.open_client(base_url, api_key) as client:
            owner = enterprise or find_request_enterprise(client, remediation_id)
            if owner is None:
                options.fail(
                    f"remediation request {remediation_id} was not found in any "
                    "enterprise of this account"
                )
            with progress_bar("Exporting", None) as bar:
                numbers = list(
                    iter_request_numbers(client, owner, remediation_id, bar=bar)
                )
    except (ApiError, TransportError) as error:
        options.fail(f"export stopped: {error}")
    with options.output_stream(output) as handle:
        if output_format is ExportFormat.JSON:
            handle.write(dump_json(numbers))
            return
        writer = options.csv_writer(handle, EXPORT_COLUMNS)
        for number in numbers:
            writer.writerows(export_rows(number))
