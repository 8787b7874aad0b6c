"""Terms-of-service endpoints through the in-process app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from numrep.tos.service import CURRENT_TERMS, ProductType
from tests.conftest import AccountKeys

AGREE_NR = "/v2/terms_of_service/number_reputation/agree"
AGREE_BC = "/v2/terms_of_service/branded_calling/agree"
CURRENT_NR = CURRENT_TERMS[ProductType.NUMBER_REPUTATION]


def test_status_defaults_to_branded_calling(api: TestClient) -> None:
    data = api.get("/v2/terms_of_service/status").json()["data"]
    assert data == {
        "product_type": "branded_calling",
        "current_terms_version": CURRENT_TERMS[ProductType.BRANDED_CALLING].version,
        "has_agreed": False,
        "agreement_required": True,
        "agreed_at": None,
        "agreed_version": None,
    }


def test_agree_records_current_terms(api: TestClient) -> None:
    response = api.post(AGREE_NR)
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {
        "id",
        "product_type",
        "terms_version",
        "version",
        "agreed_at",
        "created_at",
    }
    assert data["product_type"] == "number_reputation"
    assert data["terms_version"] == CURRENT_NR.version
    assert data["version"] == CURRENT_NR.version
    assert data["agreed_at"].endswith("Z")


def test_agree_twice_returns_same_record(api: TestClient) -> None:
    first = api.post(AGREE_NR).json()["data"]
    second = api.post(AGREE_NR)
    assert second.status_code == 200
    assert second.json()["data"] == first
    listed = api.get("/v2/terms_of_service/agreements").json()
    assert listed["meta"]["total_results"] == 1


def test_status_after_agree(api: TestClient) -> None:
    agreement = api.post(AGREE_NR).json()["data"]
    status = api.get(
        "/v2/terms_of_service/status", params={"product_type": "number_reputation"}
    ).json()["data"]
    assert status["has_agreed"] is True
    assert status["agreement_required"] is False
    assert status["agreed_at"] == agreement["agreed_at"]
    assert status["agreed_version"] == CURRENT_NR.version

    branded = api.get("/v2/terms_of_service/status").json()["data"]
    assert branded["has_agreed"] is False


def test_agreement_is_per_account(api: TestClient, other_account: AccountKeys) -> None:
    agreement = api.post(AGREE_NR).json()["data"]
    headers = other_account.headers()
    status = api.get(
        "/v2/terms_of_service/status",
        params={"product_type": "number_reputation"},
        headers=headers,
    ).json()["data"]
    assert status["has_agreed"] is False
    url = f"/v2/terms_of_service/agreements/{agreement['id']}"
    foreign = api.get(url, headers=headers)
    assert foreign.status_code == 404
    assert foreign.json()["errors"][0]["code"] == "10009"
    assert api.get(url).json()["data"] == agreement


def test_agreements_filter_by_product(api: TestClient) -> None:
    reputation = api.post(AGREE_NR).json()["data"]
    branded = api.post(AGREE_BC).json()["data"]
    assert branded["product_type"] == "branded_calling"

    everything = api.get("/v2/terms_of_service/agreements").json()["data"]
    assert [item["id"] for item in everything] == [branded["id"], reputation["id"]]
    only = api.get(
        "/v2/terms_of_service/agreements", params={"product_type": "number_reputation"}
    ).json()["data"]
    assert [item["id"] for item in only] == [reputation["id"]]


def test_unknown_agreement_is_404(api: TestClient) -> None:
    response = api.get(
        "/v2/terms_of_service/agreements/00000000-0000-4000-8000-000000000000"
    )
    assert response.status_code == 404
    malformed = api.get("/v2/terms_of_service/agreements/nope")
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["source"] == {"parameter": "agreement_id"}


@pytest.mark.parametrize(
    "path",
    [
        "/v2/terms_of_service/status",
        "/v2/terms_of_service/info",
        "/v2/terms_of_service/agreements",
    ],
)
def test_unknown_product_type_is_422(api: TestClient, path: str) -> None:
    response = api.get(path, params={"product_type": "voice"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "10005"
    assert error["source"] == {"parameter": "product_type"}


def test_info_lists_both_products(api: TestClient) -> None:
    body = api.get("/v2/terms_of_service/info").json()
    assert set(body) == {"agreements"}
    products = {item["product_type"]: item for item in body["agreements"]}
    assert set(products) == {"branded_calling", "number_reputation"}
    reputation = products["number_reputation"]
    assert reputation["current_version"] == CURRENT_NR.version
    assert reputation["effective_date"] == CURRENT_NR.effective_date.isoformat()
    assert reputation["description"]
    assert reputation["terms_url"].endswith("/terms/number_reputation")

    scoped = api.get(
        "/v2/terms_of_service/info", params={"product_type": "branded_calling"}
    ).json()
    assert [item["product_type"] for item in scoped["agreements"]] == [
        "branded_calling"
    ]


def test_terms_url_serves_text_without_key(app_client: TestClient) -> None:
    for product in ProductType:
        response = app_client.get(f"/terms/{product}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert f"version {CURRENT_TERMS[product].version}" in response.text
    unknown = app_client.get("/terms/voice")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["source"] == {"parameter": "product_type"}


def test_agree_needs_key(app_client: TestClient) -> None:
    response = app_client.post(AGREE_NR)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "10001"
