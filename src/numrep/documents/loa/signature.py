"""Decoding and checking the signature image embedded in a rendered letter."""

from __future__ import annotations

import io

from PIL import Image

from numrep.core.errors import InvalidParametersError
from numrep.documents.content import JPEG, PNG, decode_base64, sniff_content_type

POINTER = "/signature/image_base64"
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
# The cap bounds the memory one decode can take. Signatures need far fewer pixels.
MAX_SIGNATURE_SIDE_PIXELS = 4096


def load_signature_image(image_base64: str) -> Image.Image:
    """Decode a base64 PNG or JPEG signature and load its pixels.

    Raises ``InvalidParametersError`` pointing at ``/signature/image_base64`` when
    the text is not base64, the bytes are not a complete PNG or JPEG, or the image
    is too large.
    """
    try:
        data = decode_base64(image_base64)
    except ValueError:
        raise _invalid(
            "The signature image is not valid base64; encode the PNG or JPEG file "
            "with standard base64."
        ) from None
    if len(data) > MAX_SIGNATURE_BYTES:
        raise _invalid(
            f"The signature image is {len(data)} bytes, more than the limit of "
            f"{MAX_SIGNATURE_BYTES}; send a smaller PNG or JPEG."
        )
    if sniff_content_type(data) not in (PNG, JPEG):
        raise _invalid(
            "The signature is not a PNG or JPEG image (checked by its first bytes); "
            "send a PNG or JPEG file encoded with base64."
        )
    return _decode(data)


def _decode(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=["PNG", "JPEG"])
        width, height = image.size
        if max(width, height) <= MAX_SIGNATURE_SIDE_PIXELS:
            # A truncated or corrupt file fails here, not later inside the PDF.
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _invalid(
            f"The signature image could not be decoded ({error}); send a complete "
            "PNG or JPEG file."
        ) from None
    if max(width, height) > MAX_SIGNATURE_SIDE_PIXELS:
        raise _invalid(
            f"The signature image is {width}x{height} pixels; send one at most "
            f"{MAX_SIGNATURE_SIDE_PIXELS} pixels on each side."
        )
    return image


def _invalid(detail: str) -> InvalidParametersError:
    return InvalidParametersError.at(detail, pointer=POINTER)
