"""Chunk retries of the import against a server that names no refused number.

numrep names the rejected numbers in its errors. This in-memory server returns
``external_verification_required`` without naming any, as another server may,
so the import has to split chunks to find them.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from numrep.client.csvnumbers import ParsedNumber
from numrep.client.http import NumrepClient
from numrep.client.importer import import_numbers
from tests.support.onboarding import us_numbers


def silent_server(
    external: set[str], invalid: set[str], calls: list[list[str]]
) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            meta = {"page_number": 1, "page_size": 0, "total_pages": 0}
            return httpx.Response(200, json={"data": [], "meta": meta})
        numbers: list[str] = json.loads(request.content)["phone_numbers"]
        calls.append(numbers)
        pointed = [
            {"code": "10005", "title": "Invalid parameters", "detail": f"{n} bad",
             "source": {"pointer": f"/phone_numbers/{i}"}}
            for i, n in enumerate(numbers)
            if n in invalid
        ]  # fmt: skip
        if pointed:
            return httpx.Response(422, json={"errors": pointed})
        if external & set(numbers):
            detail = "external_verification_required: verify the enterprise first"
            error = {"code": "10015", "title": "Bad Request", "detail": detail}
            return httpx.Response(400, json={"errors": [error]})
        return httpx.Response(201, json={"data": [], "meta": {}})

    return handle


def parsed(numbers: list[str]) -> list[ParsedNumber]:
    return [
        ParsedNumber(line + 1, number, number) for line, number in enumerate(numbers)
    ]


def test_split_finds_unnamed_rejections() -> None:
    numbers = us_numbers(250)
    external = {numbers[3], numbers[150], numbers[151], numbers[249]}
    invalid = {numbers[10], numbers[151]}
    calls: list[list[str]] = []
    transport = httpx.MockTransport(silent_server(external, invalid, calls))
    with NumrepClient("http://numrep.test/v2", "key", transport=transport) as client:
        outcome = import_numbers(
            client, "enterprise", parsed(numbers), advance=lambda count=1: None
        )

    rejected = {item.e164: item.reason for item in outcome.rejected}
    assert set(rejected) == external | invalid
    assert "external_verification_required" in rejected[numbers[3]]
    assert rejected[numbers[151]] == f"{numbers[151]} bad"
    associated = [item.e164 for item in outcome.associated]
    assert sorted(associated) == sorted(set(numbers) - external - invalid)
    assert len(associated) == len(set(associated))
    # Each rejected number costs about log2(100) extra calls, not 100.
    assert len(calls) < 60
