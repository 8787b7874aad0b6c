"""Accounts and API keys at the service layer, on both databases."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from numrep.account import service as accounts
from numrep.account.models import ApiKey, KeyRole
from numrep.core.clock import utcnow
from numrep.core.db import Database
from tests.conftest import TEST_SECRET


def new_key(db: Database, role: KeyRole = KeyRole.CUSTOMER) -> accounts.IssuedKey:
    with db.unit_of_work() as session:
        account = accounts.create_account(session, name="svc")
        return accounts.issue_key(
            session, TEST_SECRET, account_id=account.id, role=role
        )


def test_key_is_stored_as_digest(db: Database) -> None:
    issued = new_key(db)
    with db.unit_of_work(write=False) as session:
        stored = session.scalars(sa.select(ApiKey.digest, ApiKey.prefix)).all()
    assert issued.secret not in stored
    assert issued.key.digest == accounts.digest_key(TEST_SECRET, issued.secret)
    assert issued.secret.startswith(f"nrk_{issued.key.prefix}_")


def test_authenticate_returns_principal(db: Database) -> None:
    issued = new_key(db, KeyRole.OPERATOR)
    with db.unit_of_work(write=False) as session:
        principal = accounts.authenticate(session, TEST_SECRET, issued.secret)
        wrong_secret = accounts.authenticate(session, "other", issued.secret)
    assert principal is not None
    assert principal.key_id == issued.key.id
    assert principal.is_operator
    assert principal.last_used_at is None
    assert wrong_secret is None


def test_issue_key_for_unknown_account_fails(db: Database) -> None:
    with db.unit_of_work() as session, pytest.raises(LookupError):
        accounts.issue_key(session, TEST_SECRET, account_id=uuid.uuid4())


def test_record_key_use_is_throttled(db: Database) -> None:
    key_id = new_key(db).key.id
    now = utcnow()
    resolution = accounts.LAST_USED_RESOLUTION
    steps = [
        (now, True),
        (now + timedelta(seconds=1), False),
        (now + resolution - timedelta(seconds=1), False),
        (now + resolution, True),
    ]
    for moment, expected in steps:
        with db.unit_of_work() as session:
            changed = accounts.record_key_use(session, key_id=key_id, now=moment)
        assert changed is expected, moment - now
    with db.unit_of_work(write=False) as session:
        stored = session.get(ApiKey, key_id)
        assert stored is not None
        assert stored.last_used_at == now + resolution


def test_use_is_stale_after_resolution() -> None:
    now = utcnow()
    principal = accounts.Principal(
        account_id=uuid.uuid4(),
        key_id=uuid.uuid4(),
        role=KeyRole.CUSTOMER,
        last_used_at=now,
    )
    assert principal.use_is_stale(now) is False
    assert principal.use_is_stale(now + accounts.LAST_USED_RESOLUTION) is True
    never_used = accounts.Principal(uuid.uuid4(), uuid.uuid4(), KeyRole.CUSTOMER)
    assert never_used.use_is_stale(now) is True


def test_revoke_is_idempotent(db: Database) -> None:
    issued = new_key(db)
    with db.unit_of_work() as session:
        first = accounts.revoke_key(session, key_id=issued.key.id).revoked_at
    with db.unit_of_work() as session:
        second = accounts.revoke_key(session, key_id=issued.key.id).revoked_at
        assert accounts.authenticate(session, TEST_SECRET, issued.secret) is None
    assert first is not None
    assert second == first
