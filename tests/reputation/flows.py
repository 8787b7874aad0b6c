"""Onboarding steps that reputation tests repeat, over any HTTP client.

The client is a FastAPI ``TestClient`` or an ``httpx.Client`` on a live server,
authenticated as the account; operator calls pass the operator key.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any, Protocol

import httpx
from fpdf import FPDF

from numrep.app import build_services
from numrep.reputation import vetting
from numrep.reputation.gates import open_settings
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.factories import enterprise_body

# Valid US numbers: area code 212 with the fictional 555-01xx line range.
US_NUMBERS = [f"+1212555{line:04d}" for line in range(100, 200)]


class Client(Protocol):
    def get(self, url: str, **kwargs: Any) -> httpx.Response: ...
    def post(self, url: str, **kwargs: Any) -> httpx.Response: ...
    def patch(self, url: str, **kwargs: Any) -> httpx.Response: ...
    def delete(self, url: str, **kwargs: Any) -> httpx.Response: ...


def loa_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Signed Letter of Authorization")
    return bytes(pdf.output())


def upload_loa(client: Client, *, headers: dict[str, str] | None = None) -> str:
    encoded = base64.b64encode(loa_pdf()).decode("ascii")
    response = client.post(
        "/v2/documents",
        json={"file": encoded, "filename": "loa.pdf"},
        headers=headers or {},
    )
    assert response.status_code in (200, 201), response.text
    document_id: str = response.json()["data"]["id"]
    return document_id


def create_enterprise(client: Client, **overrides: Any) -> str:
    response = client.post("/v2/enterprises", json=enterprise_body(**overrides))
    assert response.status_code == 201, response.text
    enterprise_id: str = response.json()["data"]["id"]
    return enterprise_id


def agree_terms(client: Client) -> None:
    response = client.post("/v2/terms_of_service/number_reputation/agree")
    assert response.status_code == 200, response.text


def enable(client: Client, enterprise_id: str, **body: Any) -> httpx.Response:
    return client.post(f"/v2/enterprises/{enterprise_id}/reputation", json=body)


def run_vetting(settings: Settings, enterprise_id: str) -> str | None:
    """Decide the pending enablement the way the worker's vetting step does."""
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            current = open_settings(session, enterprise_id=uuid.UUID(enterprise_id))
            assert current is not None
            return vetting.run_vetting(session, settings_id=current.id)
    finally:
        services.db.dispose()


def approve_loa(client: Client, account: AccountKeys, enterprise_id: str) -> None:
    response = client.post(
        f"/v2/operator/enterprises/{enterprise_id}/reputation/loa/approve",
        headers=account.headers(operator=True),
    )
    assert response.status_code == 200, response.text


def add_inventory(client: Client, account: AccountKeys, numbers: list[str]) -> None:
    response = client.post(
        f"/v2/operator/accounts/{account.account_id}/inventory",
        json={"phone_numbers": numbers},
        headers=account.headers(operator=True),
    )
    assert response.status_code == 201, response.text


def approved_enterprise(
    client: Client, account: AccountKeys, settings: Settings, **overrides: Any
) -> str:
    """Create an enterprise with reputation enabled, vetted and its LOA approved."""
    agree_terms(client)
    enterprise_id = create_enterprise(client, **overrides)
    response = enable(client, enterprise_id, loa_document_id=upload_loa(client))
    assert response.status_code == 201, response.text
    assert run_vetting(settings, enterprise_id) == "approved"
    approve_loa(client, account, enterprise_id)
    return enterprise_id


def associate(client: Client, enterprise_id: str, numbers: list[str]) -> httpx.Response:
    return client.post(
        f"/v2/enterprises/{enterprise_id}/reputation/numbers",
        json={"phone_numbers": numbers},
    )
