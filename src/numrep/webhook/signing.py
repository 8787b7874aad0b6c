"""The Ed25519 key that signs webhooks, and the signature headers.

Receivers verify ``telnyx-signature-ed25519`` over the UTF-8 bytes of
``"{telnyx-timestamp}|{raw body}"`` with the public key, and reject a timestamp
more than 300 seconds from their clock (the official Telnyx SDK's
``webhooks.unwrap`` does both).
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from numrep.core.secrets_store import read_or_create_secret
from numrep.settings import Settings

KEY_FILE_NAME = "webhook_ed25519.key"
SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"

_cache: dict[tuple[Path, str], Ed25519PrivateKey] = {}
_cache_lock = threading.Lock()


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """Return the signing key: the configured one, or the key file in data_dir.

    The file is created at first use with mode 0600. Keys are cached per process.
    """
    configured = settings.webhook_signing_key.get_secret_value().strip()
    path = settings.data_dir / KEY_FILE_NAME
    cache_key = (path.resolve(), configured)
    with _cache_lock:
        key = _cache.get(cache_key)
        if key is None:
            key = _parse_seed(configured) if configured else _load_key_file(path)
            _cache[cache_key] = key
        return key


def _parse_seed(value: str) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise ValueError(
            "NUMREP_WEBHOOK_SIGNING_KEY is not valid base64; give base64 of the "
            "32-byte Ed25519 private key."
        ) from error
    if len(seed) != 32:
        raise ValueError(
            f"NUMREP_WEBHOOK_SIGNING_KEY decodes to {len(seed)} bytes; an Ed25519 "
            "private key is 32 bytes."
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def _load_key_file(path: Path) -> Ed25519PrivateKey:
    new_key = Ed25519PrivateKey.generate().private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    pem = read_or_create_secret(path, generate=new_key)
    # A process that lost the O_EXCL race may read the file before the winner
    # has finished writing it.
    for _ in range(20):
        if pem.strip():
            break
        time.sleep(0.05)
        pem = path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not contain an Ed25519 private key.")
    return key


def public_key_base64(key: Ed25519PrivateKey) -> str:
    """Return base64 of the 32-byte public key, as receivers configure it."""
    raw = key.public_key().public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode("ascii")


def sign(key: Ed25519PrivateKey, *, timestamp: str, body: bytes) -> str:
    """Return base64 of the signature over ``timestamp|body``.

    ``body`` is the exact byte string that is sent, so the signed message is the
    UTF-8 encoding of ``"{timestamp}|{raw body}"``.
    """
    message = timestamp.encode("ascii") + b"|" + body
    return base64.b64encode(key.sign(message)).decode("ascii")


def signature_headers(
    key: Ed25519PrivateKey, body: bytes, *, now: float | None = None
) -> dict[str, str]:
    """Return the timestamp and signature headers for one attempt."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(key, timestamp=timestamp, body=body),
    }
