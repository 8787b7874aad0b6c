"""Associating the numbers of a CSV file with an enterprise, 100 at a time.

Each associate call is atomic on the server, so a chunk that the server rejects
for some of its numbers is sent again without them. A 422 points at each bad
number with ``/phone_numbers/N``, but names at most 20, so a chunk with more
bad numbers takes several rounds. A 400 ``external_verification_required``
rejects numbers outside the account's inventory without pointers. The numbers
its text names are dropped, and when it names none the chunk is halved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from numrep.client.csvnumbers import ParsedNumber
from numrep.client.http import ApiError, NumrepClient, TransportError
from numrep.client.progress import Advance

ASSOCIATE_CHUNK = 100
EXTERNAL_VERIFICATION_REQUIRED = "external_verification_required"
E164_IN_TEXT = re.compile(r"\+[1-9][0-9]{9,14}")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RejectedNumber:
    line: int
    raw: str
    e164: str
    reason: str


@dataclass
class ImportOutcome:
    associated: list[ParsedNumber] = field(default_factory=list)
    already_associated: list[ParsedNumber] = field(default_factory=list)
    rejected: list[RejectedNumber] = field(default_factory=list)


class ImportAbortedError(Exception):
    """Raised when the server rejects a chunk as a whole, with the work done so far."""

    def __init__(
        self, cause: ApiError | TransportError, outcome: ImportOutcome
    ) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.outcome = outcome


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def registered_numbers(client: NumrepClient, enterprise_id: str) -> set[str]:
    """Return every number currently associated with the enterprise."""
    found: set[str] = set()
    for data, _ in client.iter_pages(client.numbers_path(enterprise_id)):
        found.update(item["phone_number"] for item in data)
    return found


def import_numbers(
    client: NumrepClient,
    enterprise_id: str,
    numbers: Sequence[ParsedNumber],
    *,
    advance: Advance,
) -> ImportOutcome:
    """Associate ``numbers``, counting those already associated without sending them.

    Raises ``ImportAbortedError`` for an error that is not about single numbers,
    such as reputation not being enabled, or a lost connection. Chunks sent
    before it stay associated.
    """
    outcome = ImportOutcome()
    try:
        existing = registered_numbers(client, enterprise_id)
    except (ApiError, TransportError) as error:
        raise ImportAbortedError(error, outcome) from error
    to_send = []
    for number in numbers:
        if number.e164 in existing:
            outcome.already_associated.append(number)
        else:
            to_send.append(number)
    advance(len(outcome.already_associated))
    for chunk in chunks(to_send, ASSOCIATE_CHUNK):
        try:
            _associate_chunk(client, enterprise_id, list(chunk), outcome)
        except (ApiError, TransportError) as error:
            raise ImportAbortedError(error, outcome) from error
        advance(len(chunk))
    return outcome


def _associate_chunk(
    client: NumrepClient,
    enterprise_id: str,
    pending: list[ParsedNumber],
    outcome: ImportOutcome,
) -> None:
    while pending:
        try:
            client.associate(enterprise_id, [number.e164 for number in pending])
        except ApiError as error:
            rejected = rejected_indexes(error, len(pending)) or named_externals(
                error, pending
            )
            if rejected:
                _reject(pending, rejected, outcome)
                pending = [n for i, n in enumerate(pending) if i not in rejected]
                continue
            if not is_external_rejection(error):
                raise
            if len(pending) == 1:
                _reject(pending, {0: error.entries[0].detail}, outcome)
                return
            # The rejection names no number of this chunk, so halve the chunk
            # until each rejected number is alone.
            half = len(pending) // 2
            _associate_chunk(client, enterprise_id, pending[:half], outcome)
            _associate_chunk(client, enterprise_id, pending[half:], outcome)
            return
        outcome.associated.extend(pending)
        return


def _reject(
    pending: Sequence[ParsedNumber], reasons: dict[int, str], outcome: ImportOutcome
) -> None:
    for index, reason in sorted(reasons.items()):
        number = pending[index]
        outcome.rejected.append(
            RejectedNumber(number.line, number.raw, number.e164, reason)
        )


def is_external_rejection(error: ApiError) -> bool:
    """Tell whether a 400 rejects numbers outside the account's inventory.

    The Telnyx SDK documents ``external_verification_required`` inside
    ``detail`` as the way to recognise this rejection, which has no pointers.
    """
    return error.status_code == 400 and any(
        EXTERNAL_VERIFICATION_REQUIRED in entry.detail for entry in error.entries
    )


def named_externals(error: ApiError, pending: Sequence[ParsedNumber]) -> dict[int, str]:
    """Map the numbers of ``pending`` that an external rejection names to its text.

    numrep names up to three rejected numbers in ``detail``. Other servers may
    name none, and then the caller splits the chunk instead.
    """
    if not is_external_rejection(error):
        return {}
    detail = next(
        e.detail for e in error.entries if EXTERNAL_VERIFICATION_REQUIRED in e.detail
    )
    named = set(E164_IN_TEXT.findall(detail))
    return {
        index: detail for index, number in enumerate(pending) if number.e164 in named
    }


def rejected_indexes(error: ApiError, size: int) -> dict[int, str]:
    """Map each ``/phone_numbers/N`` index an error points at to its reason.

    Returns nothing for errors about the whole request (any status but 409 and
    422, or entries without such a pointer), which the caller re-raises.
    """
    if error.status_code not in (409, 422):
        return {}
    found: dict[int, str] = {}
    for entry in error.entries:
        index = entry.index()
        if index is not None and index < size:
            found.setdefault(index, entry.detail)
    return found
