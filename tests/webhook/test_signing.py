"""The webhook key pair and signatures, checked with the official Telnyx SDK."""

from __future__ import annotations

import base64
import json
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from numrep.settings import Settings
from numrep.webhook.signing import (
    KEY_FILE_NAME,
    public_key_base64,
    signature_headers,
    signing_key,
)

Unwrap = Callable[[str, dict[str, str], str], Any]

BODY = json.dumps(
    {
        "data": {
            "record_type": "event",
            "id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
            "event_type": "number_reputation.number.flagged",
            "occurred_at": "2026-10-05T07:00:12.521992Z",
            "payload": {"phone_number": "+15125550143", "note": "caf\u00e9"},
        },
        "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks"},
    },
    separators=(",", ":"),
    ensure_ascii=False,
).encode("utf-8")


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", **values)


def test_key_file_created_with_mode_0600(tmp_path: Path) -> None:
    key = signing_key(_settings(tmp_path))
    path = tmp_path / "data" / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(stored, Ed25519PrivateKey)
    assert public_key_base64(stored) == public_key_base64(key)


def test_key_file_reused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "data" / KEY_FILE_NAME
    first = public_key_base64(signing_key(_settings(tmp_path)))
    content = path.read_bytes()
    # A second data dir path spelling bypasses the per-process cache.
    again = signing_key(Settings(data_dir=tmp_path / "data" / ".." / "data"))
    assert public_key_base64(again) == first
    assert path.read_bytes() == content


def test_configured_key_used_without_file(tmp_path: Path) -> None:
    seed = bytes(range(32))
    settings = _settings(
        tmp_path, webhook_signing_key=base64.b64encode(seed).decode("ascii")
    )
    expected = public_key_base64(Ed25519PrivateKey.from_private_bytes(seed))
    assert public_key_base64(signing_key(settings)) == expected
    assert not (tmp_path / "data" / KEY_FILE_NAME).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("not base64!", "not valid base64"), ("AAAA", "decodes to 3 bytes")],
)
def test_configured_key_rejected(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        signing_key(_settings(tmp_path, webhook_signing_key=value))


def test_public_key_is_32_bytes(tmp_path: Path) -> None:
    encoded = public_key_base64(signing_key(_settings(tmp_path)))
    assert len(base64.b64decode(encoded, validate=True)) == 32


def test_sdk_verifies_signature(tmp_path: Path, unwrap: Unwrap) -> None:
    key = signing_key(_settings(tmp_path))
    before = int(time.time())
    headers = signature_headers(key, BODY)
    after = int(time.time())
    assert before <= int(headers["telnyx-timestamp"]) <= after
    assert len(base64.b64decode(headers["telnyx-signature-ed25519"])) == 64
    event = unwrap(BODY.decode("utf-8"), headers, public_key_base64(key))
    assert event.data.id == "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0"


def test_sdk_rejects_tampered_body(tmp_path: Path, unwrap: Unwrap) -> None:
    key = signing_key(_settings(tmp_path))
    headers = signature_headers(key, BODY)
    tampered = BODY.decode("utf-8").replace('"attempt":1', '"attempt":2')
    assert tampered != BODY.decode("utf-8")
    with pytest.raises(ValueError, match="signature does not match"):
        unwrap(tampered, headers, public_key_base64(key))


def test_sdk_rejects_old_timestamp(tmp_path: Path, unwrap: Unwrap) -> None:
    key = signing_key(_settings(tmp_path))
    headers = signature_headers(key, BODY, now=time.time() - 301)
    with pytest.raises(ValueError, match="too old or too new"):
        unwrap(BODY.decode("utf-8"), headers, public_key_base64(key))


def test_sdk_rejects_other_key(tmp_path: Path, unwrap: Unwrap) -> None:
    key = signing_key(_settings(tmp_path))
    other = public_key_base64(Ed25519PrivateKey.generate())
    with pytest.raises(ValueError, match="signature does not match"):
        unwrap(BODY.decode("utf-8"), signature_headers(key, BODY), other)
