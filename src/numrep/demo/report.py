"""The demo's final report: results per number, webhooks, and failed checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from numrep.demo.plan import BUCKETS, DemoPlan
from numrep.demo.receiver import Delivery

if TYPE_CHECKING:
    from numrep.demo.run import RequestRun

COMPLETED_EVENT = "number_reputation.remediation.completed"


def bucket_of(request: dict[str, Any] | None, number: str) -> str:
    """Return the result bucket that lists ``number``, or an empty string."""
    results = (request or {}).get("results") or {}
    for bucket in BUCKETS:
        if number in (results.get(bucket) or []):
            return bucket
    return ""


def find_problems(
    plan: DemoPlan, runs: Sequence[RequestRun], deliveries: Sequence[Delivery]
) -> list[str]:
    """Return one sentence per failed check; an empty list means success."""
    problems: list[str] = []
    for run in runs:
        status = "not submitted" if run.request is None else run.request["status"]
        if status != "completed":
            problems.append(f"Request {run.label} ended as {status}, not completed.")
    reached = {
        bucket_of(run.request, number) for run in runs for number in _numbers(run)
    }
    for bucket in BUCKETS:
        if bucket not in reached:
            problems.append(f"No number reached the bucket {bucket}.")
    problems.extend(_mismatches(plan, runs))
    problems.extend(_webhook_problems(runs, deliveries))
    return problems


def _numbers(run: RequestRun) -> list[str]:
    return [str(number) for number in run.body["phone_numbers"]]


def _mismatches(plan: DemoPlan, runs: Sequence[RequestRun]) -> list[str]:
    problems = []
    for run in runs:
        for number in _numbers(run):
            expected = plan.expected_bucket(number, second_batch=run.second_batch)
            actual = bucket_of(run.request, number) or "no bucket"
            if actual != expected:
                problems.append(
                    f"Request {run.label}: {number} reached {actual}, but the "
                    f"scenario leads it to {expected}."
                )
    return problems


def _webhook_problems(
    runs: Sequence[RequestRun], deliveries: Sequence[Delivery]
) -> list[str]:
    problems = [
        f"Webhook {item.event_type} (attempt {item.attempt}) failed verification: "
        f"{item.problem}."
        for item in deliveries
        if not item.verified
    ]
    for run in runs:
        if not any(
            item.request_id == run.request_id
            and item.event_type == COMPLETED_EVENT
            and item.verified
            for item in deliveries
        ):
            problems.append(
                f"No verified {COMPLETED_EVENT} webhook arrived for request "
                f"{run.label} ({run.request_id or 'not submitted'})."
            )
    return problems


def print_report(
    console: Console,
    plan: DemoPlan,
    runs: Sequence[RequestRun],
    deliveries: Sequence[Delivery],
    problems: Sequence[str],
) -> None:
    for run in runs:
        console.print(_results_table(plan, run))
    console.print(_webhooks_table(runs, deliveries))
    _print_summary(console, runs, deliveries, problems)


def _results_table(plan: DemoPlan, run: RequestRun) -> Table:
    request = run.request or {}
    table = Table(
        title=f"Request {run.label}: {request.get('id', '-')} "
        f"({request.get('status', 'not submitted')})",
        title_justify="left",
    )
    table.add_column("number")
    table.add_column("bucket")
    table.add_column("scenario path")
    table.add_column("per network (tier: label, outcome)")
    rows = {str(row["phone_number"]): row for row in run.numbers}
    for number in _numbers(run):
        expected = plan.expected_bucket(number, second_batch=run.second_batch)
        path = "cooldown" if expected == "ineligible" else plan.paths[number].name
        table.add_row(
            number,
            bucket_of(run.request, number) or "-",
            path,
            describe_networks(rows.get(number)),
        )
    return table


def describe_networks(row: dict[str, Any] | None) -> str:
    """Summarize a per-number row of the ``.../numbers`` extension."""
    if row is None:
        return "-"
    if row["state"] == "ineligible":
        return "not sent: the number is in its cooldown"
    cases = row.get("networks") or []
    if not cases:
        return "flagged on no network"
    parts = [
        f"{case['network']} t{case['tier']}: {case['label'] or '-'}, "
        f"{case['outcome']}"
        + (" (operator)" if case.get("handled_by") == "operator" else "")
        for case in cases
    ]
    return "; ".join(parts)


def _webhooks_table(
    runs: Sequence[RequestRun], deliveries: Sequence[Delivery]
) -> Table:
    labels = {run.request_id: run.label for run in runs}
    table = Table(title="Webhooks received", title_justify="left")
    table.add_column("event")
    table.add_column("request")
    table.add_column("attempt", justify="right")
    table.add_column("signature")
    for item in deliveries:
        table.add_row(
            item.event_type,
            labels.get(item.request_id, item.request_id or "-"),
            str(item.attempt),
            "verified" if item.verified else f"NOT verified: {item.problem}",
        )
    return table


def _print_summary(
    console: Console,
    runs: Sequence[RequestRun],
    deliveries: Sequence[Delivery],
    problems: Sequence[str],
) -> None:
    counts = dict.fromkeys(BUCKETS, 0)
    for run in runs:
        for number in _numbers(run):
            bucket = bucket_of(run.request, number)
            if bucket:
                counts[bucket] += 1
    reached = ", ".join(f"{bucket} {count}" for bucket, count in counts.items())
    verified = sum(1 for item in deliveries if item.verified)
    console.print(f"Buckets reached: {reached}", highlight=False)
    console.print(
        f"Webhooks: {len(deliveries)} received, {verified} verified", highlight=False
    )
    if problems:
        console.print("numrep demo failed:", style="bold red")
        for problem in problems:
            console.print(f"  - {problem}", highlight=False)
        return
    console.print(
        "numrep demo passed: both requests completed, every bucket was reached "
        "and every webhook was verified.",
        style="bold green",
        highlight=False,
    )
