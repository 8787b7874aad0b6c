"""Audit entries of operator decisions, the LOA download and the CSV export."""

from __future__ import annotations

import csv
import io
import uuid

import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.app import build_services
from numrep.console.models import AuditEntry
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.console.helpers import csrf_of, insert_open_cases, sign_in
from tests.reputation import flows


def _audit_rows(settings: Settings) -> list[AuditEntry]:
    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            return list(
                session.scalars(sa.select(AuditEntry).order_by(AuditEntry.created_at))
            )
    finally:
        services.db.dispose()


def _pending_loa(api: TestClient) -> tuple[str, str]:
    flows.agree_terms(api)
    enterprise_id = flows.create_enterprise(api)
    document_id = flows.upload_loa(api)
    response = flows.enable(api, enterprise_id, loa_document_id=document_id)
    assert response.status_code in (200, 201), response.text
    return enterprise_id, document_id


def test_api_loa_approval_audited(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    enterprise_id, _ = _pending_loa(api)
    response = api.post(
        f"/v2/operator/enterprises/{enterprise_id}/reputation/loa/approve",
        headers=account.headers(operator=True),
    )
    assert response.status_code == 200, response.text

    [entry] = _audit_rows(settings)
    assert entry.action == "loa.approved"
    assert entry.subject_id == enterprise_id
    assert entry.before == {"loa_status": "pending"}
    assert entry.after == {"loa_status": "approved", "reason": None}
    assert entry.actor.startswith("key:")


def test_api_case_decision_audited(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    case_ids = insert_open_cases(settings, account.account_id, 3)
    response = api.post(
        "/v2/operator/review_cases/decisions",
        json={
            "case_ids": [str(case_id) for case_id in case_ids[:2]],
            "decision": "upheld",
            "note": "Network kept the label.",
        },
        headers=account.headers(operator=True),
    )
    assert response.status_code == 200, response.text

    entries = _audit_rows(settings)
    assert sorted(entry.subject_id for entry in entries) == sorted(
        str(case_id) for case_id in case_ids[:2]
    )
    for entry in entries:
        assert entry.action == "review_case.decided"
        assert entry.before == {"state": "open"}
        assert entry.after == {"state": "upheld", "note": "Network kept the label."}


def test_loa_download_returns_document(api: TestClient, account: AccountKeys) -> None:
    enterprise_id, document_id = _pending_loa(api)
    uploaded = api.get(f"/v2/documents/{document_id}/download").content
    api.headers.pop("Authorization")
    assert sign_in(api, account.operator_key).status_code == 303
    response = api.get(f"/console/enterprises/{enterprise_id}/loa")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.content == uploaded
    missing = api.get(f"/console/enterprises/{uuid.uuid4()}/loa")
    assert missing.status_code == 404


def test_export_selection_as_csv(
    app_client: TestClient, settings: Settings, account: AccountKeys
) -> None:
    case_ids = insert_open_cases(settings, account.account_id, 4)
    assert sign_in(app_client, account.operator_key).status_code == 303
    token = csrf_of(app_client.get("/console/queue").text)
    selected = [case_ids[0], case_ids[3]]
    response = app_client.post(
        "/console/queue/export",
        data={"csrf_token": token, "case_id": [str(case_id) for case_id in selected]},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(row["case_id"] for row in rows) == sorted(map(str, selected))
    by_case = {row["case_id"]: row for row in rows}
    assert by_case[str(case_ids[0])]["network"] == "tns"
    assert by_case[str(case_ids[3])]["network"] == "first_orion"
    for row in rows:
        assert row["business_name"] == "Bright Smile Dental LLC"
        assert row["call_purpose"] == "Pharmacy refill reminders."
        assert row["contact_email"] == "ana@example.com"
        assert row["phone_number"].startswith("+1512")


def test_console_decision_on_closed_case(
    app_client: TestClient, settings: Settings, account: AccountKeys
) -> None:
    case_ids = insert_open_cases(settings, account.account_id, 2)
    assert sign_in(app_client, account.operator_key).status_code == 303
    token = csrf_of(app_client.get("/console/queue").text)
    form = {"csrf_token": token, "decision": "cleared", "case_id": str(case_ids[0])}
    first = app_client.post("/console/queue/decide", data=form)
    assert first.status_code == 200
    assert "Recorded &#39;cleared&#39; on 1 case(s)." in first.text
    again = app_client.post("/console/queue/decide", data=form)
    assert "already &#39;cleared&#39;" in again.text
    assert len(_audit_rows(settings)) == 1
