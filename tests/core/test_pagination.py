"""``page[number]``/``page[size]`` and ``meta`` through a real list endpoint."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

from numrep.app import build_services
from numrep.core.pagination import MAX_PAGE_SIZE
from numrep.enterprise import service as enterprises
from numrep.enterprise.schemas import EnterpriseCreate
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.support.factories import enterprise_body


def create_enterprises(api: TestClient, count: int) -> list[str]:
    """Create ``count`` enterprises through the API; return ids, oldest first."""
    ids = []
    for index in range(count):
        response = api.post(
            "/v2/enterprises", json=enterprise_body(legal_name=f"Page Test {index:03}")
        )
        assert response.status_code == 201
        ids.append(response.json()["data"]["id"])
    return ids


def insert_enterprises(settings: Settings, account: AccountKeys, count: int) -> None:
    """Insert many enterprises in one transaction, faster than one POST each."""
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            for _ in range(count):
                body = EnterpriseCreate.model_validate(enterprise_body())
                enterprises.create(session, account_id=account.account_id, body=body)
    finally:
        services.db.dispose()


def test_empty_list_has_zero_pages(api: TestClient) -> None:
    body = api.get("/v2/enterprises").json()
    assert body["data"] == []
    assert body["meta"] == {
        "page_number": 1,
        "page_size": 0,
        "total_pages": 0,
        "total_results": 0,
    }


def test_pages_split_results(api: TestClient) -> None:
    created = create_enterprises(api, 25)
    newest_first = list(reversed(created))

    seen = []
    for number, expected_count in [(1, 10), (2, 10), (3, 5)]:
        body = api.get(
            "/v2/enterprises", params={"page[number]": number, "page[size]": 10}
        ).json()
        assert body["meta"] == {
            "page_number": number,
            "page_size": expected_count,
            "total_pages": 3,
            "total_results": 25,
        }
        seen.extend(item["id"] for item in body["data"])
    assert seen == newest_first


def test_page_past_end_is_empty(api: TestClient) -> None:
    create_enterprises(api, 3)
    response = api.get("/v2/enterprises", params={"page[number]": 7, "page[size]": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert body["meta"] == {
        "page_number": 7,
        "page_size": 0,
        "total_pages": 2,
        "total_results": 3,
    }


def test_default_page_size_is_ten(api: TestClient) -> None:
    create_enterprises(api, 12)
    meta = api.get("/v2/enterprises").json()["meta"]
    assert meta["page_size"] == 10
    assert meta["total_pages"] == 2


def test_percent_encoded_brackets_work(api: TestClient) -> None:
    create_enterprises(api, 3)
    response = api.get("/v2/enterprises?page%5Bnumber%5D=2&page%5Bsize%5D=2")
    assert response.status_code == 200
    meta = response.json()["meta"]
    assert meta["page_number"] == 2
    assert meta["page_size"] == 1
    assert meta["total_pages"] == 2


def test_page_size_is_clamped(
    api: TestClient, settings: Settings, account: AccountKeys
) -> None:
    total = MAX_PAGE_SIZE + 10
    insert_enterprises(settings, account, total)

    body = api.get("/v2/enterprises", params={"page[size]": 1000}).json()
    assert len(body["data"]) == MAX_PAGE_SIZE
    assert body["meta"] == {
        "page_number": 1,
        "page_size": MAX_PAGE_SIZE,
        "total_pages": math.ceil(total / MAX_PAGE_SIZE),
        "total_results": total,
    }
    second = api.get(
        "/v2/enterprises", params={"page[size]": 1000, "page[number]": 2}
    ).json()
    assert second["meta"]["page_size"] == 10
    first_ids = {item["id"] for item in body["data"]}
    assert first_ids.isdisjoint(item["id"] for item in second["data"])


@pytest.mark.parametrize("parameter", ["page[number]", "page[size]"])
@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", ""])
def test_invalid_page_value_is_422(api: TestClient, parameter: str, value: str) -> None:
    response = api.get("/v2/enterprises", params={parameter: value})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["code"] == "10005"
    assert errors[0]["source"] == {"parameter": parameter}


def test_other_lists_share_the_helper(api: TestClient) -> None:
    assert api.post("/v2/terms_of_service/number_reputation/agree").status_code == 200
    assert api.post("/v2/terms_of_service/branded_calling/agree").status_code == 200

    body = api.get(
        "/v2/terms_of_service/agreements", params={"page[size]": 1, "page[number]": 2}
    ).json()
    assert body["meta"] == {
        "page_number": 2,
        "page_size": 1,
        "total_pages": 2,
        "total_results": 2,
    }
    invalid = api.get("/v2/terms_of_service/agreements", params={"page[size]": "0"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["source"] == {"parameter": "page[size]"}
