"""The demo's webhook receiver, fed real HTTP requests signed with Ed25519."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from numrep.demo.receiver import WebhookReceiver, load_public_key

BODY = json.dumps(
    {
        "data": {
            "record_type": "event",
            "id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
            "event_type": "number_reputation.remediation.completed",
            "payload": {"id": "9f1c8a2e-5b3d-4e7a-9c11-2a6f0d3b4c55"},
        },
        "meta": {"attempt": 2},
    }
).encode()


def public_base64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def signed_headers(
    key: Ed25519PrivateKey, body: bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = key.sign(stamp.encode() + b"|" + body)
    return {
        "telnyx-timestamp": stamp,
        "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
        "content-type": "application/json",
    }


@pytest.fixture
def server_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def receiver(server_key: Ed25519PrivateKey) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(load_public_key(public_base64(server_key)))
    receiver.start()
    yield receiver
    receiver.stop()


def test_receiver_verifies_signed_delivery(
    receiver: WebhookReceiver, server_key: Ed25519PrivateKey
) -> None:
    response = httpx.post(
        receiver.url, content=BODY, headers=signed_headers(server_key, BODY)
    )

    assert response.status_code == 204
    [delivery] = receiver.received()
    assert delivery.verified
    assert delivery.problem == ""
    assert delivery.event_type == "number_reputation.remediation.completed"
    assert delivery.request_id == "9f1c8a2e-5b3d-4e7a-9c11-2a6f0d3b4c55"
    assert delivery.attempt == 2


def test_receiver_rejects_other_key(receiver: WebhookReceiver) -> None:
    other = Ed25519PrivateKey.generate()

    response = httpx.post(
        receiver.url, content=BODY, headers=signed_headers(other, BODY)
    )

    assert response.status_code == 401
    [delivery] = receiver.received()
    assert not delivery.verified
    assert "does not match" in delivery.problem


def test_receiver_rejects_changed_body(
    receiver: WebhookReceiver, server_key: Ed25519PrivateKey
) -> None:
    headers = signed_headers(server_key, BODY)

    response = httpx.post(receiver.url, content=BODY + b" ", headers=headers)

    assert response.status_code == 401
    assert not receiver.received()[0].verified


def test_receiver_rejects_stale_timestamp(
    receiver: WebhookReceiver, server_key: Ed25519PrivateKey
) -> None:
    stale = int(time.time()) - 301
    headers = signed_headers(server_key, BODY, timestamp=stale)

    response = httpx.post(receiver.url, content=BODY, headers=headers)

    assert response.status_code == 401
    assert "300 s" in receiver.received()[0].problem


def test_receiver_rejects_missing_signature(receiver: WebhookReceiver) -> None:
    response = httpx.post(
        receiver.url, content=BODY, headers={"telnyx-timestamp": str(int(time.time()))}
    )

    assert response.status_code == 401
    assert "missing header" in receiver.received()[0].problem


def test_receiver_rejects_bad_base64(
    receiver: WebhookReceiver, server_key: Ed25519PrivateKey
) -> None:
    headers = signed_headers(server_key, BODY)
    headers["telnyx-signature-ed25519"] = "not base64!"

    response = httpx.post(receiver.url, content=BODY, headers=headers)

    assert response.status_code == 401
    assert "base64" in receiver.received()[0].problem
