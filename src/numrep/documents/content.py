"""Base64 decoding and content-type detection for uploaded files and images."""

from __future__ import annotations

import base64
import re

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

# The first bytes of each accepted format. Detection never trusts a filename or a
# client-supplied Content-Type.
_MAGIC_NUMBERS = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)

EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}

# Browsers and signature pads produce "data:image/png;base64,..." strings.
_DATA_URL_PREFIX = re.compile(r"\Adata:[\w.+-]+/[\w.+-]+;base64,", re.IGNORECASE)


def sniff_content_type(data: bytes) -> str | None:
    """Return the media type that the file's first bytes identify, or None."""
    for magic, media_type in _MAGIC_NUMBERS:
        if data.startswith(magic):
            return media_type
    return None


def decode_base64(text: str) -> bytes:
    """Decode standard base64, ignoring whitespace and a leading data URL prefix.

    Raises ``binascii.Error`` (a ``ValueError``) when the text is not valid base64.
    """
    text = _DATA_URL_PREFIX.sub("", text.strip(), count=1)
    compact = "".join(text.split())
    return base64.b64decode(compact, validate=True)


def base64_length_limit(max_bytes: int) -> int:
    """Return the base64 length of ``max_bytes`` bytes, padding included."""
    return 4 * ((max_bytes + 2) // 3)
