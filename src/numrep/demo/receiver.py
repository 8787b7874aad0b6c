"""A local webhook receiver that checks every delivery's Ed25519 signature.

It verifies with ``cryptography`` directly, not with numrep's signing module, so
a mistake in numrep's signing shows up as an unverified delivery.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
# Receivers that follow the Telnyx SDK reject timestamps further from their clock.
TIMESTAMP_TOLERANCE_SECONDS = 300
PATH = "/webhooks/remediation"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST the receiver got, and the result of its signature check."""

    event_id: str
    event_type: str
    request_id: str
    attempt: int
    verified: bool
    problem: str


def verify_signature(
    public_key: Ed25519PublicKey,
    headers: dict[str, str],
    body: bytes,
    *,
    now: float | None = None,
) -> str:
    """Return an empty string when the signature is valid, else what is wrong."""
    signature_text = headers.get(SIGNATURE_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    if not signature_text or not timestamp:
        return f"missing header {SIGNATURE_HEADER} or {TIMESTAMP_HEADER}"
    if not timestamp.isdigit():
        return f"timestamp {timestamp!r} is not Unix seconds"
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS:
        return f"timestamp {timestamp} is more than 300 s from this clock"
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except binascii.Error:
        return "signature is not valid base64"
    try:
        public_key.verify(signature, timestamp.encode("ascii") + b"|" + body)
    except InvalidSignature:
        return "signature does not match the public key"
    return ""


def load_public_key(public_key_base64: str) -> Ed25519PublicKey:
    """Decode base64 of a raw 32-byte Ed25519 public key."""
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_base64))


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records and verifies deliveries.

    It returns 204 for a verified delivery and 401 for any other one, so numrep
    retries deliveries that fail the check.
    """

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self.public_key = public_key
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-webhooks", daemon=True
        )

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}{PATH}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def received(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)

    def record(self, headers: dict[str, str], body: bytes) -> bool:
        problem = verify_signature(self.public_key, headers, body)
        envelope = _parse(body)
        data = envelope.get("data") or {}
        payload = data.get("payload") or {}
        delivery = Delivery(
            event_id=str(data.get("id", "")),
            event_type=str(data.get("event_type", "")),
            request_id=str(payload.get("id", "")),
            attempt=int((envelope.get("meta") or {}).get("attempt", 0)),
            verified=not problem,
            problem=problem,
        )
        with self._lock:
            self.deliveries.append(delivery)
        return delivery.verified


def _parse(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = 404
            if self.path == PATH:
                status = 204 if receiver.record(headers, body) else 401
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            # The demo prints its own list of deliveries instead of access lines.
            return

    return Handler
