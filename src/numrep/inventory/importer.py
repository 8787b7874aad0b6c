"""Reading an inventory CSV file into numbers to add and lines to reject.

The file has a header row with a ``phone_number`` column; other columns are
ignored. Line numbers in the report count the header as line 1, as an editor
shows them.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from numrep.inventory import service

PHONE_COLUMN = "phone_number"


@dataclass(frozen=True, slots=True)
class RejectedLine:
    line: int
    value: str
    reason: str


@dataclass
class ImportPlan:
    """The plan of an import: numbers to add, lines rejected, numbers present."""

    accepted: dict[str, int] = field(default_factory=dict)
    rejected: list[RejectedLine] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)

    @property
    def to_add(self) -> list[str]:
        present = set(self.already_present)
        return [number for number in self.accepted if number not in present]


class ImportFileError(Exception):
    """Raised when the file cannot be read as an inventory CSV at all."""


def read_file(path: Path) -> ImportPlan:
    """Parse ``path`` and sort each line into accepted or rejected."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _read_rows(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ImportFileError(f"cannot read {path}: {error}") from error


def plan_import(session: Session, *, account_id: uuid.UUID, path: Path) -> ImportPlan:
    """Read ``path`` and mark the numbers the account already owns."""
    service.require_account(session, account_id)
    plan = read_file(path)
    present = service.owned_numbers(
        session, account_id=account_id, phone_numbers=plan.accepted
    )
    plan.already_present = sorted(present)
    return plan


def apply_import(session: Session, *, account_id: uuid.UUID, plan: ImportPlan) -> int:
    """Add the plan's new numbers; returns how many were written."""
    result = service.add_numbers(
        session, account_id=account_id, phone_numbers=plan.to_add
    )
    return len(result.added)


def _read_rows(rows: Iterator[list[str]]) -> ImportPlan:
    header = next(rows, None)
    columns = [name.strip().lower() for name in header or []]
    if PHONE_COLUMN not in columns:
        raise ImportFileError(
            f"the first line must be a header with a '{PHONE_COLUMN}' column"
        )
    position = columns.index(PHONE_COLUMN)

    plan = ImportPlan()
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        # Spaces around a cell are CSV layout, not part of the number.
        value = row[position].strip(" \t") if position < len(row) else ""
        reason = _line_problem(value, plan.accepted)
        if reason is not None:
            plan.rejected.append(RejectedLine(line, value, reason))
            continue
        plan.accepted[value] = line
    return plan


def _line_problem(value: str, accepted: dict[str, int]) -> str | None:
    if not value:
        return f"the '{PHONE_COLUMN}' column is empty"
    problem = service.number_problem(value)
    if problem is not None:
        return problem
    if value in accepted:
        return f"duplicate of line {accepted[value]}"
    return None
