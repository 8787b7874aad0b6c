"""Associating numbers outside the inventory (external numbers)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.reputation import flows
from tests.verification import steps
from tests.verification.steps import EXTERNAL_NUMBERS

INVENTORY = flows.US_NUMBERS[:3]
TOLL_FREE = ["+18005550142", "+18335550142", "+18885550142"]


@pytest.fixture
def enterprise_id(api: TestClient, account: AccountKeys, settings: Settings) -> str:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    flows.add_inventory(api, account, INVENTORY)
    return enterprise_id


def _verify(
    api: TestClient, account: AccountKeys, enterprise_id: str, decision: str | None
) -> None:
    """Submit proof and, unless ``decision`` is None, decide it."""
    submitted = steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    assert submitted.status_code == 201, submitted.text
    if decision is not None:
        decided = steps.decide(api, account, enterprise_id, decision, "Blurred.")
        assert decided.status_code == 200, decided.text


def _registered(api: TestClient, enterprise_id: str) -> dict[str, str]:
    response = api.get(
        f"/v2/enterprises/{enterprise_id}/reputation/numbers",
        params={"page[size]": 250},
    )
    assert response.status_code == 200, response.text
    return {row["phone_number"]: row["source"] for row in response.json()["data"]}


@pytest.mark.parametrize("state", ["missing", "pending", "rejected"])
def test_unapproved_is_400(
    api: TestClient, account: AccountKeys, enterprise_id: str, state: str
) -> None:
    if state != "missing":
        _verify(api, account, enterprise_id, None if state == "pending" else "reject")
    numbers = [INVENTORY[0], EXTERNAL_NUMBERS[0]]
    response = flows.associate(api, enterprise_id, numbers)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "10015"
    assert "external_verification_required" in error["detail"]
    assert EXTERNAL_NUMBERS[0] in error["detail"]
    assert INVENTORY[0] not in error["detail"]
    expected = "missing" if state == "missing" else f"'{state}', not 'approved'"
    assert expected in error["detail"]
    # The inventory number in the same request is not registered either.
    assert _registered(api, enterprise_id) == {}


def test_approved_registers_external(
    api: TestClient, account: AccountKeys, enterprise_id: str
) -> None:
    _verify(api, account, enterprise_id, "approve")
    numbers = [EXTERNAL_NUMBERS[0], INVENTORY[0], EXTERNAL_NUMBERS[1]]
    response = flows.associate(api, enterprise_id, numbers)
    assert response.status_code == 201, response.text
    sources = [row["source"] for row in response.json()["data"]]
    assert sources == ["external", "telnyx", "external"]
    assert _registered(api, enterprise_id) == {
        EXTERNAL_NUMBERS[0]: "external",
        INVENTORY[0]: "telnyx",
        EXTERNAL_NUMBERS[1]: "external",
    }
    listed = api.get(
        f"/v2/enterprises/{enterprise_id}/reputation/numbers",
        params={"filter[source]": "external"},
    ).json()["data"]
    assert sorted(row["phone_number"] for row in listed) == EXTERNAL_NUMBERS[:2]


def test_inventory_only_needs_no_verification(
    api: TestClient, enterprise_id: str
) -> None:
    response = flows.associate(api, enterprise_id, INVENTORY)
    assert response.status_code == 201, response.text
    assert {row["source"] for row in response.json()["data"]} == {"telnyx"}


@pytest.mark.parametrize("toll_free", TOLL_FREE)
def test_external_toll_free_is_422(
    api: TestClient, account: AccountKeys, enterprise_id: str, toll_free: str
) -> None:
    _verify(api, account, enterprise_id, "approve")
    numbers = [EXTERNAL_NUMBERS[0], toll_free, INVENTORY[0]]
    response = flows.associate(api, enterprise_id, numbers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [error["source"]["pointer"] for error in errors] == ["/phone_numbers/1"]
    assert "toll-free" in errors[0]["detail"]
    assert _registered(api, enterprise_id) == {}


def test_toll_free_without_verification_is_422(
    api: TestClient, enterprise_id: str
) -> None:
    response = flows.associate(api, enterprise_id, [TOLL_FREE[0]])
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/phone_numbers/0"
    assert _registered(api, enterprise_id) == {}


@pytest.mark.parametrize("number", ["+442071838750", "+14165550123"])
def test_non_us_rejected_when_approved(
    api: TestClient, account: AccountKeys, enterprise_id: str, number: str
) -> None:
    _verify(api, account, enterprise_id, "approve")
    response = flows.associate(api, enterprise_id, [EXTERNAL_NUMBERS[0], number])
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["source"]["pointer"] for error in errors] == ["/phone_numbers/1"]
    assert _registered(api, enterprise_id) == {}


def test_external_of_other_enterprise_is_422(
    api: TestClient, account: AccountKeys, settings: Settings, enterprise_id: str
) -> None:
    _verify(api, account, enterprise_id, "approve")
    assert flows.associate(api, enterprise_id, EXTERNAL_NUMBERS[:1]).is_success
    second = flows.approved_enterprise(api, account, settings)
    _verify(api, account, second, "approve")
    response = flows.associate(api, second, EXTERNAL_NUMBERS[:1])
    assert response.status_code == 422
    assert "another enterprise" in response.json()["errors"][0]["detail"]
    assert _registered(api, second) == {}


def test_verification_is_per_enterprise(
    api: TestClient, account: AccountKeys, settings: Settings, enterprise_id: str
) -> None:
    _verify(api, account, enterprise_id, "approve")
    second = flows.approved_enterprise(api, account, settings)
    response = flows.associate(api, second, EXTERNAL_NUMBERS[:1])
    assert response.status_code == 400
    assert "external_verification_required" in response.json()["errors"][0]["detail"]
