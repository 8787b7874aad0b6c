"""Creating accounts and issuing, checking and revoking API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.account.models import Account, ApiKey, KeyRole
from numrep.core.clock import utcnow

KEY_PREFIX = "nrk"
# 32 random bytes: guessing a key is out of reach, and a digest lookup is O(1).
_SECRET_BYTES = 32
# last_used_at is rewritten at most this often per key. Writing it on every
# request would turn each read into a write, and a minute is fine enough to
# separate used keys from idle ones.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: ``secret`` is shown once and never stored."""

    key: ApiKey
    secret: str


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind an authenticated request."""

    account_id: uuid.UUID
    key_id: uuid.UUID
    role: KeyRole
    last_used_at: datetime | None = None

    @property
    def is_operator(self) -> bool:
        return self.role is KeyRole.OPERATOR

    def use_is_stale(self, now: datetime) -> bool:
        """Tell whether ``last_used_at`` is older than ``LAST_USED_RESOLUTION``."""
        if self.last_used_at is None:
            return True
        return now - self.last_used_at >= LAST_USED_RESOLUTION


def digest_key(secret_key: str, api_key: str) -> str:
    return hmac.new(secret_key.encode(), api_key.encode(), hashlib.sha256).hexdigest()


def create_account(session: Session, *, name: str) -> Account:
    account = Account(name=name)
    session.add(account)
    session.flush()
    return account


def issue_key(
    session: Session,
    secret_key: str,
    *,
    account_id: uuid.UUID,
    name: str = "",
    role: KeyRole = KeyRole.CUSTOMER,
) -> IssuedKey:
    if session.get(Account, account_id) is None:
        raise LookupError(f"account {account_id} not found")
    prefix = secrets.token_hex(4)
    plain = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    key = ApiKey(
        account_id=account_id,
        name=name,
        prefix=prefix,
        digest=digest_key(secret_key, plain),
        role=role,
    )
    session.add(key)
    session.flush()
    return IssuedKey(key=key, secret=plain)


def authenticate(session: Session, secret_key: str, api_key: str) -> Principal | None:
    """Return the principal for a key, or None when it is unknown or revoked."""
    digest = digest_key(secret_key, api_key)
    key = session.scalar(sa.select(ApiKey).where(ApiKey.digest == digest))
    if key is None or key.revoked_at is not None:
        return None
    return Principal(
        account_id=key.account_id,
        key_id=key.id,
        role=KeyRole(key.role),
        last_used_at=key.last_used_at,
    )


def record_key_use(
    session: Session, *, key_id: uuid.UUID, now: datetime | None = None
) -> bool:
    """Set ``last_used_at`` unless another request did so within the resolution.

    Returns whether a row changed. The condition sits in the UPDATE, so
    concurrent requests with one key write the row once.
    """
    now = now or utcnow()
    result = session.execute(
        sa.update(ApiKey)
        .where(
            ApiKey.id == key_id,
            sa.or_(
                ApiKey.last_used_at.is_(None),
                ApiKey.last_used_at <= now - LAST_USED_RESOLUTION,
            ),
        )
        # Keep updated_at for changes to the key itself, not for its use.
        .values(last_used_at=now, updated_at=ApiKey.updated_at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def list_keys(session: Session, *, account_id: uuid.UUID | None = None) -> list[ApiKey]:
    query = sa.select(ApiKey).order_by(ApiKey.created_at)
    if account_id is not None:
        query = query.where(ApiKey.account_id == account_id)
    return list(session.scalars(query))


def revoke_key(session: Session, *, key_id: uuid.UUID) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise LookupError(f"API key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def count_accounts(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Account)) or 0
