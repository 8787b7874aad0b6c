"""The external verifications page in Chromium against a live server."""

from __future__ import annotations

import base64

import httpx
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from numrep.app import build_services
from numrep.console.models import AuditEntry
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.console.helpers import sign_in
from tests.console.test_browser import _screenshot, _sign_in
from tests.reputation import flows
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise


def _submit(server: LiveServer, account: AccountKeys, enterprise_id: str) -> str:
    with httpx.Client(
        base_url=server.base_url, headers=account.headers(), timeout=30
    ) as client:
        encoded = base64.b64encode(flows.loa_pdf()).decode("ascii")
        uploaded = client.post(
            "/v2/documents", json={"file": encoded, "filename": "invoice.pdf"}
        )
        assert uploaded.status_code in (200, 201), uploaded.text
        document_id: str = uploaded.json()["data"]["id"]
        response = client.post(
            f"/v2/enterprises/{enterprise_id}/reputation/external_verification",
            json={"document_ids": [document_id], "phone_numbers": ["+13125550160"]},
        )
    assert response.status_code in (200, 201), response.text
    return document_id


def _audit_actions(settings: Settings, enterprise_id: str) -> list[str]:
    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            return list(
                session.scalars(
                    sa.select(AuditEntry.action)
                    .where(AuditEntry.subject_id == enterprise_id)
                    .order_by(AuditEntry.created_at)
                )
            )
    finally:
        services.db.dispose()


def test_verification_rejected_then_approved(
    page: Page, live_server: LiveServer, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = str(approved_enterprise(settings, account.account_id, []))
    document_id = _submit(live_server, account, enterprise_id)

    _sign_in(page, live_server.base_url, account.operator_key)
    page.get_by_role("link", name="External verifications").click()
    row = page.locator(f'tr[data-enterprise-id="{enterprise_id}"]')
    expect(row).to_contain_text("+13125550160")
    _screenshot(page, "verifications")

    download = page.request.get(
        f"{live_server.base_url}/console/enterprises/{enterprise_id}"
        f"/verification_documents/{document_id}"
    )
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"

    row.get_by_role("button", name="Reject verification").click()
    expect(page.get_by_role("alert")).to_contain_text("needs a reason")
    row.get_by_label("Reason for rejection").fill("The invoice is not legible.")
    row.get_by_role("button", name="Reject verification").click()
    expect(page.get_by_role("status")).to_contain_text(
        "External verification rejected."
    )
    expect(row).to_have_count(0)
    expect(page.locator("section.audit")).to_contain_text(
        "external_verification.rejected"
    )

    _submit(live_server, account, enterprise_id)
    page.reload()
    row.get_by_role("button", name="Approve verification").click()
    expect(page.get_by_role("status")).to_contain_text(
        "External verification approved."
    )
    expect(row).to_have_count(0)

    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        stored = client.get(
            f"/v2/enterprises/{enterprise_id}/reputation/external_verification",
            headers=account.headers(),
        ).json()["data"]
    assert stored["status"] == "approved"
    assert _audit_actions(settings, enterprise_id) == [
        "external_verification.rejected",
        "external_verification.approved",
    ]


def test_decision_without_csrf_is_403(
    live_server: LiveServer, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = str(approved_enterprise(settings, account.account_id, []))
    _submit(live_server, account, enterprise_id)
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        assert sign_in(client, account.operator_key).status_code == 303
        response = client.post(
            f"/console/verifications/{enterprise_id}", data={"action": "approve"}
        )
        assert response.status_code == 403
        status = client.get(
            f"/v2/enterprises/{enterprise_id}/reputation/external_verification",
            headers=account.headers(),
        ).json()["data"]["status"]
    assert status == "pending"
    assert _audit_actions(settings, enterprise_id) == []
