"""The snapshot history extension of one registered number."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.onboarding import approved_enterprise, us_numbers

NUMBERS = us_numbers(2, area_code="615")


def history_path(enterprise_id: object, number: str) -> str:
    return f"/v2/enterprises/{enterprise_id}/reputation/numbers/{number}/history"


def refresh(api: TestClient, enterprise_id: object, numbers: list[str]) -> None:
    response = api.post(
        f"/v2/enterprises/{enterprise_id}/reputation/numbers/refresh",
        json={"phone_numbers": numbers},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["total_successful"] == len(numbers)


def test_history_newest_first(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, NUMBERS)
    refresh(api, enterprise_id, NUMBERS)
    refresh(api, enterprise_id, NUMBERS[:1])

    response = api.get(history_path(enterprise_id, NUMBERS[0]))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["total_results"] == 2
    taken_times = [item["taken_at"] for item in body["data"]]
    assert taken_times == sorted(taken_times, reverse=True)
    item: dict[str, Any] = body["data"][0]
    assert item["record_type"] == "reputation_snapshot"
    assert item["phone_number"] == NUMBERS[0]
    assert {"spam_risk", "maturity_score", "networks"} <= set(item)
    assert len(item["networks"]) > 0


def test_history_pages_and_encoded_plus(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, NUMBERS)
    for _ in range(3):
        refresh(api, enterprise_id, NUMBERS[1:])
    encoded = NUMBERS[1].replace("+", "%2B")

    first = api.get(
        history_path(enterprise_id, encoded), params={"page[size]": 2}
    ).json()
    second = api.get(
        history_path(enterprise_id, encoded),
        params={"page[size]": 2, "page[number]": 2},
    ).json()

    assert first["meta"] == {
        "page_number": 1,
        "page_size": 2,
        "total_pages": 2,
        "total_results": 3,
    }
    assert len(second["data"]) == 1
    ids = [item["id"] for item in first["data"] + second["data"]]
    assert len(set(ids)) == 3


def test_history_of_unknown_number_404(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, NUMBERS)
    response = api.get(history_path(enterprise_id, "+12125550100"))
    assert response.status_code == 404
    assert "+12125550100" in response.json()["errors"][0]["detail"]


def test_history_bad_number_422(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, NUMBERS)
    response = api.get(history_path(enterprise_id, "2125550100"))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["source"] == {"parameter": "phone_number"}


def test_history_other_account_404(
    api: TestClient,
    settings: Settings,
    account: AccountKeys,
    other_account: AccountKeys,
) -> None:
    enterprise_id = approved_enterprise(settings, other_account.account_id, NUMBERS)
    response = api.get(history_path(enterprise_id, NUMBERS[0]))
    assert response.status_code == 404


def test_history_is_marked_extension(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()
    path = "/v2/enterprises/{enterprise_id}/reputation/numbers/{phone_number}/history"
    operation = schema["paths"][path]["get"]
    assert operation["x-numrep-extension"] is True
