"""The whole onboarding through the official Telnyx SDK against a live server."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest

from tests.conftest import AccountKeys
from tests.reputation import flows
from tests.support.factories import enterprise_body

T = TypeVar("T")
NUMBERS = flows.US_NUMBERS[:5]


def wait_for(probe: Callable[[], T], *, timeout: float = 30.0) -> T:
    """Return the first truthy value of ``probe``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s; last value {value!r}")
        time.sleep(0.1)


def test_sdk_onboarding_end_to_end(
    sdk: Any, http: httpx.Client, account: AccountKeys
) -> None:
    import telnyx

    operator = account.headers(operator=True)
    sdk.terms_of_service.number_reputation.agree()
    enterprise_id = sdk.enterprises.create(**enterprise_body()).data.id
    upload = sdk.documents.upload_json(
        document={
            "file": base64.b64encode(flows.loa_pdf()).decode("ascii"),
            "filename": "signed-loa.pdf",
        }
    )
    document_id = upload.data.id

    enabled = sdk.enterprises.reputation.enable(
        enterprise_id, loa_document_id=document_id, check_frequency="daily"
    ).data
    assert enabled.status == "pending"
    assert enabled.loa_status == "pending"

    # The live worker runs sandbox vetting after the scaled delay.
    approved = wait_for(
        lambda: (
            sdk.enterprises.reputation.retrieve(enterprise_id).data.status == "approved"
        )
    )
    assert approved
    loa = http.post(
        f"/v2/operator/enterprises/{enterprise_id}/reputation/loa/approve",
        headers=operator,
    )
    assert loa.status_code == 200
    settings = sdk.enterprises.reputation.retrieve(enterprise_id).data
    assert settings.loa_status == "approved"
    assert settings.check_frequency == "daily"

    inventory = http.post(
        f"/v2/operator/accounts/{account.account_id}/inventory",
        json={"phone_numbers": NUMBERS},
        headers=operator,
    )
    assert inventory.status_code == 201
    numbers = sdk.enterprises.reputation.numbers
    associated = numbers.associate(enterprise_id, phone_numbers=NUMBERS)
    assert [row.phone_number for row in associated.data] == NUMBERS
    assert all(row.reputation_data is None for row in associated.data)

    # The refresh enqueued with the association fills every number's data.
    def all_refreshed() -> bool:
        rows = list(numbers.list(enterprise_id))
        return len(rows) == len(NUMBERS) and all(
            row.reputation_data is not None for row in rows
        )

    assert wait_for(all_refreshed)

    fresh = numbers.retrieve(NUMBERS[0], enterprise_id=enterprise_id, fresh=True).data
    assert fresh.phone_number == NUMBERS[0]
    assert fresh.reputation_data is not None
    assert fresh.reputation_data.spam_risk in {"low", "medium", "high"}

    page = numbers.list(enterprise_id, page_size=2)
    assert len(page.data) == 2
    assert len(list(numbers.list(enterprise_id, page_size=2))) == len(NUMBERS)
    contains = list(
        numbers.list(enterprise_id, filter_phone_number_contains=NUMBERS[2][-7:])
    )
    assert [row.phone_number for row in contains] == [NUMBERS[2]]
    exact = list(numbers.list(enterprise_id, filter_phone_number_eq=NUMBERS[3]))
    assert [row.phone_number for row in exact] == [NUMBERS[3]]
    across = list(sdk.reputation.numbers.list(filter_enterprise_id=enterprise_id))
    assert len(across) == len(NUMBERS)

    refreshed = numbers.refresh(enterprise_id, phone_numbers=NUMBERS[:2]).data
    assert refreshed.total_requested == 2
    assert refreshed.total_successful == 2
    assert refreshed.total_failed == 0

    numbers.disassociate(NUMBERS[0], enterprise_id=enterprise_id)
    with pytest.raises(telnyx.NotFoundError):
        numbers.retrieve(NUMBERS[0], enterprise_id=enterprise_id)
    removed = list(numbers.list(enterprise_id, filter_ownership_status="removed"))
    assert [row.removal_reason for row in removed] == ["customer_removed"]

    sdk.enterprises.reputation.disable(enterprise_id)
    with pytest.raises(telnyx.NotFoundError):
        sdk.enterprises.reputation.retrieve(enterprise_id)
    assert list(numbers.list(enterprise_id)) == []


def test_sdk_enable_without_terms_is_403(sdk: Any) -> None:
    import telnyx

    enterprise_id = sdk.enterprises.create(**enterprise_body()).data.id
    with pytest.raises(telnyx.PermissionDeniedError):
        sdk.enterprises.reputation.enable(
            enterprise_id, loa_document_id="00000000-0000-0000-0000-000000000000"
        )
