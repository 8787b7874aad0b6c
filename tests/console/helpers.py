"""Signing in to the console from a test client, and a switchable receiver."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from numrep.app import build_services
from numrep.core.clock import utcnow
from numrep.remediation.models import (
    NumberState,
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)
from numrep.settings import Settings
from tests.support.onboarding import approved_enterprise, us_numbers

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match is not None, "page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient | httpx.Client, api_key: str) -> httpx.Response:
    """Sign in through the form and return the sign-in POST's response."""
    page = client.get("/console/signin")
    assert page.status_code == 200, page.text
    return client.post(
        "/console/signin",
        data={"api_key": api_key, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


class _Handler(BaseHTTPRequestHandler):
    server: SwitchableReceiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        with self.server.lock:
            self.server.received += 1
            status = self.server.status
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


class SwitchableReceiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1 that replies to every POST with ``status``."""

    daemon_threads = True

    def __init__(self, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.status = status
        self.received = 0
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def insert_open_cases(
    settings: Settings, account_id: uuid.UUID, count: int
) -> list[uuid.UUID]:
    """Insert one request of ``count`` numbers, each with one open operator case.

    Every fourth case is at tns and the others at first_orion. Case ``i`` was
    opened ``i % 10`` days ago and its deadline is ``i - count // 2`` minutes from
    now. Returns the case ids in queue order (earliest deadline first).
    """
    enterprise_id = approved_enterprise(settings, account_id, [])
    numbers = us_numbers(count)
    now = utcnow()
    request_id = uuid.uuid4()
    case_ids = [uuid.uuid4() for _ in numbers]
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            session.add(
                RemediationRequest(
                    id=request_id,
                    account_id=account_id,
                    enterprise_id=enterprise_id,
                    status=RequestStatus.IN_PROGRESS,
                    call_purpose="Pharmacy refill reminders.",
                    phone_numbers_count=count,
                    phone_numbers_submitted=count,
                    phone_numbers_ineligible=0,
                    tier1_completed_at=now,
                )
            )
            session.flush()
            session.execute(
                sa.insert(RemediationNumber),
                [
                    {
                        "id": index + 1,
                        "request_id": request_id,
                        "enterprise_id": enterprise_id,
                        "phone_number": number,
                        "position": index,
                        "state": NumberState.ESCALATED,
                        "inflight_phone": number,
                    }
                    for index, number in enumerate(numbers)
                ],
            )
            session.execute(
                sa.insert(ReviewCase),
                [
                    {
                        "id": case_ids[index],
                        "request_id": request_id,
                        "number_id": index + 1,
                        "enterprise_id": enterprise_id,
                        "phone_number": number,
                        "network": "first_orion" if index % 4 else "tns",
                        "tier": 2,
                        "manual": True,
                        "state": "open",
                        "idempotency_key": f"scale-{index}",
                        "deadline_at": now + timedelta(minutes=index - count // 2),
                        "created_at": now - timedelta(days=index % 10),
                        "updated_at": now,
                    }
                    for index, number in enumerate(numbers)
                ],
            )
    finally:
        services.db.dispose()
    return case_ids
