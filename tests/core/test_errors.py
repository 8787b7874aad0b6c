"""The Telnyx error envelope on every 4xx and 5xx, including the framework's own."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, StringConstraints

from numrep.app import create_app
from numrep.core.errors import MAX_ERRORS_PER_RESPONSE, NumrepError, conflict_item
from numrep.core.http import JsonRoute, install_error_handlers
from numrep.phone.e164 import E164_PATTERN
from numrep.settings import Settings
from tests.support.factories import enterprise_body

ERROR_DOCS = "https://developers.telnyx.com/docs/overview/errors/"
JSON_HEADERS = {"Content-Type": "application/json"}


def assert_envelope(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Check the shape every error body shares and return its entries."""
    assert set(body) == {"errors"}
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors
    for error in errors:
        assert isinstance(error["code"], str)
        assert error["code"].isdigit()
        assert isinstance(error["title"], str)
        assert isinstance(error["detail"], str)
        assert error["meta"]["url"] == ERROR_DOCS + error["code"]
        assert set(error) <= {"code", "title", "detail", "source", "meta"}
        assert set(error.get("source", {})) <= {"pointer", "parameter"}
    return errors


def stored_enterprises(api: TestClient) -> int:
    total: int = api.get("/v2/enterprises").json()["meta"]["total_results"]
    return total


def test_unknown_path_is_404_envelope(api: TestClient) -> None:
    response = api.get("/v2/no_such_resource")
    assert response.status_code == 404
    errors = assert_envelope(response.json())
    assert errors[0]["code"] == "10009"
    assert "/v2/no_such_resource" in errors[0]["detail"]


def test_wrong_method_is_405_envelope(api: TestClient) -> None:
    response = api.patch("/v2/enterprises", json={})
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    errors = assert_envelope(response.json())
    assert errors[0]["code"] == "10006"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"legal_name": ', "Expecting value"),
        (b'{"legal_name": NaN}', "NaN"),
        (b'{"legal_name": Infinity}', "Infinity"),
        (b'{"legal_name": -Infinity}', "-Infinity"),
        (b'{"legal_name": 1e999}', "1e999"),
        (b'{"legal_name": "\xff\xfe"}', "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nest too deep"),
        (b'{"number_of_employees": ' + b"9" * 5000 + b"}", "digits"),
    ],
    ids=[
        "truncated",
        "nan",
        "infinity",
        "minus-infinity",
        "overflow",
        "bad-utf8",
        "deep",
        "long-int",
    ],
)
def test_malformed_json_is_422_at_root(
    api: TestClient, content: bytes, reason: str
) -> None:
    response = api.post("/v2/enterprises", content=content, headers=JSON_HEADERS)
    assert response.status_code == 422
    errors = assert_envelope(response.json())
    assert len(errors) == 1
    assert errors[0]["code"] == "10005"
    assert errors[0]["source"] == {"pointer": "/"}
    assert "not valid JSON" in errors[0]["detail"]
    assert reason in errors[0]["detail"]
    assert stored_enterprises(api) == 0


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", None]
)
def test_json_body_with_wrong_type_is_415(
    api: TestClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.post(
        "/v2/enterprises",
        content=json.dumps(enterprise_body()).encode(),
        headers=headers,
    )
    assert response.status_code == 415
    errors = assert_envelope(response.json())
    assert errors[0]["code"] == "10008"
    assert "application/json" in errors[0]["detail"]
    assert stored_enterprises(api) == 0


def test_json_type_with_charset_is_accepted(api: TestClient) -> None:
    response = api.post(
        "/v2/enterprises",
        content=json.dumps(enterprise_body()).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


def test_missing_body_is_422_at_root(api: TestClient) -> None:
    response = api.post("/v2/enterprises", headers=JSON_HEADERS)
    assert response.status_code == 422
    errors = assert_envelope(response.json())
    assert errors[0]["source"] == {"pointer": "/"}
    assert "body is missing" in errors[0]["detail"]


def test_body_of_wrong_json_type_is_422(api: TestClient) -> None:
    response = api.post("/v2/enterprises", json=["not", "an", "object"])
    assert response.status_code == 422
    errors = assert_envelope(response.json())
    assert errors[0]["source"] == {"pointer": "/"}


def test_nested_field_error_points_into_body(api: TestClient) -> None:
    body = enterprise_body()
    body["billing_address"]["country"] = "MX"
    response = api.post("/v2/enterprises", json=body)
    assert response.status_code == 422
    errors = assert_envelope(response.json())
    assert [error["source"] for error in errors] == [
        {"pointer": "/billing_address/country"}
    ]
    assert stored_enterprises(api) == 0


def test_path_parameter_error_names_parameter(api: TestClient) -> None:
    response = api.get("/v2/enterprises/not-a-uuid")
    assert response.status_code == 422
    errors = assert_envelope(response.json())
    assert errors[0]["source"] == {"parameter": "enterprise_id"}


def test_query_error_names_parameter(api: TestClient) -> None:
    response = api.get("/v2/enterprises", params={"filter[role_type]": "vendor"})
    assert response.status_code == 422
    errors = assert_envelope(response.json())
    assert errors[0]["source"] == {"parameter": "filter[role_type]"}


def test_missing_key_is_401_envelope(app_client: TestClient) -> None:
    response = app_client.get("/v2/enterprises")
    assert response.status_code == 401
    errors = assert_envelope(response.json())
    assert errors[0]["code"] == "10001"


Phone = Annotated[str, StringConstraints(pattern=E164_PATTERN)]


class BulkBody(BaseModel):
    phone_numbers: list[Phone]


def bulk_app() -> FastAPI:
    """A minimal app with numrep's route class and handlers and one bulk route."""
    app = FastAPI()
    app.router.route_class = JsonRoute
    install_error_handlers(app)

    @app.post("/bulk")
    def bulk(body: BulkBody) -> dict[str, int]:
        return {"count": len(body.phone_numbers)}

    @app.post("/conflict")
    def conflict() -> None:
        raise NumrepError(409, [conflict_item("Taken.", pointer="/name")])

    return app


def test_many_invalid_values_are_capped() -> None:
    numbers = [f"555{index:07d}" for index in range(2000)]
    with TestClient(bulk_app()) as client:
        started = time.perf_counter()
        response = client.post("/bulk", json={"phone_numbers": numbers})
        elapsed = time.perf_counter() - started

    assert response.status_code == 422
    errors = assert_envelope(response.json())
    assert len(errors) == MAX_ERRORS_PER_RESPONSE + 1
    listed = errors[:MAX_ERRORS_PER_RESPONSE]
    assert [error["source"]["pointer"] for error in listed] == [
        f"/phone_numbers/{index}" for index in range(MAX_ERRORS_PER_RESPONSE)
    ]
    assert numbers[3] in listed[3]["detail"]
    summary = errors[-1]
    assert "source" not in summary
    assert f"{2000 - MAX_ERRORS_PER_RESPONSE} more errors" in summary["detail"]
    # A sanity bound only; the speed target lives in bench/.
    assert elapsed < 0.5


def test_valid_bulk_body_passes_the_handlers() -> None:
    with TestClient(bulk_app()) as client:
        response = client.post("/bulk", json={"phone_numbers": ["+15125550143"]})
    assert response.status_code == 200
    assert response.json() == {"count": 1}


def test_unexpected_error_is_500_without_trace(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings)

    def explode() -> None:
        raise RuntimeError("secret internal state")

    app.add_api_route("/v2/explode", explode, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v2/explode", headers={"x-request-id": "req-500"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    errors = assert_envelope(response.json())
    assert errors[0]["code"] == "10007"
    assert "secret internal state" not in response.text
    assert "Traceback" not in response.text
    error_id = errors[0]["detail"].split("error id ")[1].split()[0]

    logged = capsys.readouterr().err
    assert "Traceback" in logged
    assert "secret internal state" in logged
    assert error_id in logged
    assert "request_id=req-500" in logged


def test_every_409_says_do_not_retry() -> None:
    with TestClient(bulk_app()) as client:
        response = client.post("/conflict")
    assert response.status_code == 409
    assert response.headers["x-should-retry"] == "false"
    errors = assert_envelope(response.json())
    assert errors[0]["code"] == "10021"
    assert errors[0]["source"] == {"pointer": "/name"}
