"""Creating, reading, updating and soft-deleting enterprises."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import ConflictError, NotFoundError, StateGuardError
from numrep.core.pagination import Page, PageParams, paginate
from numrep.enterprise.models import Enterprise
from numrep.enterprise.schemas import (
    IMMUTABLE_FIELDS,
    VETTED_FIELDS,
    EnterpriseCreate,
    EnterpriseUpdate,
)


def fein_digits(fein: str) -> str:
    return re.sub(r"\D", "", fein)


def get_owned(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    for_update: bool = False,
) -> Enterprise:
    """Return the caller's live enterprise; another account's is not found (404)."""
    query = sa.select(Enterprise).where(
        Enterprise.id == enterprise_id,
        Enterprise.account_id == account_id,
        Enterprise.deleted_at.is_(None),
    )
    if for_update:
        query = query.with_for_update()
    enterprise = session.scalar(query)
    if enterprise is None:
        raise NotFoundError("Enterprise not found.")
    return enterprise


def create(
    session: Session, *, account_id: uuid.UUID, body: EnterpriseCreate
) -> Enterprise:
    digits = fein_digits(body.fein)
    _reject_duplicate(session, account_id, digits, exclude=None)
    now = utcnow()
    enterprise = Enterprise(
        account_id=account_id,
        fein_digits=digits,
        created_at=now,
        updated_at=now,
        **body.model_dump(mode="json"),
    )
    try:
        with session.begin_nested():
            session.add(enterprise)
    except IntegrityError as error:
        raise _duplicate_error() from error
    return enterprise


def list_enterprises(
    session: Session,
    *,
    account_id: uuid.UUID,
    legal_name_contains: str | None,
    role_type: str | None,
    page: PageParams,
) -> Page[Enterprise]:
    query = sa.select(Enterprise).where(
        Enterprise.account_id == account_id, Enterprise.deleted_at.is_(None)
    )
    if legal_name_contains:
        pattern = "%" + _escape_like(legal_name_contains.lower()) + "%"
        query = query.where(
            sa.func.lower(Enterprise.legal_name).like(pattern, escape="\\")
        )
    if role_type:
        query = query.where(Enterprise.role_type == role_type)
    query = query.order_by(Enterprise.created_at.desc(), Enterprise.id.desc())
    return paginate(session, query, page)


def update(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    raw: dict[str, Any],
    body: EnterpriseUpdate,
) -> Enterprise:
    """Apply the fields sent; immutable fields and vetted fields are guarded."""
    for name in IMMUTABLE_FIELDS:
        if name in raw:
            raise StateGuardError(
                f"Field '{name}' is not allowed in this request.", pointer=f"/{name}"
            )
    enterprise = get_owned(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    changes = body.model_dump(mode="json", exclude_unset=True)
    if enterprise.number_reputation_enabled:
        for name in VETTED_FIELDS:
            if name in changes and changes[name] != getattr(enterprise, name):
                raise StateGuardError(
                    f"Field '{name}' cannot change while number reputation is "
                    "enabled; disable it first, then update and enable it again.",
                    pointer=f"/{name}",
                )
    if "fein" in changes:
        digits = fein_digits(changes["fein"])
        _reject_duplicate(session, account_id, digits, exclude=enterprise.id)
        enterprise.fein_digits = digits
    for name, value in changes.items():
        setattr(enterprise, name, value)
    enterprise.updated_at = utcnow()
    session.flush()
    return enterprise


def delete(
    session: Session, *, account_id: uuid.UUID, enterprise_id: uuid.UUID
) -> None:
    enterprise = get_owned(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    if enterprise.number_reputation_enabled:
        raise StateGuardError(
            "Number reputation is enabled on this enterprise; disable it with "
            "DELETE /enterprises/{id}/reputation before deleting the enterprise."
        )
    enterprise.deleted_at = utcnow()
    enterprise.updated_at = enterprise.deleted_at
    session.flush()


def _reject_duplicate(
    session: Session, account_id: uuid.UUID, digits: str, *, exclude: uuid.UUID | None
) -> None:
    query = sa.select(Enterprise.id).where(
        Enterprise.account_id == account_id,
        Enterprise.fein_digits == digits,
        Enterprise.deleted_at.is_(None),
    )
    if exclude is not None:
        query = query.where(Enterprise.id != exclude)
    if session.scalar(query) is not None:
        raise _duplicate_error()


def _duplicate_error() -> ConflictError:
    return ConflictError.single(
        "An enterprise with this FEIN already exists in the account; reuse it "
        "instead of creating another.",
        pointer="/fein",
    )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
