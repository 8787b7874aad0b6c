"""Reputation settings endpoints through the in-process app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.reputation import flows


@pytest.fixture
def enterprise_id(api: TestClient) -> str:
    flows.agree_terms(api)
    return flows.create_enterprise(api)


def test_enable_returns_201_pending(api: TestClient, enterprise_id: str) -> None:
    document_id = flows.upload_loa(api)
    response = flows.enable(api, enterprise_id, loa_document_id=document_id)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"] == "pending"
    assert data["loa_status"] == "pending"
    assert data["loa_document_id"] == document_id
    assert data["check_frequency"] == "business_daily"
    assert data["rejection_reasons"] is None
    enterprise = api.get(f"/v2/enterprises/{enterprise_id}").json()["data"]
    assert enterprise["number_reputation_enabled"] is True


def test_enable_without_terms_is_403(api: TestClient) -> None:
    enterprise_id = flows.create_enterprise(api)
    response = flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    assert response.status_code == 403
    assert "terms_of_service_not_accepted" in response.json()["errors"][0]["detail"]
    assert api.get(f"/v2/enterprises/{enterprise_id}/reputation").status_code == 404


@pytest.mark.parametrize(
    "document_id",
    ["not-a-uuid", "0b6e8f5a-2c1d-4e7b-9a3f-5d4c3b2a1f00", "", "   "],
    ids=repr,
)
def test_enable_rejects_unknown_document(
    api: TestClient, enterprise_id: str, document_id: str
) -> None:
    response = flows.enable(api, enterprise_id, loa_document_id=document_id)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "10005"
    assert error["source"]["pointer"] == "/loa_document_id"
    assert api.get(f"/v2/enterprises/{enterprise_id}/reputation").status_code == 404


def test_enable_rejects_other_account_document(
    api: TestClient, enterprise_id: str, other_account: AccountKeys
) -> None:
    theirs = flows.upload_loa(api, headers=other_account.headers())
    response = flows.enable(api, enterprise_id, loa_document_id=theirs)
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/loa_document_id"


def test_enable_rejects_unknown_field(api: TestClient, enterprise_id: str) -> None:
    response = flows.enable(
        api, enterprise_id, loa_document_id=flows.upload_loa(api), colour="blue"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/colour"
    assert api.get(f"/v2/enterprises/{enterprise_id}/reputation").status_code == 404


def test_enable_rejects_bad_frequency(api: TestClient, enterprise_id: str) -> None:
    response = flows.enable(
        api,
        enterprise_id,
        loa_document_id=flows.upload_loa(api),
        check_frequency="hourly",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/check_frequency"


def test_enable_twice_is_400(api: TestClient, enterprise_id: str) -> None:
    document_id = flows.upload_loa(api)
    assert (
        flows.enable(api, enterprise_id, loa_document_id=document_id).status_code == 201
    )
    response = flows.enable(api, enterprise_id, loa_document_id=document_id)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "10015"


def test_other_account_enterprise_is_404(
    api: TestClient, enterprise_id: str, other_account: AccountKeys
) -> None:
    document_id = flows.upload_loa(api)
    flows.enable(api, enterprise_id, loa_document_id=document_id)
    headers = other_account.headers()
    path = f"/v2/enterprises/{enterprise_id}/reputation"
    assert api.get(path, headers=headers).status_code == 404
    assert api.delete(path, headers=headers).status_code == 404
    patched = api.patch(f"{path}/webhook", json={"webhook_url": None}, headers=headers)
    assert patched.status_code == 404


def test_vetting_approves_then_frequency_changes(
    api: TestClient, enterprise_id: str, settings: Settings
) -> None:
    flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    path = f"/v2/enterprises/{enterprise_id}/reputation/frequency"
    pending = api.patch(path, json={"check_frequency": "weekly"})
    assert pending.status_code == 400
    assert "pending" in pending.json()["errors"][0]["detail"]

    assert flows.run_vetting(settings, enterprise_id) == "approved"
    response = api.patch(path, json={"check_frequency": "weekly"})
    assert response.status_code == 200
    assert response.json()["data"]["check_frequency"] == "weekly"
    assert response.json()["data"]["status"] == "approved"


def test_vetting_rejects_marked_legal_name(api: TestClient, settings: Settings) -> None:
    flows.agree_terms(api)
    enterprise_id = flows.create_enterprise(api, legal_name="REJECT Holdings LLC")
    flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    assert flows.run_vetting(settings, enterprise_id) == "rejected"

    data = api.get(f"/v2/enterprises/{enterprise_id}/reputation").json()["data"]
    assert data["status"] == "rejected"
    assert data["rejection_reasons"]
    assert "REJECT Holdings LLC" in data["rejection_reasons"][0]

    again = flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    assert again.status_code == 201
    assert again.json()["data"]["status"] == "pending"
    assert again.json()["data"]["rejection_reasons"] is None


def test_webhook_url_rules(api: TestClient, enterprise_id: str) -> None:
    flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    path = f"/v2/enterprises/{enterprise_id}/reputation/webhook"

    set_url = api.patch(path, json={"webhook_url": "https://hooks.example.com/rep"})
    assert set_url.status_code == 200
    assert set_url.json()["data"]["webhook_url"] == "https://hooks.example.com/rep"

    missing = api.patch(path, json={})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["source"]["pointer"] == "/webhook_url"

    cleared = api.patch(path, json={"webhook_url": None})
    assert cleared.status_code == 200
    assert cleared.json()["data"]["webhook_url"] is None


def test_webhook_url_must_be_https(
    app_client: TestClient, account: AccountKeys, settings: Settings
) -> None:
    strict = settings.model_copy(update={"webhook_allow_private_targets": False})
    from numrep.app import create_app

    with TestClient(create_app(strict), raise_server_exceptions=False) as client:
        client.headers.update(account.headers())
        flows.agree_terms(client)
        enterprise_id = flows.create_enterprise(client)
        flows.enable(client, enterprise_id, loa_document_id=flows.upload_loa(client))
        path = f"/v2/enterprises/{enterprise_id}/reputation/webhook"
        for url in ("http://hooks.example.com/rep", "https://127.0.0.1/rep", "ftp://x"):
            response = client.patch(path, json={"webhook_url": url})
            assert response.status_code == 422, url
            assert response.json()["errors"][0]["source"]["pointer"] == "/webhook_url"
        stored = client.get(f"/v2/enterprises/{enterprise_id}/reputation")
        assert stored.json()["data"]["webhook_url"] is None
    del app_client


def test_loa_swap_resets_then_locks(
    api: TestClient, enterprise_id: str, account: AccountKeys
) -> None:
    flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    reject = api.post(
        f"/v2/operator/enterprises/{enterprise_id}/reputation/loa/reject",
        json={"reason": "The signature is missing."},
        headers=account.headers(operator=True),
    )
    assert reject.status_code == 200
    assert reject.json()["data"]["loa_status"] == "rejected"

    replacement = flows.upload_loa(api)
    path = f"/v2/enterprises/{enterprise_id}/reputation/loa"
    swapped = api.patch(path, json={"loa_document_id": replacement})
    assert swapped.status_code == 200
    assert swapped.json()["data"]["loa_status"] == "pending"
    assert swapped.json()["data"]["loa_document_id"] == replacement

    flows.approve_loa(api, account, enterprise_id)
    locked = api.patch(path, json={"loa_document_id": flows.upload_loa(api)})
    assert locked.status_code == 400
    assert "approved" in locked.json()["errors"][0]["detail"]
    current = api.get(f"/v2/enterprises/{enterprise_id}/reputation").json()["data"]
    assert current["loa_document_id"] == replacement


def test_operator_endpoints_need_operator_key(
    api: TestClient, enterprise_id: str
) -> None:
    flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    response = api.post(
        f"/v2/operator/enterprises/{enterprise_id}/reputation/loa/approve"
    )
    assert response.status_code == 403
    status = api.get(f"/v2/enterprises/{enterprise_id}/reputation").json()["data"]
    assert status["loa_status"] == "pending"


def test_disable_then_get_is_404(
    api: TestClient, account: AccountKeys, settings: Settings
) -> None:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    flows.add_inventory(api, account, flows.US_NUMBERS[:2])
    assert flows.associate(api, enterprise_id, flows.US_NUMBERS[:2]).status_code == 201

    path = f"/v2/enterprises/{enterprise_id}/reputation"
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    assert api.delete(path).status_code == 404
    removed = api.get(
        f"{path}/numbers", params={"filter[ownership_status]": "removed"}
    ).json()["data"]
    assert sorted(row["phone_number"] for row in removed) == flows.US_NUMBERS[:2]
    assert {row["removal_reason"] for row in removed} == {"customer_removed"}
    enterprise = api.get(f"/v2/enterprises/{enterprise_id}").json()["data"]
    assert enterprise["number_reputation_enabled"] is False

    again = flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    assert again.status_code == 201
    assert again.json()["data"]["status"] == "pending"
    assert again.json()["data"]["loa_status"] == "pending"
