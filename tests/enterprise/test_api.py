"""Enterprise endpoints through the in-process app."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import AccountKeys
from tests.support.factories import enterprise_body


def test_create_returns_201_with_enterprise(api: TestClient) -> None:
    response = api.post("/v2/enterprises", json=enterprise_body())
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["legal_name"] == "Bright Smile Dental LLC"
    assert data["number_reputation_enabled"] is False


def test_create_rejects_short_legal_name(api: TestClient) -> None:
    response = api.post("/v2/enterprises", json=enterprise_body(legal_name="AB"))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "10005"
    assert error["source"]["pointer"] == "/legal_name"
    assert api.get("/v2/enterprises").json()["meta"]["total_results"] == 0


def test_other_account_enterprise_is_404(
    api: TestClient, other_account: AccountKeys
) -> None:
    created = api.post("/v2/enterprises", json=enterprise_body()).json()["data"]
    response = api.get(
        f"/v2/enterprises/{created['id']}", headers=other_account.headers()
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10009"
