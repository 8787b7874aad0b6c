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


def list_ids(api: TestClient, **params: str) -> list[str]:
    response = api.get("/v2/enterprises", params={"page[size]": "250", **params})
    assert response.status_code == 200
    return [item["id"] for item in response.json()["data"]]


def test_create_echoes_every_field(api: TestClient) -> None:
    body = enterprise_body(
        corporate_registration_number="C1234567",
        customer_reference="crm-42",
        dun_bradstreet_number="123456789",
        primary_business_domain_sic_code="8021",
        professional_license_number="TX-DDS-1",
        role_type="bpo",
    )
    body["organization_physical_address"]["extended_address"] = "Suite 300"
    body["billing_address"]["extended_address"] = None
    response = api.post("/v2/enterprises", json=body)
    assert response.status_code == 201
    data = response.json()["data"]

    for name, value in body.items():
        assert data[name] == value, name
    assert data["record_type"] == "enterprise"
    assert data["branded_calling_enabled"] is False
    assert data["bpo_verification_status"] is None
    assert data["created_at"].endswith("Z")
    assert data["updated_at"] == data["created_at"]
    assert api.get(f"/v2/enterprises/{data['id']}").json()["data"] == data


def test_optional_fields_default_to_null(api: TestClient) -> None:
    data = api.post("/v2/enterprises", json=enterprise_body()).json()["data"]
    for name in (
        "corporate_registration_number",
        "customer_reference",
        "dun_bradstreet_number",
        "primary_business_domain_sic_code",
        "professional_license_number",
    ):
        assert data[name] is None, name
    assert data["role_type"] == "enterprise"
    assert data["organization_physical_address"]["extended_address"] is None


def test_industry_is_case_insensitive(api: TestClient) -> None:
    response = api.post("/v2/enterprises", json=enterprise_body(industry="Real Estate"))
    assert response.status_code == 201
    assert response.json()["data"]["industry"] == "real estate"


def test_every_industry_is_accepted(api: TestClient) -> None:
    from numrep.enterprise.schemas import INDUSTRIES

    assert len(INDUSTRIES) == 43
    for industry in sorted(INDUSTRIES):
        body = enterprise_body(industry=industry.upper())
        response = api.post("/v2/enterprises", json=body)
        assert response.status_code == 201, industry
        assert response.json()["data"]["industry"] == industry


def test_both_fein_formats_are_accepted(api: TestClient) -> None:
    dashed = api.post("/v2/enterprises", json=enterprise_body(fein="12-3456789"))
    plain = api.post("/v2/enterprises", json=enterprise_body(fein="987654321"))
    assert dashed.status_code == 201
    assert dashed.json()["data"]["fein"] == "12-3456789"
    assert plain.status_code == 201
    assert plain.json()["data"]["fein"] == "987654321"


def test_duplicate_fein_is_409(api: TestClient) -> None:
    first = api.post("/v2/enterprises", json=enterprise_body(fein="12-3456789"))
    assert first.status_code == 201
    duplicate = api.post(
        "/v2/enterprises", json=enterprise_body(fein="123456789", legal_name="Other")
    )

    assert duplicate.status_code == 409
    assert duplicate.headers["x-should-retry"] == "false"
    error = duplicate.json()["errors"][0]
    assert error["code"] == "10021"
    assert error["source"] == {"pointer": "/fein"}
    assert list_ids(api) == [first.json()["data"]["id"]]


def test_same_fein_in_other_account_is_allowed(
    api: TestClient, other_account: AccountKeys
) -> None:
    body = enterprise_body()
    assert api.post("/v2/enterprises", json=body).status_code == 201
    other = api.post("/v2/enterprises", json=body, headers=other_account.headers())
    assert other.status_code == 201


def test_fein_is_reusable_after_delete(api: TestClient) -> None:
    body = enterprise_body()
    first = api.post("/v2/enterprises", json=body).json()["data"]
    assert api.delete(f"/v2/enterprises/{first['id']}").status_code == 204
    again = api.post("/v2/enterprises", json=body)
    assert again.status_code == 201
    assert again.json()["data"]["id"] != first["id"]


def test_get_unknown_enterprise_is_404(api: TestClient) -> None:
    response = api.get("/v2/enterprises/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10009"


def test_list_is_newest_first(api: TestClient) -> None:
    created = [
        api.post("/v2/enterprises", json=enterprise_body()).json()["data"]["id"]
        for _ in range(4)
    ]
    assert list_ids(api) == list(reversed(created))


def test_list_shows_only_own_enterprises(
    api: TestClient, other_account: AccountKeys
) -> None:
    mine = api.post("/v2/enterprises", json=enterprise_body()).json()["data"]["id"]
    api.post("/v2/enterprises", json=enterprise_body(), headers=other_account.headers())
    assert list_ids(api) == [mine]


def test_list_filters(api: TestClient) -> None:
    acme = api.post(
        "/v2/enterprises", json=enterprise_body(legal_name="Acme 100% Widgets")
    ).json()["data"]["id"]
    bpo = api.post(
        "/v2/enterprises",
        json=enterprise_body(legal_name="Call Center Co", role_type="bpo"),
    ).json()["data"]["id"]

    assert list_ids(api, **{"filter[legal_name][contains]": "widgets"}) == [acme]
    assert list_ids(api, **{"filter[legal_name][contains]": "100%"}) == [acme]
    assert list_ids(api, **{"filter[legal_name][contains]": "0_"}) == []
    assert list_ids(api, legal_name="CENTER") == [bpo]
    assert list_ids(api, **{"filter[role_type]": "bpo"}) == [bpo]
    assert list_ids(api, **{"filter[role_type]": "enterprise"}) == [acme]
