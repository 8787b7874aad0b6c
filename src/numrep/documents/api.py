"""Document endpoints, compatible with the Telnyx Documents API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from numrep.core.clock import isoformat
from numrep.core.deps import DbDep, PrincipalDep, ServicesDep
from numrep.core.errors import InvalidParametersError
from numrep.core.http import JsonRoute
from numrep.core.openapi import described
from numrep.core.pagination import PageParams, page_params
from numrep.documents import service
from numrep.documents.models import Document
from numrep.documents.schemas import (
    MAX_CUSTOMER_REFERENCE_LENGTH,
    MAX_FILENAME_LENGTH,
    DocumentFilters,
    DocumentList,
    DocumentResponse,
    DocumentUpdate,
    DocumentUpload,
    SortField,
    SortKey,
)
from numrep.documents.upload_request import read_upload

router = APIRouter(route_class=JsonRoute, tags=["Documents"])

# Uploads are checked to be one of these formats, and downloads send the same type.
DOWNLOAD_MEDIA_TYPES = ("application/pdf", "image/png", "image/jpeg")

_UPLOAD_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "byte"},
        "filename": {"type": "string", "maxLength": MAX_FILENAME_LENGTH},
        "customer_reference": {
            "type": "string",
            "maxLength": MAX_CUSTOMER_REFERENCE_LENGTH,
        },
    },
}
_UPLOAD_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _UPLOAD_BODY_SCHEMA},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "filename": {"type": "string"},
                        "customer_reference": {"type": "string"},
                    },
                }
            },
        },
    }
}


def render_document(document: Document) -> dict[str, Any]:
    return {
        "id": str(document.id),
        "record_type": "document",
        "filename": document.filename,
        "content_type": document.content_type,
        "sha256": document.sha256,
        "size": {"amount": document.size_bytes, "unit": "bytes"},
        "status": document.status,
        "av_scan_status": "not_scanned",
        "customer_reference": document.customer_reference,
        "created_at": isoformat(document.created_at),
        "updated_at": isoformat(document.updated_at),
    }


@router.post(
    "/documents",
    openapi_extra=_UPLOAD_OPENAPI,
    response_model=None,
    responses=described(DocumentResponse, 413, 415),
)
def upload_document(
    upload: Annotated[DocumentUpload, Depends(read_upload)],
    db: DbDep,
    principal: PrincipalDep,
    services: ServicesDep,
) -> dict[str, Any]:
    """Store a PDF, PNG or JPEG sent as base64 JSON or as multipart/form-data."""
    with db.unit_of_work() as session:
        document = service.create(
            session,
            account_id=principal.account_id,
            upload=upload,
            max_bytes=services.settings.document_max_bytes,
        )
        return {"data": render_document(document)}


def _document_filters(
    filename_contains: Annotated[
        str | None,
        Query(alias="filter[filename][contains]", max_length=MAX_FILENAME_LENGTH),
    ] = None,
    customer_reference: Annotated[
        str | None,
        Query(
            alias="filter[customer_reference][eq]",
            max_length=MAX_CUSTOMER_REFERENCE_LENGTH,
        ),
    ] = None,
    customer_reference_in: Annotated[
        list[str] | None, Query(alias="filter[customer_reference][in]")
    ] = None,
    customer_reference_in_brackets: Annotated[
        list[str] | None, Query(alias="filter[customer_reference][in][]")
    ] = None,
    created_after: Annotated[
        datetime | None, Query(alias="filter[created_at][gt]")
    ] = None,
    created_before: Annotated[
        datetime | None, Query(alias="filter[created_at][lt]")
    ] = None,
) -> DocumentFilters:
    # The SDK joins list values with commas, while other clients repeat the parameter.
    references = [
        reference
        for value in (customer_reference_in or [])
        + (customer_reference_in_brackets or [])
        for reference in value.split(",")
        if reference
    ]
    return DocumentFilters(
        filename_contains=filename_contains,
        customer_reference=customer_reference,
        customer_reference_in=tuple(references),
        created_after=_as_utc(created_after),
        created_before=_as_utc(created_before),
    )


def _sort_keys(
    sort: Annotated[list[str] | None, Query(alias="sort")] = None,
) -> list[SortKey]:
    keys = []
    for value in (part for item in sort or [] for part in item.split(",")):
        name = value.strip().removeprefix("-")
        if name not in {field.value for field in SortField}:
            allowed = ", ".join(field.value for field in SortField)
            raise InvalidParametersError.at(
                f"Cannot sort by {value!r}; use one of {allowed}, with a leading "
                "'-' for descending order.",
                parameter="sort",
            )
        keys.append(SortKey(SortField(name), descending=value.strip().startswith("-")))
    return keys


@router.get(
    "/documents",
    response_model=None,
    responses=described(DocumentList),
)
def list_documents(
    db: DbDep,
    principal: PrincipalDep,
    page: Annotated[PageParams, Depends(page_params(20))],
    filters: Annotated[DocumentFilters, Depends(_document_filters)],
    sort: Annotated[list[SortKey], Depends(_sort_keys)],
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        result = service.list_documents(
            session,
            account_id=principal.account_id,
            filters=filters,
            sort=sort,
            page=page,
        )
        return result.render(render_document)


@router.get(
    "/documents/{document_id}",
    response_model=None,
    responses=described(DocumentResponse),
)
def get_document(
    document_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        document = service.get_owned(
            session, account_id=principal.account_id, document_id=document_id
        )
        return {"data": render_document(document)}


@router.patch(
    "/documents/{document_id}",
    response_model=None,
    responses=described(DocumentResponse),
)
def update_document(
    document_id: uuid.UUID, body: DocumentUpdate, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        document = service.update(
            session,
            account_id=principal.account_id,
            document_id=document_id,
            body=body,
        )
        return {"data": render_document(document)}


@router.delete(
    "/documents/{document_id}",
    response_model=None,
    responses=described(DocumentResponse),
)
def delete_document(
    document_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        document = service.delete(
            session, account_id=principal.account_id, document_id=document_id
        )
        return {"data": render_document(document)}


@router.get(
    "/documents/{document_id}/download",
    response_class=Response,
    responses=described(None, media_types=DOWNLOAD_MEDIA_TYPES),
)
def download_document(
    document_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> Response:
    """Return the bytes as uploaded, with the content type detected at upload."""
    with db.unit_of_work(write=False) as session:
        document, data = service.read_content(
            session, account_id=principal.account_id, document_id=document_id
        )
    return Response(
        content=data,
        media_type=document.content_type,
        headers={
            "Content-Disposition": _attachment(document.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


def _attachment(filename: str) -> str:
    # RFC 6266: an ASCII fallback for old clients, then the exact UTF-8 name.
    fallback = "".join(
        char if char.isascii() and char not in '"\\' else "_" for char in filename
    )
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
