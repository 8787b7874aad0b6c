"""Options and output helpers shared by the ``numbers`` and ``remediation`` CLIs."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TextIO

import typer

from numrep.client.csvnumbers import CsvFileError, ParseResult, read_file
from numrep.client.http import NumrepClient

# Exit codes: 1 when some lines were rejected or nothing could be submitted,
# 2 when the file or the server stopped the command before it finished.
EXIT_PARTIAL = 1
EXIT_ABORTED = 2

BaseUrl = Annotated[
    str,
    typer.Option(
        "--base-url",
        envvar="NUMREP_URL",
        help="Base URL of the numrep API, including the /v2 prefix.",
    ),
]
ApiKey = Annotated[
    str,
    typer.Option(
        "--api-key",
        envvar="NUMREP_KEY",
        help="API key of the account (sent as a bearer token).",
        show_default=False,
    ),
]
Enterprise = Annotated[
    str, typer.Option("--enterprise", help="Enterprise id (UUID).", show_default=False)
]
Output = Annotated[
    Path | None,
    typer.Option("--output", help="File to write; standard output when omitted."),
]


def open_client(base_url: str, api_key: str) -> NumrepClient:
    return NumrepClient(base_url, api_key)


def load_numbers(path: Path) -> ParseResult:
    """Parse ``path`` and print its unreadable lines and duplicates."""
    try:
        parsed = read_file(path)
    except CsvFileError as error:
        fail(str(error))
    for bad in parsed.bad_lines:
        typer.echo(f"line {bad.line}: unreadable: {bad.reason}")
    for duplicate in parsed.duplicates:
        lines = ", ".join(str(line) for line in duplicate.repeat_lines)
        typer.echo(
            f"line {lines}: {duplicate.e164} repeats line {duplicate.first_line}; "
            "it is sent once"
        )
    if not parsed.numbers and not parsed.bad_lines:
        fail(f"{path} contains no phone numbers")
    return parsed


def fail(message: str, code: int = EXIT_ABORTED) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def write_csv(
    path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        _write_rows(handle, columns, rows)


@contextmanager
def output_stream(path: Path | None) -> Iterator[TextIO]:
    """Yield the output file, or stdout when no path is given.

    Nothing is written when the block raises: stdout output is buffered, and a
    file is written under a ``.partial`` name and renamed only at the end.
    """
    if path is None:
        buffer = io.StringIO()
        yield buffer
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle:
            yield handle
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def csv_writer(handle: TextIO, columns: Sequence[str]) -> csv.DictWriter[str]:
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    return writer


def _write_rows(
    handle: TextIO, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> None:
    writer = csv_writer(handle, columns)
    for row in rows:
        writer.writerow(row)
