"""External verification calls that the verification tests repeat.

The client is a FastAPI ``TestClient`` or an ``httpx.Client`` on a live server,
authenticated as the account; operator calls send the operator key.
"""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from numrep.app import build_services
from numrep.console.models import AuditEntry
from numrep.settings import Settings
from numrep.webhook.models import WebhookEvent
from tests.conftest import AccountKeys
from tests.reputation.flows import Client

# Valid US local numbers (area code 312) that no test adds to an inventory.
EXTERNAL_NUMBERS = [f"+1312555{line:04d}" for line in range(100, 120)]
STATUS_CHANGED = "number_reputation.external_verification.status_changed"


def path(enterprise_id: str) -> str:
    return f"/v2/enterprises/{enterprise_id}/reputation/external_verification"


def submit(client: Client, enterprise_id: str, **body: Any) -> httpx.Response:
    return client.post(path(enterprise_id), json=body)


def decide(
    client: Client,
    account: AccountKeys,
    enterprise_id: str,
    action: str,
    reason: str | None = None,
) -> httpx.Response:
    body = None if reason is None else {"reason": reason}
    return client.post(
        f"/v2/operator/external_verifications/{enterprise_id}/{action}",
        json=body,
        headers=account.headers(operator=True),
    )


def settings_status(client: Client, enterprise_id: str) -> Any:
    response = client.get(f"/v2/enterprises/{enterprise_id}/reputation")
    assert response.status_code == 200, response.text
    return response.json()["data"]["external_verification_status"]


def stored_events(settings: Settings) -> list[WebhookEvent]:
    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            return list(
                session.scalars(
                    sa.select(WebhookEvent)
                    .where(WebhookEvent.event_type == STATUS_CHANGED)
                    .order_by(WebhookEvent.occurred_at)
                )
            )
    finally:
        services.db.dispose()


def audit_actions(settings: Settings, enterprise_id: str) -> list[str]:
    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            return list(
                session.scalars(
                    sa.select(AuditEntry.action)
                    .where(
                        AuditEntry.subject_type == "external_verification",
                        AuditEntry.subject_id == enterprise_id,
                    )
                    .order_by(AuditEntry.created_at)
                )
            )
    finally:
        services.db.dispose()
