"""Letter of Authorization rendering through the in-process app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.documents.samples import (
    b64,
    pdf_image_count,
    pdf_text,
    sample_image,
    sample_pdf,
    stored_document_rows,
)
from tests.support.factories import enterprise_body


def agent_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "legal_name": "Northwind Call Partners Inc",
        "dba": "Northwind BPO",
        "street_address": "200 W Madison St",
        "extended_address": "Suite 1400",
        "city": "Chicago",
        "administrative_area": "IL",
        "postal_code": "60606",
        "country": "us",
        "contact_name": "Lee Park",
        "contact_title": "Compliance Lead",
        "contact_email": "lee@northwind.example.com",
        "contact_phone": "+13125550100",
    }
    body.update(overrides)
    return body


@pytest.fixture
def enterprise(api: TestClient) -> dict[str, Any]:
    response = api.post("/v2/enterprises", json=enterprise_body())
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def loa_path(enterprise: dict[str, Any]) -> str:
    return f"/v2/enterprises/{enterprise['id']}/reputation/loa"


def test_render_fills_enterprise_fields(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    response = api.post(loa_path(enterprise), json={})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in [
        enterprise["legal_name"],
        enterprise["doing_business_as"],
        enterprise["fein"],
        "600 Congress Ave",
        "Austin, TX 78701",
        "Ana Reyes, Operations Manager",
        "ana@example.com",
        "+15125550143",
        "authorizes the provider of this number",
    ]:
        assert expected in text, expected
    assert "Authorized agent" not in text
    assert pdf_image_count(response.content) == 0


def test_render_accepts_missing_body(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    response = api.post(loa_path(enterprise))
    assert response.status_code == 200, response.text
    assert enterprise["legal_name"] in pdf_text(response.content)


def test_render_includes_agent_block(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    response = api.post(loa_path(enterprise), json={"agent": agent_body()})
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    for expected in [
        "Authorized agent",
        "Northwind Call Partners Inc",
        "Northwind BPO",
        "Suite 1400",
        "Chicago, IL 60606",
        "Lee Park, Compliance Lead",
        "appoints Northwind Call Partners Inc as its agent",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_render_embeds_signature_image(
    api: TestClient, enterprise: dict[str, Any], image_format: str
) -> None:
    signature = {
        "image_base64": b64(sample_image(image_format)),
        "signer_name": "Kim Lo",
    }
    response = api.post(loa_path(enterprise), json={"signature": signature})
    assert response.status_code == 200, response.text
    assert pdf_image_count(response.content) == 1
    assert "Kim Lo" in pdf_text(response.content)


@pytest.mark.parametrize(
    ("legal_name", "printed"),
    [
        ("Café Montréal Dental", "Café Montréal Dental"),
        ("Žabka “Smile” Dental", 'Zabka "Smile" Dental'),
        ("東京 Dental Clinic", "?? Dental Clinic"),
    ],
    ids=["latin1", "accent-and-quotes", "no-latin-equivalent"],
)
def test_render_prints_names_in_latin1(
    api: TestClient, legal_name: str, printed: str
) -> None:
    created = api.post(
        "/v2/enterprises", json=enterprise_body(legal_name=legal_name)
    ).json()["data"]
    response = api.post(loa_path(created), json={})
    assert response.status_code == 200, response.text
    assert printed in pdf_text(response.content)


@pytest.mark.parametrize(
    "image_base64",
    [
        b64(b"this is not an image"),
        b64(sample_pdf()),
        b64(sample_image("PNG")[:60]),
        "not base64!",
    ],
    ids=["text", "pdf", "truncated-png", "invalid-base64"],
)
def test_render_rejects_bad_signature(
    api: TestClient,
    enterprise: dict[str, Any],
    settings: Settings,
    image_base64: str,
) -> None:
    response = api.post(
        loa_path(enterprise), json={"signature": {"image_base64": image_base64}}
    )
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "10005"
    assert error["source"]["pointer"] == "/signature/image_base64"
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


def test_render_rejects_oversized_signature(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    wide = sample_image("PNG", size=(5000, 10))
    response = api.post(
        loa_path(enterprise), json={"signature": {"image_base64": b64(wide)}}
    )
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/signature/image_base64"
    assert "5000x10" in error["detail"]


def test_render_rejects_agent_missing_fields(
    api: TestClient, enterprise: dict[str, Any], settings: Settings
) -> None:
    agent = agent_body()
    del agent["contact_email"]
    del agent["city"]
    response = api.post(loa_path(enterprise), json={"agent": agent})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert {error["code"] for error in errors} == {"10005"}
    assert {error["source"]["pointer"] for error in errors} == {
        "/agent/contact_email",
        "/agent/city",
    }
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_name", "x" * 201),
        ("country", "USA"),
        ("contact_email", "not-an-email"),
        ("contact_phone", "312-555-0100"),
        ("postal_code", "9" * 31),
        ("street_address", "   "),
    ],
)
def test_render_rejects_invalid_agent_field(
    api: TestClient, enterprise: dict[str, Any], field: str, value: str
) -> None:
    response = api.post(
        loa_path(enterprise), json={"agent": agent_body(**{field: value})}
    )
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == f"/agent/{field}"


def test_render_other_account_enterprise_is_404(
    api: TestClient, enterprise: dict[str, Any], other_account: AccountKeys
) -> None:
    response = api.post(loa_path(enterprise), json={}, headers=other_account.headers())
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10009"


def test_render_deleted_enterprise_is_404(
    api: TestClient, enterprise: dict[str, Any]
) -> None:
    assert api.delete(f"/v2/enterprises/{enterprise['id']}").status_code == 204
    response = api.post(loa_path(enterprise), json={})
    assert response.status_code == 404
