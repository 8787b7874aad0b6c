"""API-key authentication: the 401 cases, the scheme and ``last_used_at``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from numrep.account import service as accounts
from numrep.account.models import ApiKey
from numrep.core.clock import utcnow
from numrep.core.db import Database
from tests.conftest import TEST_SECRET, AccountKeys


def key_row(db: Database, api_key: str) -> ApiKey:
    with db.unit_of_work(write=False) as session:
        principal = accounts.authenticate(session, TEST_SECRET, api_key)
        assert principal is not None
        key = session.get(ApiKey, principal.key_id)
        assert key is not None
        return key


def assert_401(response_json: dict[str, object], detail_part: str) -> None:
    errors = response_json["errors"]
    assert isinstance(errors, list)
    assert errors[0]["code"] == "10001"
    assert detail_part in errors[0]["detail"]


def test_missing_header_is_401(app_client: TestClient) -> None:
    response = app_client.get("/v2/enterprises")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert_401(response.json(), "Missing Authorization header")


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer    ",
        "Bearer first second",
        "Token nrk_00000000_abc",
        "nrk_00000000_abc",
    ],
    ids=["basic", "no-token", "blank-token", "two-tokens", "other-scheme", "bare"],
)
def test_malformed_header_is_401(
    app_client: TestClient, account: AccountKeys, header: str
) -> None:
    del account
    response = app_client.get("/v2/enterprises", headers={"Authorization": header})
    assert response.status_code == 401
    assert_401(response.json(), "Malformed Authorization header")


def test_unknown_key_is_401(app_client: TestClient, account: AccountKeys) -> None:
    unknown = account.api_key[:-4] + "zzzz"
    response = app_client.get(
        "/v2/enterprises", headers={"Authorization": f"Bearer {unknown}"}
    )
    assert response.status_code == 401
    assert_401(response.json(), "invalid or has been revoked")


def test_revoked_key_is_401(
    app_client: TestClient, account: AccountKeys, db: Database
) -> None:
    headers = account.headers()
    assert app_client.get("/v2/enterprises", headers=headers).status_code == 200
    key_id = key_row(db, account.api_key).id
    with db.unit_of_work() as session:
        accounts.revoke_key(session, key_id=key_id)

    response = app_client.get("/v2/enterprises", headers=headers)
    assert response.status_code == 401
    assert_401(response.json(), "invalid or has been revoked")
    other_key = app_client.get(
        "/v2/enterprises", headers=account.headers(operator=True)
    )
    assert other_key.status_code == 200


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
def test_scheme_is_case_insensitive(
    app_client: TestClient, account: AccountKeys, scheme: str
) -> None:
    response = app_client.get(
        "/v2/enterprises", headers={"Authorization": f"{scheme} {account.api_key}"}
    )
    assert response.status_code == 200


def test_first_use_sets_last_used(
    api: TestClient, account: AccountKeys, db: Database
) -> None:
    assert key_row(db, account.api_key).last_used_at is None
    before = utcnow()
    assert api.get("/v2/enterprises").status_code == 200
    used = key_row(db, account.api_key).last_used_at
    assert used is not None
    assert used >= before
    assert key_row(db, account.operator_key).last_used_at is None


def test_last_used_written_once_a_minute(
    api: TestClient, account: AccountKeys, db: Database
) -> None:
    assert api.get("/v2/enterprises").status_code == 200
    first = key_row(db, account.api_key)
    for _ in range(3):
        assert api.get("/v2/enterprises").status_code == 200
    again = key_row(db, account.api_key)
    assert again.last_used_at == first.last_used_at
    assert again.updated_at == first.updated_at


def test_stale_last_used_is_refreshed(
    api: TestClient, account: AccountKeys, db: Database
) -> None:
    key_id = key_row(db, account.api_key).id
    stale = utcnow() - accounts.LAST_USED_RESOLUTION - timedelta(seconds=5)
    with db.unit_of_work() as session:
        key = session.get(ApiKey, key_id)
        assert key is not None
        key.last_used_at = stale

    assert api.get("/v2/enterprises").status_code == 200
    refreshed = key_row(db, account.api_key).last_used_at
    assert isinstance(refreshed, datetime)
    assert refreshed > stale + accounts.LAST_USED_RESOLUTION
