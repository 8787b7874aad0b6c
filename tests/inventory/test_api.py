"""Operator inventory endpoints through the in-process app."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.conftest import AccountKeys

NUMBERS = [f"+1212555{line:04d}" for line in range(100, 110)]


def _path(account: AccountKeys) -> str:
    return f"/v2/operator/accounts/{account.account_id}/inventory"


def test_add_list_remove(api: TestClient, account: AccountKeys) -> None:
    operator = account.headers(operator=True)
    added = api.post(
        _path(account), json={"phone_numbers": NUMBERS[:3]}, headers=operator
    )
    assert added.status_code == 201
    assert [row["phone_number"] for row in added.json()["data"]] == NUMBERS[:3]

    again = api.post(
        _path(account), json={"phone_numbers": NUMBERS[2:4]}, headers=operator
    )
    assert [row["phone_number"] for row in again.json()["data"]] == [NUMBERS[3]]
    assert again.json()["meta"]["already_present"] == [NUMBERS[2]]

    listed = api.get(_path(account), headers=operator).json()
    assert listed["meta"]["total_results"] == 4
    filtered = api.get(
        _path(account),
        params={"filter[phone_number][contains]": "5550101"},
        headers=operator,
    ).json()["data"]
    assert [row["phone_number"] for row in filtered] == [NUMBERS[1]]

    removed = api.delete(f"{_path(account)}/{NUMBERS[0]}", headers=operator)
    assert removed.status_code == 204
    missing = api.delete(f"{_path(account)}/{NUMBERS[0]}", headers=operator)
    assert missing.status_code == 404
    assert (
        api.get(_path(account), headers=operator).json()["meta"]["total_results"] == 3
    )


@pytest.mark.parametrize(
    ("numbers", "pointer"),
    [
        ([NUMBERS[0], "+1 2125550101"], "/phone_numbers/1"),
        ([NUMBERS[0], "+14165550123"], "/phone_numbers/1"),
        ([NUMBERS[0], NUMBERS[0]], "/phone_numbers/1"),
        (["+12125550199\n"], "/phone_numbers/0"),
    ],
    ids=["space", "canadian", "duplicate", "newline"],
)
def test_add_rejects_bad_numbers(
    api: TestClient, account: AccountKeys, numbers: list[str], pointer: str
) -> None:
    operator = account.headers(operator=True)
    response = api.post(
        _path(account), json={"phone_numbers": numbers}, headers=operator
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == pointer
    assert (
        api.get(_path(account), headers=operator).json()["meta"]["total_results"] == 0
    )


def test_customer_key_is_403(api: TestClient, account: AccountKeys) -> None:
    response = api.post(_path(account), json={"phone_numbers": NUMBERS[:1]})
    assert response.status_code == 403
    assert api.get(_path(account)).status_code == 403


def test_unknown_account_is_404(api: TestClient, account: AccountKeys) -> None:
    path = f"/v2/operator/accounts/{uuid.uuid4()}/inventory"
    operator = account.headers(operator=True)
    response = api.post(path, json={"phone_numbers": NUMBERS[:1]}, headers=operator)
    assert response.status_code == 404
    assert api.get(path, headers=operator).status_code == 404


def test_openapi_marks_extensions(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    inventory = paths["/v2/operator/accounts/{account_id}/inventory"]["post"]
    assert inventory["tags"] == ["numrep extensions", "numrep operator"]
    assert inventory["x-numrep-extension"] is True
    approve = paths["/v2/operator/enterprises/{enterprise_id}/reputation/loa/approve"]
    assert approve["post"]["tags"] == ["numrep extensions", "numrep operator"]
