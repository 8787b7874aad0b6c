"""The console in Chromium against a live server with its worker.

Each test saves a screenshot of the page it works under docs/screenshots/.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from numrep.app import build_services
from numrep.console.models import AuditEntry
from numrep.reputation.models import LoaStatus, ReputationSettings
from numrep.settings import Settings
from numrep.webhook.models import EventStatus, WebhookEvent
from tests.conftest import AccountKeys
from tests.console.helpers import SwitchableReceiver
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "docs/examples/scenario.json"
SCREENSHOTS = ROOT / "docs/screenshots"
PURPOSE = "Delivery updates for a grocery chain."


@pytest.fixture
def receiver() -> Iterator[SwitchableReceiver]:
    server = SwitchableReceiver(status=200)
    yield server
    server.stop()


@pytest.fixture
def server(live_server_with: Callable[..., LiveServer], tmp_path: Path) -> LiveServer:
    """A live server on the example scenario, with webhook retries in about 1 s."""
    scenario = tmp_path / "scenario.json"
    shutil.copyfile(SCENARIO, scenario)
    networks = [
        {"name": name, "kind": "sandbox", "scenario_file": str(scenario)}
        for name in ("hiya", "first_orion", "tns")
    ]
    return live_server_with(
        NUMREP_NETWORKS=json.dumps(networks), NUMREP_WEBHOOK_RETRY_SCALE="0.00001"
    )


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, base_url: str, api_key: str) -> None:
    page.goto(f"{base_url}/console/signin")
    page.get_by_label("Operator API key").fill(api_key)
    page.get_by_role("button", name="Sign in").click()


def _submit(
    server: LiveServer,
    account: AccountKeys,
    enterprise_id: uuid.UUID,
    numbers: list[str],
    webhook_url: str,
) -> str:
    response = httpx.post(
        f"{server.base_url}/v2/enterprises/{enterprise_id}/reputation/remediation",
        json={
            "phone_numbers": numbers,
            "call_purpose": PURPOSE,
            "webhook_url": webhook_url,
        },
        headers=account.headers(),
        timeout=30,
    )
    assert response.status_code == 202, response.text
    request_id: str = response.json()["data"]["id"]
    return request_id


def _reload_until(page: Page, check: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"page never matched: {page.url}"
        time.sleep(0.5)
        page.reload()


def test_case_decided_completes_request(
    page: Page,
    server: LiveServer,
    receiver: SwitchableReceiver,
    settings: Settings,
    account: AccountKeys,
) -> None:
    # A number ending in 4 is upheld in tier 1 everywhere. Hiya and tns clear it
    # in tier 2, but first_orion has no escalation API, so an operator decides.
    number = us_numbers(5)[4]
    enterprise_id = approved_enterprise(settings, account.account_id, [number])
    request_id = _submit(server, account, enterprise_id, [number], receiver.url)

    _sign_in(page, server.base_url, account.operator_key)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.goto(f"{server.base_url}/console/queue")
    page.get_by_label("Network").select_option("first_orion")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"network=first_orion"))
    rows = page.locator("tr.case")
    _reload_until(page, lambda: rows.count() == 1)
    expect(page.locator("#queue-count")).to_contain_text("1 open case(s)")
    row = rows.first
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("first_orion")
    row.locator("summary").click()
    expect(row).to_contain_text(PURPOSE)
    expect(row.get_by_role("link", name="Download LOA")).to_be_visible()
    _screenshot(page, "queue")
    page.goto(f"{server.base_url}/console/")
    expect(page.locator("#waiting-by-network")).to_contain_text("first_orion")
    _screenshot(page, "dashboard")
    page.go_back()
    row.locator("summary").click()

    row.get_by_role("checkbox").check()
    page.locator("select[name=decision]").select_option("cleared")
    page.locator("input[name=note]").fill("Cleared by First Orion by e-mail.")
    page.get_by_role("button", name="Decide selected").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded 'cleared' on 1")
    expect(page.locator("#queue-count")).to_contain_text("0 open case(s)")

    page.goto(f"{server.base_url}/console/requests/{request_id}")
    status = page.locator("#request-status")
    _reload_until(page, lambda: status.inner_text() == "completed")
    audit = page.locator("section.audit")
    expect(audit).to_contain_text("review_case.decided")
    expect(audit).to_contain_text('"cleared"')
    expect(page.locator("table.numbers")).to_contain_text("first_orion t2: cleared")
    _screenshot(page, "request")

    page.goto(f"{server.base_url}/console/")
    expect(page.locator("#requests-by-status")).to_contain_text("completed")


def test_loa_approved(
    page: Page, server: LiveServer, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id = approved_enterprise(settings, account.account_id, [])
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            session.execute(
                sa.update(ReputationSettings)
                .where(ReputationSettings.enterprise_id == enterprise_id)
                .values(loa_status=LoaStatus.PENDING)
            )
    finally:
        services.db.dispose()

    _sign_in(page, server.base_url, account.operator_key)
    page.goto(f"{server.base_url}/console/approvals")
    row = page.locator(f'tr[data-enterprise-id="{enterprise_id}"]')
    expect(row).to_contain_text("pending")
    _screenshot(page, "approvals")
    row.get_by_role("button", name="Approve LOA").click()
    expect(page.get_by_role("status")).to_contain_text("LOA approved.")
    expect(row).to_have_count(0)
    expect(page.locator("section.audit")).to_contain_text("loa.approved")

    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            stored = session.scalar(
                sa.select(ReputationSettings.loa_status).where(
                    ReputationSettings.enterprise_id == enterprise_id
                )
            )
            actions = session.scalars(
                sa.select(AuditEntry.action).where(
                    AuditEntry.subject_id == str(enterprise_id)
                )
            ).all()
    finally:
        services.db.dispose()
    assert stored == LoaStatus.APPROVED
    assert actions == ["loa.approved"]


def _event_statuses(settings: Settings) -> dict[uuid.UUID, str]:
    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            rows = session.execute(sa.select(WebhookEvent.id, WebhookEvent.status))
            return {event_id: status for event_id, status in rows}
    finally:
        services.db.dispose()


def test_failed_webhook_redelivered(
    page: Page, server: LiveServer, settings: Settings, account: AccountKeys
) -> None:
    failing = SwitchableReceiver(status=500)
    try:
        # Numbers ending in 0 are not flagged, so the request completes in tier 1
        # and its events fail all 8 attempts within about a second.
        numbers = us_numbers(1)
        enterprise_id = approved_enterprise(settings, account.account_id, numbers)
        _submit(server, account, enterprise_id, numbers, failing.url)

        _sign_in(page, server.base_url, account.operator_key)
        page.goto(f"{server.base_url}/console/webhooks?status=failed")
        rows = page.locator("table.events tr[data-event-id]")
        _reload_until(page, lambda: rows.count() >= 1)
        row = rows.first
        event_id = uuid.UUID(row.get_attribute("data-event-id") or "")
        expect(row.locator(".status")).to_have_text("failed")
        expect(row).to_contain_text("#8 failed 500")
        _screenshot(page, "webhooks")

        failing.status = 200
        received = failing.received
        row.get_by_role("button", name="Redeliver").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Redelivery queued as attempt 9."
        )
        deadline = time.monotonic() + 30
        while _event_statuses(settings)[event_id] != EventStatus.DELIVERED:
            assert time.monotonic() < deadline, "redelivery never succeeded"
            time.sleep(0.3)
        assert failing.received > received
        page.goto(f"{server.base_url}/console/webhooks?status=delivered")
        delivered = page.locator(f'tr[data-event-id="{event_id}"]')
        expect(delivered).to_contain_text("#9 delivered 200")
        expect(page.locator("section.audit")).to_contain_text(
            "webhook_event.redelivered"
        )
    finally:
        failing.stop()


def test_customer_key_refused(
    page: Page, live_server: LiveServer, account: AccountKeys
) -> None:
    _sign_in(page, live_server.base_url, account.api_key)
    expect(page.get_by_role("alert")).to_contain_text(
        "the console accepts operator API keys only"
    )
    _screenshot(page, "signin")
    page.goto(f"{live_server.base_url}/console/queue")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
