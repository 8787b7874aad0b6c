"""Every create field's contract: one 422 per bad value, with its pointer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import enterprise_body

Body = dict[str, Any]


def setting(path: str, value: Any) -> Callable[[Body], None]:
    """Return an edit that sets ``path`` (``a/b``) in a body to ``value``."""

    def edit(body: Body) -> None:
        *parents, leaf = path.split("/")
        target = body
        for name in parents:
            target = target[name]
        target[leaf] = value

    return edit


def removing(path: str) -> Callable[[Body], None]:
    def edit(body: Body) -> None:
        *parents, leaf = path.split("/")
        target = body
        for name in parents:
            target = target[name]
        del target[leaf]

    return edit


CASES: list[tuple[str, Callable[[Body], None]]] = [
    ("/legal_name", setting("legal_name", "AB")),
    ("/legal_name", setting("legal_name", "x" * 65)),
    ("/legal_name", removing("legal_name")),
    ("/legal_name", setting("legal_name", 12345)),
    ("/doing_business_as", setting("doing_business_as", "   ")),
    ("/doing_business_as", setting("doing_business_as", "x" * 256)),
    ("/organization_type", setting("organization_type", "private")),
    ("/organization_legal_type", setting("organization_legal_type", "sole")),
    ("/country_code", setting("country_code", "MX")),
    ("/country_code", setting("country_code", "us")),
    ("/jurisdiction_of_incorporation", removing("jurisdiction_of_incorporation")),
    ("/website", setting("website", "https://" + "x" * 250)),
    ("/fein", setting("fein", "12345678")),
    ("/fein", setting("fein", "12-345678")),
    ("/fein", setting("fein", "1234567890")),
    ("/fein", setting("fein", "AB-CDEFGHI")),
    ("/fein", setting("fein", 123456789)),
    ("/industry", setting("industry", "farming")),
    ("/number_of_employees", setting("number_of_employees", "5")),
    ("/organization_contact", removing("organization_contact")),
    ("/organization_contact/email", setting("organization_contact/email", "ana")),
    (
        "/organization_contact/phone_number",
        setting("organization_contact/phone_number", "5125550143"),
    ),
    ("/organization_contact/job_title", removing("organization_contact/job_title")),
    ("/billing_contact/email", removing("billing_contact/email")),
    (
        "/billing_contact/phone_number",
        setting("billing_contact/phone_number", "+1512555014x"),
    ),
    (
        "/organization_physical_address/country",
        setting("organization_physical_address/country", "MX"),
    ),
    (
        "/organization_physical_address/city",
        setting("organization_physical_address/city", "x" * 101),
    ),
    ("/billing_address/postal_code", setting("billing_address/postal_code", "9" * 21)),
    (
        "/billing_address/extended_address",
        setting("billing_address/extended_address", "x" * 256),
    ),
    ("/billing_address", setting("billing_address", "600 Congress Ave")),
    ("/dun_bradstreet_number", setting("dun_bradstreet_number", "12345")),
    (
        "/primary_business_domain_sic_code",
        setting("primary_business_domain_sic_code", "12a4"),
    ),
    (
        "/corporate_registration_number",
        setting("corporate_registration_number", "x" * 101),
    ),
    ("/customer_reference", setting("customer_reference", "x" * 256)),
    ("/professional_license_number", setting("professional_license_number", "x" * 101)),
    ("/role_type", setting("role_type", "vendor")),
]


@pytest.mark.parametrize(
    ("pointer", "edit"), CASES, ids=[f"{i:02}{p}" for i, (p, _) in enumerate(CASES)]
)
def test_invalid_field_is_422(
    api: TestClient, pointer: str, edit: Callable[[Body], None]
) -> None:
    body = enterprise_body()
    edit(body)
    response = api.post("/v2/enterprises", json=body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["source"] for error in errors] == [{"pointer": pointer}]
    assert errors[0]["code"] == "10005"
    assert errors[0]["title"] == "Invalid parameters"
    assert errors[0]["detail"]
    listed = api.get("/v2/enterprises").json()["meta"]["total_results"]
    assert listed == 0


def test_every_bad_field_is_reported(api: TestClient) -> None:
    body = enterprise_body(legal_name="AB", fein="1", industry="farming")
    del body["website"]
    response = api.post("/v2/enterprises", json=body)
    assert response.status_code == 422
    pointers = {error["source"]["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/legal_name", "/fein", "/industry", "/website"}


def test_unknown_industry_lists_the_choices(api: TestClient) -> None:
    response = api.post("/v2/enterprises", json=enterprise_body(industry="farming"))
    detail = response.json()["errors"][0]["detail"]
    assert "'farming' is not a known industry" in detail
    assert "real estate" in detail
    assert not detail.startswith("Value error")
