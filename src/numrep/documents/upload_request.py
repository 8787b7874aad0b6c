"""Reading a document upload from a JSON or a multipart/form-data request body.

The official SDK's ``upload_json`` and ``upload`` both send a flat JSON object with
``file`` as base64, ``filename`` and ``customer_reference``. ``upload`` only adds
``?content-type=multipart`` to the URL. A body that nests the fields under
``document`` is accepted too. A real multipart body carries the file as a file part
named ``file``. The Content-Type header decides which parser runs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from numrep.core.deps import PrincipalDep, ServicesDep
from numrep.core.errors import (
    CODE_UNSUPPORTED_MEDIA,
    ErrorItem,
    InvalidParametersError,
    NumrepError,
)
from numrep.core.http import validation_items
from numrep.documents.content import base64_length_limit, decode_base64
from numrep.documents.schemas import DocumentUpload, UploadFields
from numrep.documents.service import FileTooLargeError

# Room for the filename, the customer reference and the JSON or multipart framing
# around the file itself.
_ENVELOPE_BYTES = 64 * 1024
_FORM_TEXT_FIELDS = ("filename", "customer_reference", "url")


async def read_upload(
    request: Request, principal: PrincipalDep, services: ServicesDep
) -> DocumentUpload:
    """Parse and decode the upload body, reading at most the configured size.

    ``principal`` is a parameter so that a request without a valid key is rejected
    before its body is read.
    """
    del principal
    max_bytes = services.settings.document_max_bytes
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "multipart/form-data":
        return await _read_multipart(request, max_bytes)
    if media_type == "application/json" or media_type.endswith("+json"):
        body = b"".join([chunk async for chunk in _limited_stream(request, max_bytes)])
        return _parse_json(body)
    raise NumrepError(
        415,
        [
            ErrorItem(
                CODE_UNSUPPORTED_MEDIA,
                "Unsupported Media Type",
                f"Content-Type {content_type or '(none)'} is not supported; send "
                "the document as application/json with base64 in 'file', or as "
                "multipart/form-data with a file part named 'file'.",
            )
        ],
    )


async def _limited_stream(
    request: Request, max_bytes: int
) -> AsyncGenerator[bytes, None]:
    limit = base64_length_limit(max_bytes) + _ENVELOPE_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FileTooLargeError(max_bytes, pointer="/file")
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise FileTooLargeError(max_bytes, pointer="/file")
        yield chunk


def _parse_json(body: bytes) -> DocumentUpload:
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise InvalidParametersError.at(
            f"The request body is not valid JSON: {error}", pointer="/"
        ) from None
    if not isinstance(payload, dict):
        raise InvalidParametersError.at(
            "The request body must be a JSON object with 'file' and 'filename'.",
            pointer="/",
        )
    nested = payload.get("document")
    if isinstance(nested, dict):
        return _upload_from_fields(nested, prefix="/document")
    return _upload_from_fields(payload, prefix="")


async def _read_multipart(request: Request, max_bytes: int) -> DocumentUpload:
    parser = MultiPartParser(
        request.headers,
        _limited_stream(request, max_bytes),
        max_files=1,
        max_fields=len(_FORM_TEXT_FIELDS) + 1,
        max_part_size=base64_length_limit(max_bytes) + _ENVELOPE_BYTES,
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise InvalidParametersError.at(
            f"The multipart body could not be parsed: {error.message}", pointer="/"
        ) from None
    try:
        return await _upload_from_form(form)
    finally:
        await form.close()


async def _upload_from_form(form: FormData) -> DocumentUpload:
    fields: dict[str, Any] = {
        name: value
        for name in _FORM_TEXT_FIELDS
        if isinstance(value := form.get(name), str)
    }
    part = form.get("file")
    if not isinstance(part, UploadFile):
        # A text part named "file" contains base64, as in the JSON form.
        fields["file"] = part
        return _upload_from_fields(fields, prefix="")
    if part.filename and not fields.get("filename"):
        fields["filename"] = part.filename
    return _upload_from_fields(fields, prefix="", data=await part.read())


def _upload_from_fields(
    raw: dict[str, Any], *, prefix: str, data: bytes | None = None
) -> DocumentUpload:
    try:
        fields = UploadFields.model_validate(raw)
    except ValidationError as error:
        raise InvalidParametersError(_prefixed_items(error, prefix)) from None
    if fields.url is not None:
        raise InvalidParametersError.at(
            "Fetching documents from a URL is disabled on this server; send the "
            "file's contents as base64 in 'file' instead.",
            pointer=f"{prefix}/url",
        )
    if data is None:
        data = _decode_file(fields.file, pointer=f"{prefix}/file")
    return DocumentUpload(
        data=data,
        filename=fields.filename,
        customer_reference=fields.customer_reference,
        pointer_prefix=prefix,
    )


def _decode_file(text: str | None, *, pointer: str) -> bytes:
    if text is None:
        raise InvalidParametersError.at(
            "The file is missing; send the document's contents as base64 in 'file'.",
            pointer=pointer,
        )
    try:
        return decode_base64(text)
    except ValueError:
        raise InvalidParametersError.at(
            "The file is not valid base64; encode the document's bytes with "
            "standard base64 (RFC 4648, alphabet A-Z a-z 0-9 + /, with padding).",
            pointer=pointer,
        ) from None


def _prefixed_items(error: ValidationError, prefix: str) -> list[ErrorItem]:
    parts = tuple(part for part in prefix.split("/") if part)
    errors = [
        {**detail, "loc": ("body", *parts, *detail["loc"])} for detail in error.errors()
    ]
    return validation_items(errors)
