"""Submitting and reading an external verification through the in-process app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.reputation import flows
from tests.verification import steps
from tests.verification.steps import EXTERNAL_NUMBERS

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def enterprise_id(api: TestClient, account: AccountKeys, settings: Settings) -> str:
    return flows.approved_enterprise(api, account, settings)


@pytest.fixture
def document_id(api: TestClient) -> str:
    return flows.upload_loa(api)


def test_nothing_submitted(api: TestClient, enterprise_id: str) -> None:
    response = api.get(steps.path(enterprise_id))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "10009"
    assert steps.settings_status(api, enterprise_id) is None


def test_first_submit_is_201(
    api: TestClient, enterprise_id: str, document_id: str
) -> None:
    response = steps.submit(
        api,
        enterprise_id,
        document_ids=[document_id],
        phone_numbers=EXTERNAL_NUMBERS[:2],
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["enterprise_id"] == enterprise_id
    assert data["document_ids"] == [document_id]
    assert data["phone_numbers"] == EXTERNAL_NUMBERS[:2]
    assert data["status"] == "pending"
    assert data["rejection_reason"] is None
    assert data["reviewed_at"] is None
    assert data["submitted_at"].endswith("Z")

    read = api.get(steps.path(enterprise_id))
    assert read.status_code == 200
    assert read.json()["data"] == data
    assert steps.settings_status(api, enterprise_id) == "pending"


def test_phone_numbers_optional(
    api: TestClient, enterprise_id: str, document_id: str
) -> None:
    response = steps.submit(api, enterprise_id, document_ids=[document_id])
    assert response.status_code == 201, response.text
    assert response.json()["data"]["phone_numbers"] == []


def test_replace_pending_is_200(
    api: TestClient, enterprise_id: str, document_id: str
) -> None:
    first = steps.submit(api, enterprise_id, document_ids=[document_id])
    second_document = flows.upload_loa(api)
    replaced = steps.submit(
        api,
        enterprise_id,
        document_ids=[second_document, document_id],
        phone_numbers=EXTERNAL_NUMBERS[:1],
    )
    assert replaced.status_code == 200, replaced.text
    data = replaced.json()["data"]
    assert data["document_ids"] == [second_document, document_id]
    assert data["phone_numbers"] == EXTERNAL_NUMBERS[:1]
    assert data["status"] == "pending"
    assert data["submitted_at"] >= first.json()["data"]["submitted_at"]
    assert api.get(steps.path(enterprise_id)).json()["data"] == data


def test_replace_rejected_reopens(
    api: TestClient, account: AccountKeys, enterprise_id: str, document_id: str
) -> None:
    steps.submit(api, enterprise_id, document_ids=[document_id])
    rejected = steps.decide(
        api, account, enterprise_id, "reject", "Invoice unreadable."
    )
    assert rejected.status_code == 200, rejected.text
    assert steps.settings_status(api, enterprise_id) == "rejected"

    replaced = steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    assert replaced.status_code == 200, replaced.text
    data = replaced.json()["data"]
    assert data["status"] == "pending"
    assert data["rejection_reason"] is None
    assert data["reviewed_at"] is None
    assert data["submitted_at"] >= rejected.json()["data"]["reviewed_at"]
    assert steps.settings_status(api, enterprise_id) == "pending"


def test_approved_cannot_be_replaced(
    api: TestClient, account: AccountKeys, enterprise_id: str, document_id: str
) -> None:
    steps.submit(api, enterprise_id, document_ids=[document_id])
    assert steps.decide(api, account, enterprise_id, "approve").status_code == 200
    before = api.get(steps.path(enterprise_id)).json()["data"]

    response = steps.submit(api, enterprise_id, document_ids=[flows.upload_loa(api)])
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "10015"
    assert "approved" in error["detail"]
    assert api.get(steps.path(enterprise_id)).json()["data"] == before
    assert steps.settings_status(api, enterprise_id) == "approved"


DOC = "<document>"

BAD_BODIES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("unknown document", {"document_ids": [UNKNOWN_ID]}, ["/document_ids/0"]),
    ("malformed document", {"document_ids": ["invoice.pdf"]}, ["/document_ids/0"]),
    ("empty document id", {"document_ids": [""]}, ["/document_ids/0"]),
    ("duplicate document", {"document_ids": [DOC, DOC]}, ["/document_ids/1"]),
    ("no documents", {"document_ids": []}, ["/document_ids"]),
    ("documents missing", {"phone_numbers": []}, ["/document_ids"]),
    ("document not a string", {"document_ids": [7]}, ["/document_ids/0"]),
    ("too many documents", {"document_ids": [DOC] * 21}, ["/document_ids"]),
    (
        "number with spaces",
        {"document_ids": [DOC], "phone_numbers": ["+1 312 555 0100"]},
        ["/phone_numbers/0"],
    ),
    (
        "number without plus",
        {"document_ids": [DOC], "phone_numbers": ["13125550100"]},
        ["/phone_numbers/0"],
    ),
    (
        "number not a string",
        {"document_ids": [DOC], "phone_numbers": [13125550100]},
        ["/phone_numbers/0"],
    ),
    (
        "duplicate number",
        {"document_ids": [DOC], "phone_numbers": EXTERNAL_NUMBERS[:1] * 2},
        ["/phone_numbers/1"],
    ),
    (
        "too many numbers",
        {
            "document_ids": [DOC],
            "phone_numbers": [f"+1312556{line:04d}" for line in range(101)],
        },
        ["/phone_numbers"],
    ),
    ("unknown field", {"document_ids": [DOC], "source": "x"}, ["/source"]),
    (
        "every bad entry",
        {
            "document_ids": [DOC, UNKNOWN_ID, DOC],
            "phone_numbers": [EXTERNAL_NUMBERS[0], "+1312", EXTERNAL_NUMBERS[0]],
        },
        [
            "/document_ids/1",
            "/document_ids/2",
            "/phone_numbers/1",
            "/phone_numbers/2",
        ],
    ),
]


def _with_document(body: dict[str, Any], document_id: str) -> dict[str, Any]:
    """Return ``body`` with the ``DOC`` placeholder replaced by a real id."""
    filled = dict(body)
    if "document_ids" in filled:
        filled["document_ids"] = [
            document_id if value == DOC else value for value in filled["document_ids"]
        ]
    return filled


@pytest.mark.parametrize(
    ("body", "pointers"),
    [(body, pointers) for _, body, pointers in BAD_BODIES],
    ids=[case for case, _, _ in BAD_BODIES],
)
def test_bad_first_submit_is_422(
    api: TestClient,
    enterprise_id: str,
    document_id: str,
    body: dict[str, Any],
    pointers: list[str],
) -> None:
    response = steps.submit(api, enterprise_id, **_with_document(body, document_id))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [error["source"]["pointer"] for error in errors] == pointers
    assert {error["code"] for error in errors} == {"10005"}
    assert api.get(steps.path(enterprise_id)).status_code == 404
    assert steps.settings_status(api, enterprise_id) is None


@pytest.mark.parametrize(
    ("body", "pointers"),
    [(body, pointers) for _, body, pointers in BAD_BODIES],
    ids=[case for case, _, _ in BAD_BODIES],
)
def test_bad_replace_keeps_stored(
    api: TestClient,
    account: AccountKeys,
    enterprise_id: str,
    document_id: str,
    body: dict[str, Any],
    pointers: list[str],
) -> None:
    steps.submit(api, enterprise_id, document_ids=[document_id])
    steps.decide(api, account, enterprise_id, "reject", "Statement is expired.")
    before = api.get(steps.path(enterprise_id)).json()["data"]

    response = steps.submit(api, enterprise_id, **_with_document(body, document_id))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [error["source"]["pointer"] for error in errors] == pointers
    assert api.get(steps.path(enterprise_id)).json()["data"] == before
    assert steps.settings_status(api, enterprise_id) == "rejected"


def test_other_accounts_document_is_422(
    api: TestClient, enterprise_id: str, other_account: AccountKeys
) -> None:
    foreign = flows.upload_loa(api, headers=other_account.headers())
    response = steps.submit(api, enterprise_id, document_ids=[foreign])
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/document_ids/0"
    assert foreign in error["detail"]
    assert api.get(steps.path(enterprise_id)).status_code == 404


def test_deleted_document_is_422(
    api: TestClient, enterprise_id: str, document_id: str
) -> None:
    assert api.delete(f"/v2/documents/{document_id}").status_code in (200, 204)
    response = steps.submit(api, enterprise_id, document_ids=[document_id])
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/document_ids/0"
    assert api.get(steps.path(enterprise_id)).status_code == 404


def test_unknown_enterprise_is_404(api: TestClient, document_id: str) -> None:
    posted = steps.submit(api, UNKNOWN_ID, document_ids=[document_id])
    assert posted.status_code == 404
    assert posted.json()["errors"][0]["code"] == "10009"
    assert api.get(steps.path(UNKNOWN_ID)).status_code == 404


def test_other_accounts_enterprise_is_404(
    api: TestClient,
    enterprise_id: str,
    document_id: str,
    other_account: AccountKeys,
) -> None:
    headers = other_account.headers()
    foreign_document = flows.upload_loa(api, headers=headers)
    posted = api.post(
        steps.path(enterprise_id),
        json={"document_ids": [foreign_document]},
        headers=headers,
    )
    assert posted.status_code == 404
    assert api.get(steps.path(enterprise_id)).status_code == 404

    assert steps.submit(api, enterprise_id, document_ids=[document_id]).is_success
    read = api.get(steps.path(enterprise_id), headers=headers)
    assert read.status_code == 404
