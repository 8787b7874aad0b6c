"""The demo's calls to numrep's HTTP API, from onboarding to per-number results.

Every step uses the public API with the shapes of the Telnyx contract, except
the operator steps (LOA approval, inventory), which are numrep's extensions.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from typing import Any

import httpx

from numrep.demo.errors import DemoError
from numrep.demo.plan import enterprise_body
from numrep.demo.server import DemoAccount

# Registering numbers takes at most this many per call.
REGISTER_BATCH_SIZE = 100


class DemoApi:
    """An HTTP client for one account: customer calls and operator calls."""

    def __init__(self, base_url: str, account: DemoAccount) -> None:
        self.account = account
        self.http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {account.api_key}"},
            timeout=30.0,
        )
        self.operator_headers = {"Authorization": f"Bearer {account.operator_key}"}

    def close(self) -> None:
        self.http.close()

    def onboard(self, numbers: Iterable[str], *, vetting_timeout: float) -> str:
        """Take a new enterprise through every gate and register ``numbers``.

        Returns the enterprise id. Vetting runs in the server's worker and may
        take ``vetting_timeout`` seconds.
        """
        numbers = list(numbers)
        self._call(
            "POST", "/v2/terms_of_service/number_reputation/agree", "agree to terms"
        )
        enterprise = self._call(
            "POST", "/v2/enterprises", "create the enterprise", json=enterprise_body()
        )
        enterprise_id = str(enterprise["data"]["id"])
        document_id = self._upload_loa(enterprise_id)
        self._call(
            "POST",
            f"/v2/enterprises/{enterprise_id}/reputation",
            "enable number reputation",
            json={"loa_document_id": document_id},
        )
        self._wait_for_vetting(enterprise_id, vetting_timeout)
        self._call(
            "POST",
            f"/v2/operator/enterprises/{enterprise_id}/reputation/loa/approve",
            "approve the LOA as operator",
            headers=self.operator_headers,
        )
        self._call(
            "POST",
            f"/v2/operator/accounts/{self.account.account_id}/inventory",
            "add numbers to the inventory as operator",
            json={"phone_numbers": numbers},
            headers=self.operator_headers,
        )
        for start in range(0, len(numbers), REGISTER_BATCH_SIZE):
            self._call(
                "POST",
                f"/v2/enterprises/{enterprise_id}/reputation/numbers",
                "register numbers for reputation",
                json={"phone_numbers": numbers[start : start + REGISTER_BATCH_SIZE]},
            )
        return enterprise_id

    def signing_public_key(self) -> str:
        body = self._call("GET", "/v2/webhook_signing_key", "get the signing key")
        return str(body["data"]["public_key"])

    def submit(self, enterprise_id: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._call(
            "POST",
            f"/v2/enterprises/{enterprise_id}/reputation/remediation",
            "submit a remediation request",
            json=body,
        )
        data: dict[str, Any] = response["data"]
        return data

    def get_request(self, enterprise_id: str, request_id: str) -> dict[str, Any]:
        response = self._call(
            "GET",
            f"/v2/enterprises/{enterprise_id}/reputation/remediation/{request_id}",
            "get a remediation request",
        )
        data: dict[str, Any] = response["data"]
        return data

    def request_numbers(
        self, enterprise_id: str, request_id: str
    ) -> list[dict[str, Any]]:
        """Return every per-number row of a request, following the pages."""
        path = (
            f"/v2/enterprises/{enterprise_id}/reputation/remediation/"
            f"{request_id}/numbers"
        )
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self._call(
                "GET",
                path,
                "list a request's numbers",
                params={"page[number]": page, "page[size]": 250},
            )
            rows.extend(response["data"])
            if page >= int(response["meta"]["total_pages"]):
                return rows
            page += 1

    def open_review_cases(
        self, enterprise_id: str, request_id: str
    ) -> list[dict[str, Any]]:
        """Return the open operator cases of one request.

        Only the first 250 cases are read, far more than the demo opens.
        """
        response = self._call(
            "GET",
            "/v2/operator/review_cases",
            "list open review cases as operator",
            params={
                "filter[state]": "open",
                "filter[enterprise_id]": enterprise_id,
                "page[size]": 250,
            },
            headers=self.operator_headers,
        )
        return [
            case for case in response["data"] if case["remediation_id"] == request_id
        ]

    def decide_review_cases(
        self, case_ids: list[str], *, decision: str, note: str
    ) -> None:
        self._call(
            "POST",
            "/v2/operator/review_cases/decisions",
            "decide review cases as operator",
            json={"case_ids": case_ids, "decision": decision, "note": note},
            headers=self.operator_headers,
        )

    def _upload_loa(self, enterprise_id: str) -> str:
        """Render the enterprise's Letter of Authorization and upload it."""
        response = self.http.post(f"/v2/enterprises/{enterprise_id}/reputation/loa")
        _raise_unless_ok(response, "render the LOA")
        encoded = base64.b64encode(response.content).decode("ascii")
        document = self._call(
            "POST",
            "/v2/documents",
            "upload the LOA",
            json={"file": encoded, "filename": "letter-of-authorization.pdf"},
        )
        return str(document["data"]["id"])

    def _wait_for_vetting(self, enterprise_id: str, timeout: float) -> None:
        """Wait until the worker's sandbox vetting approves the enterprise."""
        deadline = time.monotonic() + timeout
        status = "pending"
        while time.monotonic() < deadline:
            body = self._call(
                "GET",
                f"/v2/enterprises/{enterprise_id}/reputation",
                "get the reputation settings",
            )
            status = str(body["data"]["status"])
            if status == "approved":
                return
            if status != "pending":
                raise DemoError(
                    f"Vetting of enterprise {enterprise_id} ended as {status!r}, "
                    "not 'approved'."
                )
            time.sleep(0.2)
        raise DemoError(
            f"Vetting of enterprise {enterprise_id} was still {status!r} after "
            f"{timeout:.0f} s. Run again with a larger --timeout or a smaller "
            "--time-scale."
        )

    def _call(self, method: str, path: str, step: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        _raise_unless_ok(response, step)
        if response.status_code == 204:
            return {}
        return response.json()


def _raise_unless_ok(response: httpx.Response, step: str) -> None:
    if response.is_success:
        return
    detail = response.text[:500]
    try:
        errors = response.json().get("errors") or []
        if errors:
            detail = "; ".join(str(error.get("detail")) for error in errors[:3])
    except ValueError:
        pass
    raise DemoError(
        f"Could not {step}: {response.request.method} {response.request.url.path} "
        f"returned {response.status_code}: {detail}"
    )
