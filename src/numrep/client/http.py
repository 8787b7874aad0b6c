"""An HTTP client for a numrep server, with one typed helper per endpoint used.

It talks to the public API only, so it works against any numrep, local or
remote. Error responses in the Telnyx envelope become ``ApiError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from numrep import __version__

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v2"
MAX_PAGE_SIZE = 250
# Associating 100 numbers or submitting 2,000 can take a while on a busy server.
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    """One entry of the ``errors`` array of an error response."""

    code: str
    title: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None

    def index(self, prefix: str = "/phone_numbers/") -> int | None:
        """Return the array index this entry points at, if it points into one."""
        if self.pointer is None or not self.pointer.startswith(prefix):
            return None
        tail = self.pointer[len(prefix) :]
        return int(tail) if tail.isdigit() else None


class ApiError(Exception):
    """Raised for an error response; ``str()`` is a readable one-paragraph text."""

    def __init__(
        self, status_code: int, entries: Sequence[ErrorEntry], *, method: str, url: str
    ) -> None:
        self.status_code = status_code
        self.entries = list(entries)
        self.method = method
        self.url = url
        super().__init__(self.message())

    def message(self) -> str:
        lines = [f"{self.method} {self.url} failed with HTTP {self.status_code}"]
        for entry in self.entries:
            where = entry.pointer or entry.parameter
            suffix = f" (at {where})" if where else ""
            lines.append(f"  {entry.title}: {entry.detail}{suffix}")
        return "\n".join(lines)


class TransportError(Exception):
    """Raised when the server cannot be reached or does not respond in time."""


def parse_error(response: httpx.Response) -> ApiError:
    """Turn an error response into ``ApiError``, whatever its body holds."""
    request = response.request
    entries: list[ErrorEntry] = []
    try:
        body = response.json()
    except ValueError:
        body = None
    raw_entries = body.get("errors") if isinstance(body, dict) else None
    if isinstance(raw_entries, list):
        entries = [_entry(raw) for raw in raw_entries if isinstance(raw, dict)]
    if not entries:
        text = response.text.strip()[:200] or response.reason_phrase
        entries = [ErrorEntry(code="", title="Error", detail=text)]
    return ApiError(
        response.status_code, entries, method=request.method, url=str(request.url)
    )


def _entry(raw: Mapping[str, Any]) -> ErrorEntry:
    source = raw.get("source")
    source = source if isinstance(source, dict) else {}
    return ErrorEntry(
        code=str(raw.get("code", "")),
        title=str(raw.get("title", "Error")),
        detail=str(raw.get("detail", "")),
        pointer=source.get("pointer"),
        parameter=source.get("parameter"),
    )


class NumrepClient:
    """The numrep endpoints the CSV commands use, over one ``httpx.Client``."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": f"numrep-cli/{__version__}",
            },
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> NumrepClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON body of a 2xx response."""
        try:
            response = self._http.request(
                method, path.lstrip("/"), json=json, params=params
            )
        except httpx.HTTPError as error:
            raise TransportError(
                f"{method} {self._http.base_url}{path.lstrip('/')} failed: {error}"
            ) from error
        if response.is_error:
            raise parse_error(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def iter_pages(
        self, path: str, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
        """Yield each page's ``data`` and ``meta`` until the last page.

        Paging stops at an empty page or when ``page_number`` reaches
        ``total_pages``, as the official SDK does.
        """
        number = 1
        while True:
            body = self.request(
                "GET",
                path,
                params={"page[number]": number, "page[size]": page_size},
            )
            data: list[dict[str, Any]] = body["data"]
            meta: dict[str, Any] = body["meta"]
            if not data:
                return
            yield data, meta
            if meta["page_number"] >= meta["total_pages"]:
                return
            number = meta["page_number"] + 1

    def associate(
        self, enterprise_id: str, phone_numbers: Sequence[str]
    ) -> list[dict[str, Any]]:
        body = self.request(
            "POST",
            f"enterprises/{enterprise_id}/reputation/numbers",
            json={"phone_numbers": list(phone_numbers)},
        )
        data: list[dict[str, Any]] = body["data"]
        return data

    def numbers_path(self, enterprise_id: str) -> str:
        return f"enterprises/{enterprise_id}/reputation/numbers"

    def history_path(self, enterprise_id: str, phone_number: str) -> str:
        return (
            f"enterprises/{enterprise_id}/reputation/numbers/"
            f"{quote(phone_number, safe='')}/history"
        )

    def check_eligibility(
        self, enterprise_id: str, phone_numbers: Sequence[str]
    ) -> list[dict[str, Any]]:
        body = self.request(
            "POST",
            f"enterprises/{enterprise_id}/reputation/remediation/eligibility",
            json={"phone_numbers": list(phone_numbers)},
        )
        data: list[dict[str, Any]] = body["data"]
        return data

    def submit_remediation(
        self, enterprise_id: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        response = self.request(
            "POST", f"enterprises/{enterprise_id}/reputation/remediation", json=body
        )
        data: dict[str, Any] = response["data"]
        return data

    def request_numbers_path(self, enterprise_id: str, remediation_id: str) -> str:
        return (
            f"enterprises/{enterprise_id}/reputation/remediation/"
            f"{remediation_id}/numbers"
        )
