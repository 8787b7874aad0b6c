"""Submitting the numbers of a CSV file for remediation, and exporting results.

Before each chunk of 2,000 the eligibility extension returns which numbers can
go now. The others (cooldown, in flight elsewhere, not registered) are kept as
skipped with the server's reason, so none is silently lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from numrep.client.csvnumbers import ParsedNumber
from numrep.client.http import ApiError, NumrepClient, TransportError
from numrep.client.importer import chunks, rejected_indexes
from numrep.client.progress import Advance, Bar

SUBMIT_CHUNK = 2000

# Columns of ``remediation export --format csv``: one row per network review
# of a number, or one row with empty network columns when no network reviewed
# it. A network opens a review only for a number it flagged, and ``label`` is
# the flag it gave.
EXPORT_COLUMNS = (
    "phone_number",
    "outcome",
    "flagged_networks",
    "next_eligible_at",
    "network",
    "tier",
    "label",
    "network_outcome",
    "handled_by",
    "decided_at",
)


@dataclass(frozen=True, slots=True)
class SkippedNumber:
    """A number left out of every request, with why and when it can go."""

    line: int
    raw: str
    e164: str
    reason: str
    eligible_from: str | None = None
    remediation_id: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitOptions:
    call_purpose: str
    contact_email: str | None = None
    webhook_url: str | None = None

    def body(self, phone_numbers: Sequence[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "phone_numbers": list(phone_numbers),
            "call_purpose": self.call_purpose,
        }
        if self.contact_email is not None:
            body["contact_email"] = self.contact_email
        if self.webhook_url is not None:
            body["webhook_url"] = self.webhook_url
        return body


@dataclass
class SubmitOutcome:
    request_ids: list[str] = field(default_factory=list)
    submitted: list[ParsedNumber] = field(default_factory=list)
    skipped: list[SkippedNumber] = field(default_factory=list)


class SubmitAbortedError(Exception):
    """Raised when the server rejects a chunk as a whole, with the work done so far."""

    def __init__(
        self, cause: ApiError | TransportError, outcome: SubmitOutcome
    ) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.outcome = outcome


def submit_numbers(
    client: NumrepClient,
    enterprise_id: str,
    numbers: Sequence[ParsedNumber],
    options: SubmitOptions,
    *,
    advance: Advance,
) -> SubmitOutcome:
    """Check and submit ``numbers`` in chunks, with one request per non-empty chunk."""
    outcome = SubmitOutcome()
    for chunk in chunks(numbers, SUBMIT_CHUNK):
        try:
            _submit_chunk(client, enterprise_id, list(chunk), options, outcome)
        except (ApiError, TransportError) as error:
            raise SubmitAbortedError(error, outcome) from error
        advance(len(chunk))
    return outcome


def _submit_chunk(
    client: NumrepClient,
    enterprise_id: str,
    chunk: list[ParsedNumber],
    options: SubmitOptions,
    outcome: SubmitOutcome,
) -> None:
    verdicts = client.check_eligibility(enterprise_id, [n.e164 for n in chunk])
    by_number = {verdict["phone_number"]: verdict for verdict in verdicts}
    pending: list[ParsedNumber] = []
    for number in chunk:
        verdict = by_number.get(number.e164)
        if verdict is not None and verdict["eligible"]:
            pending.append(number)
            continue
        outcome.skipped.append(_skipped(number, verdict))
    while pending:
        try:
            request = client.submit_remediation(
                enterprise_id, options.body([n.e164 for n in pending])
            )
        except ApiError as error:
            # A number can go in flight or be removed between the check and the
            # submit. The server names it, and the rest are sent again.
            rejected = rejected_indexes(error, len(pending))
            if not rejected:
                raise
            for index, reason in sorted(rejected.items()):
                number = pending[index]
                outcome.skipped.append(
                    SkippedNumber(number.line, number.raw, number.e164, reason)
                )
            pending = [n for i, n in enumerate(pending) if i not in rejected]
            continue
        outcome.request_ids.append(str(request["id"]))
        outcome.submitted.extend(pending)
        return


def _skipped(number: ParsedNumber, verdict: dict[str, Any] | None) -> SkippedNumber:
    if verdict is None:
        return SkippedNumber(
            number.line, number.raw, number.e164, "missing from the eligibility check"
        )
    return SkippedNumber(
        number.line,
        number.raw,
        number.e164,
        str(verdict.get("reason") or "not eligible"),
        eligible_from=verdict.get("eligible_from"),
        remediation_id=verdict.get("remediation_id"),
    )


def find_request_enterprise(client: NumrepClient, remediation_id: str) -> str | None:
    """Return the id of the caller's enterprise that contains the request, if any."""
    for enterprises, _ in client.iter_pages("enterprises"):
        for enterprise in enterprises:
            path = (
                f"enterprises/{enterprise['id']}/reputation/remediation/"
                f"{remediation_id}"
            )
            try:
                client.request("GET", path)
            except ApiError as error:
                if error.status_code == 404:
                    continue
                raise
            return str(enterprise["id"])
    return None


def iter_request_numbers(
    client: NumrepClient, enterprise_id: str, remediation_id: str, *, bar: Bar
) -> Iterator[dict[str, Any]]:
    """Yield the per-number view of a request, page by page."""
    path = client.request_numbers_path(enterprise_id, remediation_id)
    for data, meta in client.iter_pages(path):
        bar.set_total(meta["total_results"])
        yield from data
        bar(len(data))


def export_rows(number: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten one per-number object into CSV rows, one per network review."""
    base = {
        "phone_number": number["phone_number"],
        "outcome": number["state"],
        "flagged_networks": number.get("flagged_networks", ""),
        "next_eligible_at": number.get("next_eligible_at") or "",
    }
    reviews = number.get("networks") or []
    if not reviews:
        return [{**base, **dict.fromkeys(EXPORT_COLUMNS[len(base) :], "")}]
    return [
        {
            **base,
            "network": review["network"],
            "tier": review.get("tier", ""),
            "label": review.get("label") or "",
            "network_outcome": review.get("outcome") or "",
            "handled_by": review.get("handled_by") or "",
            "decided_at": review.get("decided_at") or "",
        }
        for review in reviews
    ]


def dump_json(numbers: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(numbers), indent=2) + "\n"
