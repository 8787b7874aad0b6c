"""Adding, listing and removing the numbers an account owns."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.account.models import Account
from numrep.core.errors import (
    ErrorItem,
    InvalidParametersError,
    NotFoundError,
    invalid_item,
)
from numrep.core.pagination import Page, PageParams, paginate
from numrep.inventory.models import InventoryNumber
from numrep.phone.e164 import is_e164, us_number_problem


@dataclass(frozen=True, slots=True)
class AddResult:
    """Numbers written by ``add_numbers`` and numbers that were already there."""

    added: list[InventoryNumber]
    already_present: list[str]


def number_problem(value: object) -> str | None:
    """Return why ``value`` cannot be a US inventory number, or None when it can."""
    if not isinstance(value, str) or not is_e164(value):
        return (
            f"{value!r} is not an E.164 number; send '+1' followed by the 10 "
            "digits, with no spaces or other characters."
        )
    problem = us_number_problem(value)
    if problem is not None:
        return f"{value} is {problem.value}."
    return None


def owned_numbers(
    session: Session, *, account_id: uuid.UUID, phone_numbers: Iterable[str]
) -> set[str]:
    """Return the subset of ``phone_numbers`` that is in the account's inventory."""
    requested = list(set(phone_numbers))
    if not requested:
        return set()
    rows = session.scalars(
        sa.select(InventoryNumber.phone_number).where(
            InventoryNumber.account_id == account_id,
            InventoryNumber.phone_number.in_(requested),
        )
    )
    return set(rows)


def add_numbers(
    session: Session, *, account_id: uuid.UUID, phone_numbers: Sequence[str]
) -> AddResult:
    """Add numbers to the inventory; one invalid number rejects the whole call."""
    require_account(session, account_id)
    errors = _number_errors(phone_numbers)
    if errors:
        raise InvalidParametersError(errors)

    present = owned_numbers(session, account_id=account_id, phone_numbers=phone_numbers)
    added = [
        InventoryNumber(account_id=account_id, phone_number=number)
        for number in dict.fromkeys(phone_numbers)
        if number not in present
    ]
    session.add_all(added)
    session.flush()
    return AddResult(added=added, already_present=sorted(present))


def list_numbers(
    session: Session,
    *,
    account_id: uuid.UUID,
    phone_number_contains: str | None,
    page: PageParams,
) -> Page[InventoryNumber]:
    require_account(session, account_id)
    query = sa.select(InventoryNumber).where(InventoryNumber.account_id == account_id)
    if phone_number_contains:
        query = query.where(
            InventoryNumber.phone_number.contains(
                phone_number_contains, autoescape=True
            )
        )
    query = query.order_by(InventoryNumber.created_at.desc(), InventoryNumber.id.desc())
    return paginate(session, query, page)


def remove_number(
    session: Session, *, account_id: uuid.UUID, phone_number: str
) -> None:
    """Remove a number from the inventory.

    A reputation registration of the number is left alone: it stays monitored
    until it is removed from its enterprise.
    """
    row = session.scalar(
        sa.select(InventoryNumber).where(
            InventoryNumber.account_id == account_id,
            InventoryNumber.phone_number == phone_number,
        )
    )
    if row is None:
        raise NotFoundError(
            f"{phone_number} is not in the inventory of account {account_id}."
        )
    session.delete(row)
    session.flush()


def _number_errors(phone_numbers: Sequence[str]) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    first_seen: dict[str, int] = {}
    for index, number in enumerate(phone_numbers):
        pointer = f"/phone_numbers/{index}"
        problem = number_problem(number)
        if problem is None and number in first_seen:
            problem = (
                f"{number} is a duplicate of /phone_numbers/{first_seen[number]}; "
                "send each number once."
            )
        if problem is not None:
            errors.append(invalid_item(problem, pointer=pointer))
            continue
        first_seen[number] = index
    return errors


def require_account(session: Session, account_id: uuid.UUID) -> None:
    """Raise ``NotFoundError`` unless the account exists."""
    if session.get(Account, account_id) is None:
        raise NotFoundError(f"Account {account_id} not found.")
