"""Fuzz every operation of the live server's OpenAPI document with schemathesis.

Each operation gets examples with the ids of real objects, so the success paths
run, and examples with generated ids. Each response must not be a 5xx and must
match the document: a declared status code, content type and body schema.
"""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from pytest_httpserver import HTTPServer
from schemathesis import GenerationMode
from schemathesis import checks as base_checks
from schemathesis.specs.openapi import checks as openapi_checks

from numrep.core.db import Database
from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.documents.samples import b64, sample_pdf
from tests.support.live import LiveServer
from tests.support.onboarding import approved_enterprise, us_numbers
from tests.support.remediation import open_review_case

# NUMREP_FUZZ_SCALE multiplies the examples below for a deeper local run. At 1
# the test sent about 760 requests to the 60 operations of the document. On the
# 2-core development machine that took 22 s when idle and 137 s under load.
SCALE = int(os.environ.get("NUMREP_FUZZ_SCALE", "1"))
EXAMPLES_WITH_REAL_IDS = 12 * SCALE
EXAMPLES_WITH_GENERATED_IDS = 4 * SCALE
# Invalid input must get a 4xx, never a 5xx.
NEGATIVE_EXAMPLES = 4 * SCALE
CHECKS = [
    base_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# Deleting runs last, so the other operations still find the seeded objects.
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
PATH_PARAMETER = re.compile(r"{(\w+)}")


def seed(
    http: httpx.Client, db: Database, settings: Settings, account: AccountKeys
) -> dict[str, str]:
    """Create an approved enterprise with numbers, documents and remediations."""
    numbers = us_numbers(6, area_code="737")
    enterprise_id = approved_enterprise(settings, account.account_id, numbers)
    operator = account.headers(operator=True)
    response = http.post(
        f"/v2/operator/accounts/{account.account_id}/inventory",
        json={"phone_numbers": numbers},
        headers=operator,
    )
    assert response.status_code == 201, response.text

    response = http.post(
        "/v2/documents", json={"file": b64(sample_pdf()), "filename": "loa.pdf"}
    )
    assert response.status_code == 200, response.text
    document_id = response.json()["data"]["id"]

    response = http.post(
        f"/v2/enterprises/{enterprise_id}/reputation/remediation",
        json={"phone_numbers": numbers[:2], "call_purpose": "Appointment reminders"},
    )
    assert response.status_code == 202, response.text
    remediation_id = response.json()["data"]["id"]

    response = http.post(
        f"/v2/enterprises/{enterprise_id}/reputation/external_verification",
        json={"document_ids": [document_id], "phone_numbers": us_numbers(1)},
    )
    assert response.status_code == 201, response.text

    response = http.get("/v2/terms_of_service/agreements")
    agreement_id = response.json()["data"][0]["id"]
    case_id = open_review_case(db, account.account_id, enterprise_id, numbers[5])

    return {
        "account_id": str(account.account_id),
        "enterprise_id": str(enterprise_id),
        "remediation_id": remediation_id,
        "document_id": document_id,
        "agreement_id": agreement_id,
        "phone_number": numbers[3],
        "product_type": "number_reputation",
        "case_id": str(case_id),
    }


def keep_local(value: Any, url: str) -> Any:
    """Point every generated URL at the local receiver, so no traffic leaves."""
    if isinstance(value, dict):
        return {
            key: url
            if key.endswith("url") and isinstance(item, str)
            else keep_local(item, url)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [keep_local(item, url) for item in value]
    return value


def fuzz(
    operation: Any,
    *,
    path_parameters: dict[str, str],
    headers: dict[str, str],
    base_url: str,
    receiver_url: str,
    examples: int,
    statuses: set[int],
    mode: GenerationMode = GenerationMode.POSITIVE,
) -> str | None:
    """Run one operation's examples and return the failure report, if any.

    ``statuses`` collects the status code of every response.
    """
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters=path_parameters or None, headers=headers
    )

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        if isinstance(case.body, dict | list):
            case.body = keep_local(case.body, receiver_url)
        response = case.call_and_validate(
            base_url=base_url, headers=headers, checks=CHECKS, timeout=60
        )
        statuses.add(response.status_code)

    try:
        run()
    except (Exception, BaseExceptionGroup) as error:
        # FailureGroup, which collects the failed checks, is a BaseExceptionGroup.
        return f"{operation.label}: {error}"
    return None


@pytest.mark.slow
def test_fuzz_openapi_operations(
    live_server: LiveServer,
    http: httpx.Client,
    settings: Settings,
    account: AccountKeys,
    db: Database,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hooks").respond_with_data("ok")
    ids = seed(http, db, settings, account)
    schema = schemathesis.openapi.from_url(f"{live_server.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda operation: METHOD_ORDER.get(operation.method.upper(), 1))
    assert len(operations) > 40

    failures = []
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        names = PATH_PARAMETER.findall(operation.path)
        key = (
            account.operator_key if "/operator/" in operation.path else account.api_key
        )
        common = {
            "headers": {"Authorization": f"Bearer {key}"},
            "base_url": live_server.base_url,
            "receiver_url": httpserver.url_for("/hooks"),
        }
        known = {name: ids[name] for name in names if name in ids}
        positive = GenerationMode.POSITIVE
        runs = [(known, EXAMPLES_WITH_REAL_IDS, positive)] if known else []
        generated = EXAMPLES_WITH_GENERATED_IDS if names else EXAMPLES_WITH_REAL_IDS
        runs.append(({}, generated, positive))
        if len(operation.query) or len(operation.body) or len(known) < len(names):
            # With nothing left to generate there is no invalid input to send.
            runs.append((known, NEGATIVE_EXAMPLES, GenerationMode.NEGATIVE))
        seen = statuses.setdefault(operation.label, set())
        for path_parameters, examples, mode in runs:
            failure = fuzz(
                operation,
                path_parameters=path_parameters,
                examples=examples,
                statuses=seen,
                mode=mode,
                **common,
            )
            if failure is not None:
                failures.append(failure)
    assert failures == [], "\n\n".join(failures)

    silent = [label for label, seen in statuses.items() if not seen]
    assert silent == []

    # Reading a seeded object must succeed, or the ids missed their objects.
    unread = [
        label
        for label, seen in statuses.items()
        if label.startswith("GET ") and not any(200 <= code < 300 for code in seen)
    ]
    assert unread == [], {label: statuses[label] for label in unread}
