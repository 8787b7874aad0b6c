"""``PUT`` and ``DELETE /enterprises/{id}``: changes, guards and soft delete."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from numrep.app import build_services
from numrep.enterprise.models import Enterprise
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.factories import enterprise_body


@pytest.fixture
def enterprise(api: TestClient) -> dict[str, Any]:
    response = api.post("/v2/enterprises", json=enterprise_body())
    assert response.status_code == 201
    data: dict[str, Any] = response.json()["data"]
    return data


def current(api: TestClient, enterprise_id: str) -> dict[str, Any]:
    response = api.get(f"/v2/enterprises/{enterprise_id}")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()["data"]
    return data


def enable_reputation(settings: Settings, enterprise_id: str) -> None:
    """Set the flag that enabling number reputation sets."""
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            row = session.get(Enterprise, uuid.UUID(enterprise_id))
            assert row is not None
            row.number_reputation_enabled = True
    finally:
        services.db.dispose()


def test_update_changes_only_fields_sent(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    url = f"/v2/enterprises/{enterprise['id']}"
    address = dict(enterprise["billing_address"], city="Dallas")
    response = api.put(
        url,
        json={"doing_business_as": "Bright Smiles", "billing_address": address},
    )
    assert response.status_code == 200
    data = response.json()["data"]

    assert data["doing_business_as"] == "Bright Smiles"
    assert data["billing_address"]["city"] == "Dallas"
    assert data["legal_name"] == enterprise["legal_name"]
    assert data["created_at"] == enterprise["created_at"]
    assert data["updated_at"] > enterprise["updated_at"]
    assert current(api, enterprise["id"]) == data


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("id", "00000000-0000-4000-8000-000000000000"),
        ("record_type", "enterprise"),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("updated_at", "2020-01-01T00:00:00Z"),
        ("organization_type", "government"),
        ("country_code", "CA"),
        ("role_type", "bpo"),
        ("number_reputation_enabled", True),
        ("bpo_verification_status", "approved"),
    ],
)
def test_update_with_immutable_field_is_400(
    api: TestClient, enterprise: dict[str, Any], name: str, value: Any
) -> None:
    url = f"/v2/enterprises/{enterprise['id']}"
    response = api.put(url, json={"doing_business_as": "Changed", name: value})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "10015"
    assert error["detail"] == f"Field '{name}' is not allowed in this request."
    assert error["source"] == {"pointer": f"/{name}"}
    assert current(api, enterprise["id"]) == enterprise


def test_update_with_invalid_value_is_422(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    url = f"/v2/enterprises/{enterprise['id']}"
    contact = dict(enterprise["organization_contact"], email="not-an-email")
    response = api.put(url, json={"organization_contact": contact, "fein": "1"})
    assert response.status_code == 422
    pointers = {error["source"]["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/organization_contact/email", "/fein"}
    assert current(api, enterprise["id"]) == enterprise


def test_update_with_null_required_field_is_422(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    url = f"/v2/enterprises/{enterprise['id']}"
    response = api.put(url, json={"legal_name": None, "billing_contact": None})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {error["source"]["pointer"] for error in errors} == {
        "/legal_name",
        "/billing_contact",
    }
    assert "null is not allowed" in errors[0]["detail"]
    assert current(api, enterprise["id"]) == enterprise


def test_update_with_null_clears_optional_field(api: TestClient) -> None:
    created = api.post(
        "/v2/enterprises", json=enterprise_body(customer_reference="crm-1")
    ).json()["data"]
    url = f"/v2/enterprises/{created['id']}"
    response = api.put(url, json={"customer_reference": None})
    assert response.status_code == 200
    assert response.json()["data"]["customer_reference"] is None


def test_update_to_taken_fein_is_409(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    other = api.post("/v2/enterprises", json=enterprise_body()).json()["data"]
    response = api.put(
        f"/v2/enterprises/{other['id']}", json={"fein": enterprise["fein"]}
    )
    assert response.status_code == 409
    assert response.headers["x-should-retry"] == "false"
    assert response.json()["errors"][0]["source"] == {"pointer": "/fein"}
    assert current(api, other["id"]) == other


def test_update_keeping_own_fein_is_allowed(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    url = f"/v2/enterprises/{enterprise['id']}"
    response = api.put(url, json={"fein": enterprise["fein"]})
    assert response.status_code == 200


def test_update_vetted_field_locked_while_enabled(
    api: TestClient, settings: Settings, enterprise: dict[str, Any]
) -> None:
    enable_reputation(settings, enterprise["id"])
    url = f"/v2/enterprises/{enterprise['id']}"

    locked = api.put(url, json={"legal_name": "New Name LLC"})
    assert locked.status_code == 400
    error = locked.json()["errors"][0]
    assert error["code"] == "10015"
    assert error["source"] == {"pointer": "/legal_name"}
    unchanged = api.put(url, json={"legal_name": enterprise["legal_name"]})
    assert unchanged.status_code == 200
    free = api.put(url, json={"customer_reference": "crm-9"})
    assert free.status_code == 200


def test_other_account_cannot_touch_enterprise(
    api: TestClient, other_account: AccountKeys, enterprise: dict[str, Any]
) -> None:
    url = f"/v2/enterprises/{enterprise['id']}"
    headers = other_account.headers()

    responses = [
        api.get(url, headers=headers),
        api.put(url, json={"doing_business_as": "Hijacked"}, headers=headers),
        api.delete(url, headers=headers),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "10009"
    assert current(api, enterprise["id"]) == enterprise


def test_delete_hides_enterprise(api: TestClient, enterprise: dict[str, Any]) -> None:
    url = f"/v2/enterprises/{enterprise['id']}"
    response = api.delete(url)
    assert response.status_code == 204
    assert response.content == b""

    assert api.get(url).status_code == 404
    assert api.put(url, json={"doing_business_as": "Gone"}).status_code == 404
    assert api.delete(url).status_code == 404
    listed = api.get("/v2/enterprises").json()
    assert listed["data"] == []
    assert listed["meta"]["total_results"] == 0


def test_delete_blocked_while_reputation_enabled(
    api: TestClient, settings: Settings, enterprise: dict[str, Any]
) -> None:
    enable_reputation(settings, enterprise["id"])
    url = f"/v2/enterprises/{enterprise['id']}"
    response = api.delete(url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "10015"
    assert api.get(url).status_code == 200
