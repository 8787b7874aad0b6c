"""Reputation phone-number endpoints through the in-process app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.reputation import flows

NUMBERS = flows.US_NUMBERS
# U+FF10 is FULLWIDTH DIGIT ZERO; the next nine code points are 1 to 9.
FULL_WIDTH_DIGITS = "".join(chr(0xFF10 + int(digit)) for digit in "12125550100")


@pytest.fixture
def enterprise_id(api: TestClient, account: AccountKeys, settings: Settings) -> str:
    enterprise_id = flows.approved_enterprise(api, account, settings)
    flows.add_inventory(api, account, NUMBERS[:20])
    return enterprise_id


def _path(enterprise_id: str, suffix: str = "") -> str:
    return f"/v2/enterprises/{enterprise_id}/reputation/numbers{suffix}"


def _stored(api: TestClient, enterprise_id: str) -> int:
    meta = api.get(_path(enterprise_id)).json()["meta"]
    total: int = meta["total_results"]
    return total


def test_associate_returns_201_list(api: TestClient, enterprise_id: str) -> None:
    response = flows.associate(api, enterprise_id, NUMBERS[:3])
    assert response.status_code == 201
    body = response.json()
    assert [row["phone_number"] for row in body["data"]] == NUMBERS[:3]
    assert body["meta"]["total_results"] == 3
    first = body["data"][0]
    assert first["enterprise_id"] == enterprise_id
    assert first["source"] == "telnyx"
    assert first["ownership_status"] == "verified"
    assert first["reputation_data"] is None
    assert first["removed_at"] is None


BAD_NUMBERS: list[tuple[str, Any, str]] = [
    ("space", "+1 2125550100", "E.164"),
    ("dashes", "+1-212-555-0100", "E.164"),
    ("trailing newline", "+12125550100\n", "E.164"),
    ("full-width digits", "+" + FULL_WIDTH_DIGITS, "E.164"),
    ("letters", "+1212555CALL", "E.164"),
    ("no plus", "12125550100", "E.164"),
    ("not a string", 12125550100, "valid string"),
    ("canadian", "+14165550123", "Canadian"),
    ("eleven digits after +1", "+121255501001", "10 digits"),
    ("impossible area code", "+10005550123", "not a possible US number"),
    ("toll-free not in inventory", "+18005550190", "toll-free"),
    ("non-US", "+442071838750", "North American"),
]


@pytest.mark.parametrize(
    ("value", "detail"),
    [(value, detail) for _, value, detail in BAD_NUMBERS],
    ids=[case for case, _, _ in BAD_NUMBERS],
)
def test_associate_rejects_bad_number(
    api: TestClient, enterprise_id: str, value: Any, detail: str
) -> None:
    response = flows.associate(api, enterprise_id, [NUMBERS[0], value, NUMBERS[1]])
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["code"] == "10005"
    assert errors[0]["source"]["pointer"] == "/phone_numbers/1"
    assert detail in errors[0]["detail"]
    assert _stored(api, enterprise_id) == 0


def test_associate_rejects_later_duplicate(api: TestClient, enterprise_id: str) -> None:
    numbers = [NUMBERS[0], NUMBERS[1], NUMBERS[0]]
    response = flows.associate(api, enterprise_id, numbers)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["source"]["pointer"] for error in errors] == ["/phone_numbers/2"]
    assert "/phone_numbers/0" in errors[0]["detail"]
    assert _stored(api, enterprise_id) == 0


def test_associate_lists_every_bad_entry(api: TestClient, enterprise_id: str) -> None:
    numbers = ["+1 212", NUMBERS[0], "+14165550123", NUMBERS[0]]
    response = flows.associate(api, enterprise_id, numbers)
    pointers = [error["source"]["pointer"] for error in response.json()["errors"]]
    assert response.status_code == 422
    assert pointers == ["/phone_numbers/0", "/phone_numbers/2", "/phone_numbers/3"]
    assert _stored(api, enterprise_id) == 0


@pytest.mark.parametrize("count", [0, 101])
def test_associate_rejects_array_size(
    api: TestClient, enterprise_id: str, count: int
) -> None:
    numbers = [f"+1212556{line:04d}" for line in range(count)]
    response = flows.associate(api, enterprise_id, numbers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/phone_numbers"
    assert _stored(api, enterprise_id) == 0


def test_associate_rejects_unknown_field(api: TestClient, enterprise_id: str) -> None:
    response = api.post(
        _path(enterprise_id), json={"phone_numbers": NUMBERS[:1], "source": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/source"
    assert _stored(api, enterprise_id) == 0


def test_associate_rejects_number_of_other_enterprise(
    api: TestClient, enterprise_id: str, account: AccountKeys, settings: Settings
) -> None:
    assert flows.associate(api, enterprise_id, NUMBERS[:1]).status_code == 201
    second = flows.approved_enterprise(api, account, settings)
    response = flows.associate(api, second, [NUMBERS[1], NUMBERS[0]])
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/phone_numbers/1"
    assert "another enterprise" in error["detail"]
    assert _stored(api, second) == 0

    again = flows.associate(api, enterprise_id, NUMBERS[:1])
    assert again.status_code == 422
    assert "already registered" in again.json()["errors"][0]["detail"]


@pytest.mark.parametrize("gate", ["not enabled", "pending", "loa pending"])
def test_associate_gates_are_400(
    api: TestClient, account: AccountKeys, settings: Settings, gate: str
) -> None:
    flows.agree_terms(api)
    flows.add_inventory(api, account, NUMBERS[:1])
    enterprise_id = flows.create_enterprise(api)
    if gate != "not enabled":
        flows.enable(api, enterprise_id, loa_document_id=flows.upload_loa(api))
    if gate == "loa pending":
        flows.run_vetting(settings, enterprise_id)
    response = flows.associate(api, enterprise_id, NUMBERS[:1])
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "10015"
    expected = {
        "not enabled": "not enabled",
        "pending": "'pending', not 'approved'",
        "loa pending": "Letter of Authorization",
    }[gate]
    assert expected in error["detail"]


def test_other_account_gets_404(
    api: TestClient, enterprise_id: str, other_account: AccountKeys
) -> None:
    flows.associate(api, enterprise_id, NUMBERS[:1])
    headers = other_account.headers()
    number = NUMBERS[0]
    assert api.get(_path(enterprise_id), headers=headers).status_code == 404
    assert (
        api.get(_path(enterprise_id, f"/{number}"), headers=headers).status_code == 404
    )
    assert (
        api.delete(_path(enterprise_id, f"/{number}"), headers=headers).status_code
        == 404
    )
    associate = api.post(
        _path(enterprise_id), json={"phone_numbers": NUMBERS[1:2]}, headers=headers
    )
    assert associate.status_code == 404
    assert (
        api.get(f"/v2/reputation/numbers/{number}", headers=headers).status_code == 404
    )
    listed = api.get("/v2/reputation/numbers", headers=headers).json()
    assert listed["meta"]["total_results"] == 0


def test_list_filters(api: TestClient, enterprise_id: str) -> None:
    flows.associate(api, enterprise_id, NUMBERS[:12])
    path = _path(enterprise_id)

    page = api.get(path).json()
    assert page["meta"] == {
        "page_number": 1,
        "page_size": 10,
        "total_pages": 2,
        "total_results": 12,
    }
    contains = api.get(path, params={"filter[phone_number][contains]": "5550105"})
    assert [row["phone_number"] for row in contains.json()["data"]] == [NUMBERS[5]]
    exact = api.get(path, params={"filter[phone_number][eq]": NUMBERS[3]})
    assert [row["phone_number"] for row in exact.json()["data"]] == [NUMBERS[3]]
    external = api.get(path, params={"filter[source]": "external"})
    assert external.json()["meta"]["total_results"] == 0
    verified = api.get(path, params={"filter[ownership_status]": "verified"})
    assert verified.json()["meta"]["total_results"] == 12


@pytest.mark.parametrize("value", ["5550", "+1212", "abcdefgh"])
def test_list_contains_needs_five_digits(
    api: TestClient, enterprise_id: str, value: str
) -> None:
    response = api.get(
        _path(enterprise_id), params={"filter[phone_number][contains]": value}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["source"] == {"parameter": "filter[phone_number][contains]"}


def test_delete_hides_number_until_removed_filter(
    api: TestClient, enterprise_id: str
) -> None:
    flows.associate(api, enterprise_id, NUMBERS[:2])
    assert api.delete(_path(enterprise_id, f"/{NUMBERS[0]}")).status_code == 204
    assert api.get(_path(enterprise_id, f"/{NUMBERS[0]}")).status_code == 404
    active = api.get(_path(enterprise_id)).json()["data"]
    assert [row["phone_number"] for row in active] == [NUMBERS[1]]

    removed = api.get(
        _path(enterprise_id), params={"filter[ownership_status]": "removed"}
    ).json()["data"]
    assert len(removed) == 1
    assert removed[0]["phone_number"] == NUMBERS[0]
    assert removed[0]["ownership_status"] == "removed"
    assert removed[0]["removal_reason"] == "customer_removed"
    assert removed[0]["removed_at"] is not None

    # The number stays in the inventory, so it can be registered again.
    assert flows.associate(api, enterprise_id, NUMBERS[:1]).status_code == 201


@pytest.mark.parametrize("encoded", [False, True], ids=["literal", "percent"])
def test_get_fresh_and_stored(
    api: TestClient, enterprise_id: str, encoded: bool
) -> None:
    flows.associate(api, enterprise_id, NUMBERS[:1])
    number = NUMBERS[0].replace("+", "%2B") if encoded else NUMBERS[0]
    path = _path(enterprise_id, f"/{number}")

    # Nothing stored yet: a live lookup runs even without fresh=true.
    first = api.get(path)
    assert first.status_code == 200
    data = first.json()["data"]
    assert data["phone_number"] == NUMBERS[0]
    reputation = data["reputation_data"]
    assert reputation is not None
    assert reputation["spam_risk"] in {"low", "medium", "high"}
    assert {row["network"] for row in data["numrep_networks"]} == {
        "hiya",
        "first_orion",
        "tns",
    }

    stored = api.get(path, params={"fresh": "false"}).json()["data"]
    assert (
        stored["reputation_data"]["last_refreshed_at"]
        == (reputation["last_refreshed_at"])
    )
    fresh = api.get(path, params={"fresh": "true"}).json()["data"]
    assert (
        fresh["reputation_data"]["last_refreshed_at"]
        > (reputation["last_refreshed_at"])
    )


def test_get_rejects_malformed_path(api: TestClient, enterprise_id: str) -> None:
    response = api.get(_path(enterprise_id, "/2125550100"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {"parameter": "phone_number"}


def test_refresh_reports_each_number(api: TestClient, enterprise_id: str) -> None:
    flows.associate(api, enterprise_id, NUMBERS[:2])
    requested = [NUMBERS[0], NUMBERS[1], NUMBERS[15]]
    response = api.post(
        _path(enterprise_id, "/refresh"), json={"phone_numbers": requested}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["total_requested"] == 3
    assert data["total_successful"] == 2
    assert data["total_failed"] == 1
    results = {row["phone_number"]: row for row in data["results"]}
    assert results[NUMBERS[0]] == {
        "phone_number": NUMBERS[0],
        "success": True,
        "error": None,
    }
    assert results[NUMBERS[15]]["success"] is False
    assert "not registered" in results[NUMBERS[15]]["error"]
    listed = api.get(_path(enterprise_id)).json()["data"]
    assert all(row["reputation_data"] is not None for row in listed)


def test_refresh_rejects_duplicates(api: TestClient, enterprise_id: str) -> None:
    flows.associate(api, enterprise_id, NUMBERS[:1])
    response = api.post(
        _path(enterprise_id, "/refresh"),
        json={"phone_numbers": [NUMBERS[0], NUMBERS[0]]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/phone_numbers/1"


def test_refresh_rate_limit_is_429(
    api: TestClient, account: AccountKeys, settings: Settings
) -> None:
    limited = settings.model_copy(update={"reputation_refresh_rate_limit": "2/minute"})
    from numrep.app import create_app

    with TestClient(create_app(limited), raise_server_exceptions=False) as client:
        client.headers.update(account.headers())
        enterprise_id = flows.approved_enterprise(client, account, limited)
        flows.add_inventory(client, account, NUMBERS[:1])
        flows.associate(client, enterprise_id, NUMBERS[:1])
        body = {"phone_numbers": NUMBERS[:1]}
        path = _path(enterprise_id, "/refresh")
        assert client.post(path, json=body).status_code == 200
        assert client.post(path, json=body).status_code == 200
        response = client.post(path, json=body)
        assert response.status_code == 429
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.json()["errors"][0]["code"] == "10011"


def test_account_wide_endpoints(
    api: TestClient, enterprise_id: str, account: AccountKeys, settings: Settings
) -> None:
    second = flows.approved_enterprise(api, account, settings)
    flows.associate(api, enterprise_id, NUMBERS[:3])
    flows.associate(api, second, NUMBERS[3:5])

    everything = api.get("/v2/reputation/numbers").json()
    assert everything["meta"]["total_results"] == 5
    only_second = api.get(
        "/v2/reputation/numbers", params={"filter[enterprise_id]": second}
    ).json()["data"]
    assert sorted(row["phone_number"] for row in only_second) == NUMBERS[3:5]

    one = api.get(f"/v2/reputation/numbers/{NUMBERS[4]}")
    assert one.status_code == 200
    assert one.json()["data"]["enterprise_id"] == second

    assert api.delete(f"/v2/reputation/numbers/%2B{NUMBERS[4][1:]}").status_code == 204
    assert api.get(f"/v2/reputation/numbers/{NUMBERS[4]}").status_code == 404


def test_account_wide_list_default_page_size(
    api: TestClient, enterprise_id: str, account: AccountKeys
) -> None:
    flows.add_inventory(api, account, NUMBERS[20:45])
    flows.associate(api, enterprise_id, NUMBERS[20:45])
    meta = api.get("/v2/reputation/numbers").json()["meta"]
    assert meta["page_size"] == 20
    assert meta["total_pages"] == 2
