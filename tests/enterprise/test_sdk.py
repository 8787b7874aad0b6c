"""Enterprises through the official Telnyx SDK against a live server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import enterprise_body
from tests.support.live import LiveServer


def test_sdk_creates_lists_and_deletes(sdk: Any) -> None:
    import telnyx

    created = sdk.enterprises.create(**enterprise_body())
    assert created.data.legal_name == "Bright Smile Dental LLC"
    listed = [item.id for item in sdk.enterprises.list()]
    assert created.data.id in listed
    sdk.enterprises.delete(created.data.id)
    with pytest.raises(telnyx.NotFoundError):
        sdk.enterprises.retrieve(created.data.id)


def test_sdk_pages_through_enterprises(sdk: Any) -> None:
    created = [
        sdk.enterprises.create(
            **enterprise_body(legal_name=f"Paged {index:02}")
        ).data.id
        for index in range(25)
    ]

    first_page = sdk.enterprises.list(page_size=10)
    assert first_page.meta.page_number == 1
    assert first_page.meta.page_size == 10
    assert first_page.meta.total_pages == 3
    assert first_page.meta.total_results == 25
    pages = list(first_page.iter_pages())
    assert [len(page.data) for page in pages] == [10, 10, 5]
    assert [item.id for item in first_page] == list(reversed(created))


def test_sdk_retrieves_and_updates(sdk: Any) -> None:
    created = sdk.enterprises.create(**enterprise_body(industry="Retail")).data
    assert created.industry == "retail"

    fetched = sdk.enterprises.retrieve(created.id).data
    assert fetched.id == created.id
    assert fetched.fein == created.fein
    assert fetched.organization_contact.phone_number == "+15125550143"

    updated = sdk.enterprises.update(
        created.id, doing_business_as="Bright Smiles", customer_reference="crm-7"
    ).data
    assert updated.doing_business_as == "Bright Smiles"
    assert updated.customer_reference == "crm-7"
    assert updated.legal_name == created.legal_name
    assert sdk.enterprises.retrieve(created.id).data.doing_business_as == (
        "Bright Smiles"
    )


def test_sdk_bad_key_raises_authentication_error(live_server: LiveServer) -> None:
    import telnyx

    client = telnyx.Telnyx(
        api_key="nrk_00000000_not-a-real-key",
        base_url=f"{live_server.base_url}/v2",
        max_retries=0,
    )
    with pytest.raises(telnyx.AuthenticationError) as raised:
        client.enterprises.list()
    assert raised.value.status_code == 401
    assert raised.value.body["errors"][0]["code"] == "10001"


def test_sdk_invalid_body_raises_422_with_pointer(sdk: Any) -> None:
    import telnyx

    body = enterprise_body()
    body["organization_contact"]["phone_number"] = "512-555-0143"
    with pytest.raises(telnyx.UnprocessableEntityError) as raised:
        sdk.enterprises.create(**body)

    errors = raised.value.body["errors"]
    assert errors[0]["code"] == "10005"
    assert errors[0]["source"]["pointer"] == "/organization_contact/phone_number"
    assert sdk.enterprises.list().meta.total_results == 0


def test_sdk_duplicate_raises_conflict(sdk: Any) -> None:
    import telnyx

    body = enterprise_body()
    sdk.enterprises.create(**body)
    with pytest.raises(telnyx.ConflictError) as raised:
        sdk.enterprises.create(**body)

    assert raised.value.response.headers["x-should-retry"] == "false"
    assert raised.value.body["errors"][0]["code"] == "10021"
    assert sdk.enterprises.list().meta.total_results == 1
