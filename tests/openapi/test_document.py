"""Completeness of the OpenAPI document, checked for every operation it lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from numrep.app import create_app
from numrep.core.openapi import (
    ERROR_SCHEMA_REF,
    EXTENSION_TAG,
    SECURITY_SCHEME,
    TELNYX_TAGS,
)
from tests.conftest import make_settings

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}

# The Telnyx API reference groups these operations under these tags.
TELNYX_OPERATIONS = {
    ("post", "/v2/terms_of_service/number_reputation/agree"): "Terms of Service",
    ("get", "/v2/terms_of_service/status"): "Terms of Service",
    ("get", "/v2/terms_of_service/agreements"): "Terms of Service",
    ("get", "/v2/terms_of_service/agreements/{agreement_id}"): "Terms of Service",
    ("post", "/v2/enterprises"): "Enterprises",
    ("get", "/v2/enterprises"): "Enterprises",
    ("get", "/v2/enterprises/{enterprise_id}"): "Enterprises",
    ("put", "/v2/enterprises/{enterprise_id}"): "Enterprises",
    ("delete", "/v2/enterprises/{enterprise_id}"): "Enterprises",
    ("get", "/v2/enterprises/{enterprise_id}/reputation"): "Reputation",
    ("post", "/v2/enterprises/{enterprise_id}/reputation"): "Reputation",
    ("delete", "/v2/enterprises/{enterprise_id}/reputation"): "Reputation",
    ("patch", "/v2/enterprises/{enterprise_id}/reputation/frequency"): "Reputation",
    ("patch", "/v2/enterprises/{enterprise_id}/reputation/webhook"): "Reputation",
    ("post", "/v2/enterprises/{enterprise_id}/reputation/loa"): "Reputation",
    ("patch", "/v2/enterprises/{enterprise_id}/reputation/loa"): "Reputation",
    ("post", "/v2/enterprises/{enterprise_id}/reputation/remediation"): "Reputation",
    ("get", "/v2/enterprises/{enterprise_id}/reputation/remediation"): "Reputation",
    (
        "get",
        "/v2/enterprises/{enterprise_id}/reputation/remediation/{remediation_id}",
    ): "Reputation",
    (
        "post",
        "/v2/enterprises/{enterprise_id}/reputation/numbers",
    ): "Reputation Phone Numbers",
    (
        "get",
        "/v2/enterprises/{enterprise_id}/reputation/numbers",
    ): "Reputation Phone Numbers",
    (
        "post",
        "/v2/enterprises/{enterprise_id}/reputation/numbers/refresh",
    ): "Reputation Phone Numbers",
    (
        "get",
        "/v2/enterprises/{enterprise_id}/reputation/numbers/{phone_number}",
    ): "Reputation Phone Numbers",
    (
        "delete",
        "/v2/enterprises/{enterprise_id}/reputation/numbers/{phone_number}",
    ): "Reputation Phone Numbers",
    ("get", "/v2/reputation/numbers"): "Reputation Phone Numbers",
    ("get", "/v2/reputation/numbers/{phone_number}"): "Reputation Phone Numbers",
    ("delete", "/v2/reputation/numbers/{phone_number}"): "Reputation Phone Numbers",
    ("post", "/v2/documents"): "Documents",
    ("get", "/v2/documents"): "Documents",
    ("get", "/v2/documents/{document_id}"): "Documents",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # The document does not touch the database, so an unmigrated one will do.
    data_dir: Path = tmp_path_factory.mktemp("openapi")
    settings = make_settings(f"sqlite:///{data_dir / 'numrep.db'}", data_dir)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation


def success_problems(operation: dict[str, Any]) -> list[str]:
    successes = {
        code: response
        for code, response in operation["responses"].items()
        if code.startswith("2")
    }
    if not successes:
        return ["no success response"]
    problems = []
    for code, response in successes.items():
        content = response.get("content", {})
        if code == "204":
            if content:
                problems.append("204 declares a body")
            continue
        if not content:
            problems.append(f"{code} has no content")
        for media_type, media in content.items():
            schema = media.get("schema", {})
            if not schema:
                problems.append(f"{code} {media_type} has an empty schema")
            elif media_type == "application/json" and not described_object(schema):
                problems.append(f"{code} is a JSON object with no properties")
    return problems


def described_object(schema: dict[str, Any]) -> bool:
    # A bare ``dict[str, Any]`` return type gives {"type": "object"} alone.
    return "$ref" in schema or "properties" in schema


def error_problems(operation: dict[str, Any]) -> list[str]:
    errors = {
        code: response
        for code, response in operation["responses"].items()
        if code[0] in "45"
    }
    if not errors:
        return ["no error responses"]
    problems = []
    for code, response in errors.items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema != {"$ref": ERROR_SCHEMA_REF}:
            problems.append(f"{code} is not the error envelope: {schema}")
    return problems


def test_document_operations_complete(document: dict[str, Any]) -> None:
    problems = []
    for label, operation in operations(document):
        found = []
        if not operation.get("tags"):
            found.append("no tags")
        if not operation.get("operationId"):
            found.append("no operationId")
        found += success_problems(operation)
        found += error_problems(operation)
        problems += [f"{label}: {problem}" for problem in found]
    assert problems == []


def test_document_operation_ids_unique(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId") for _, operation in operations(document)]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    assert duplicates == []


def test_document_api_operations_secured(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"][SECURITY_SCHEME]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    problems = []
    for label, operation in operations(document):
        if " /v2/" not in label:
            continue
        if operation.get("security") != [{SECURITY_SCHEME: []}]:
            problems.append(f"{label}: no bearer security")
        if "401" not in operation["responses"]:
            problems.append(f"{label}: no 401 response")
    assert problems == []


def test_document_path_parameters_have_404(document: dict[str, Any]) -> None:
    problems = [
        label
        for label, operation in operations(document)
        if " /v2/" in label and "{" in label and "404" not in operation["responses"]
    ]
    assert problems == []


def test_document_telnyx_operation_tags(document: dict[str, Any]) -> None:
    problems = []
    for (method, path), tag in TELNYX_OPERATIONS.items():
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            problems.append(f"{method.upper()} {path}: missing")
            continue
        if operation.get("tags") != [tag]:
            problems.append(f"{method.upper()} {path}: tags {operation.get('tags')}")
        if "x-numrep-extension" in operation:
            problems.append(f"{method.upper()} {path}: marked as an extension")
    assert problems == []


def test_document_extensions_marked(document: dict[str, Any]) -> None:
    problems = []
    for label, operation in operations(document):
        tags = set(operation.get("tags", []))
        if tags & TELNYX_TAGS:
            if EXTENSION_TAG in tags:
                problems.append(f"{label}: both a Telnyx and the extension tag")
            continue
        if EXTENSION_TAG not in tags:
            problems.append(f"{label}: neither a Telnyx nor the extension tag")
        if operation.get("x-numrep-extension") is not True:
            problems.append(f"{label}: not marked with x-numrep-extension")
    assert problems == []


def test_document_operator_routes_are_extensions(document: dict[str, Any]) -> None:
    labels = [
        label
        for label, operation in operations(document)
        if "/v2/operator/" in label and operation.get("x-numrep-extension") is not True
    ]
    assert labels == []


def test_document_bracketed_query_aliases(document: dict[str, Any]) -> None:
    path = "/v2/enterprises/{enterprise_id}/reputation/remediation"
    parameters = document["paths"][path]["get"]["parameters"]
    query = {item["name"] for item in parameters if item["in"] == "query"}
    assert "page[number]" in query
    assert "page[size]" in query
    assert "filter[status]" in query
    assert "filter[created_at][gte]" in query


def test_document_request_body_of_raw_routes(document: dict[str, Any]) -> None:
    # These two routes validate their bodies themselves.
    submit = document["paths"]["/v2/enterprises/{enterprise_id}/reputation/remediation"]
    schema = submit["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "phone_numbers" in schema["properties"]
    assert "call_purpose" in schema["required"]
    update = document["paths"]["/v2/enterprises/{enterprise_id}"]["put"]
    schema = update["requestBody"]["content"]["application/json"]["schema"]
    assert "legal_name" in schema["properties"]


def test_document_refs_resolve(document: dict[str, Any]) -> None:
    names = set(document["components"]["schemas"])
    missing = sorted(
        ref.rsplit("/", 1)[1]
        for ref in collect_refs(document)
        if ref.startswith("#/components/schemas/")
        and ref.rsplit("/", 1)[1] not in names
    )
    assert missing == []


def collect_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from collect_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from collect_refs(value)


def test_docs_page_loads(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text
