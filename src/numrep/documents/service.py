"""Storing, reading, renaming and deleting an account's uploaded documents."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import (
    CODE_PAYLOAD_TOO_LARGE,
    ErrorItem,
    InvalidParametersError,
    NotFoundError,
    NumrepError,
)
from numrep.core.pagination import Page, PageParams, paginate
from numrep.documents.content import EXTENSIONS, sniff_content_type
from numrep.documents.models import Document, DocumentContent
from numrep.documents.schemas import (
    DocumentFilters,
    DocumentUpdate,
    DocumentUpload,
    SortField,
    SortKey,
)

log = structlog.get_logger(__name__)

# numrep runs no review or malware scan. A document is "verified" once its content
# has passed the format and size checks at upload.
STATUS_VERIFIED = "verified"

_SORT_COLUMNS: dict[SortField, Any] = {
    SortField.FILENAME: Document.filename,
    SortField.CREATED_AT: Document.created_at,
    SortField.UPDATED_AT: Document.updated_at,
}


class FileTooLargeError(NumrepError):
    """Raised when an upload is larger than ``document_max_bytes`` (413)."""

    def __init__(self, max_bytes: int, *, pointer: str) -> None:
        item = ErrorItem(
            CODE_PAYLOAD_TOO_LARGE,
            "Payload too large",
            f"The file is larger than the limit of {max_bytes} bytes; upload a "
            "smaller file, for example a scan at a lower resolution.",
            pointer=pointer,
        )
        super().__init__(413, [item], {})


def create(
    session: Session,
    *,
    account_id: uuid.UUID,
    upload: DocumentUpload,
    max_bytes: int,
) -> Document:
    """Store an upload after checking its size and its format by content."""
    pointer = f"{upload.pointer_prefix}/file"
    if not upload.data:
        raise InvalidParametersError.at(
            "The file is empty; send the document's contents.", pointer=pointer
        )
    if len(upload.data) > max_bytes:
        raise FileTooLargeError(max_bytes, pointer=pointer)
    content_type = sniff_content_type(upload.data)
    if content_type is None:
        raise InvalidParametersError.at(_unsupported_format(upload), pointer=pointer)

    document = Document(
        account_id=account_id,
        filename=upload.filename or f"document{EXTENSIONS[content_type]}",
        content_type=content_type,
        size_bytes=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        status=STATUS_VERIFIED,
        customer_reference=upload.customer_reference,
    )
    session.add(document)
    session.flush()
    session.add(DocumentContent(document_id=document.id, data=upload.data))
    session.flush()
    log.info(
        "document.uploaded",
        document_id=str(document.id),
        account_id=str(account_id),
        content_type=content_type,
        size_bytes=document.size_bytes,
    )
    return document


def get_owned(
    session: Session,
    *,
    account_id: uuid.UUID,
    document_id: uuid.UUID | str,
    for_update: bool = False,
) -> Document:
    """Return the caller's live document.

    Raises ``NotFoundError`` when the id is malformed, unknown, deleted or another
    account's, so callers that take a document id from a request body can pass it
    as sent.
    """
    parsed = _parse_id(document_id)
    if parsed is None:
        raise NotFoundError(f"Document {document_id} not found.")
    query = sa.select(Document).where(
        Document.id == parsed,
        Document.account_id == account_id,
        Document.deleted_at.is_(None),
    )
    if for_update:
        query = query.with_for_update()
    document = session.scalar(query)
    if document is None:
        raise NotFoundError(f"Document {document_id} not found.")
    return document


def read_content(
    session: Session, *, account_id: uuid.UUID, document_id: uuid.UUID
) -> tuple[Document, bytes]:
    """Return the caller's document with its bytes, exactly as uploaded."""
    document = get_owned(session, account_id=account_id, document_id=document_id)
    content = session.get(DocumentContent, document.id)
    if content is None:
        raise NotFoundError(f"Document {document_id} has no stored content.")
    return document, content.data


def list_documents(
    session: Session,
    *,
    account_id: uuid.UUID,
    filters: DocumentFilters,
    sort: Sequence[SortKey],
    page: PageParams,
) -> Page[Document]:
    query = sa.select(Document).where(
        Document.account_id == account_id, Document.deleted_at.is_(None)
    )
    query = _apply_filters(query, filters)
    order = [_order_by(key) for key in sort] or [Document.created_at.desc()]
    query = query.order_by(*order, Document.id.desc())
    return paginate(session, query, page)


def update(
    session: Session,
    *,
    account_id: uuid.UUID,
    document_id: uuid.UUID,
    body: DocumentUpdate,
) -> Document:
    """Change the filename or customer reference; the bytes never change."""
    changes = body.model_dump(exclude_unset=True)
    if "filename" in changes and changes["filename"] is None:
        raise InvalidParametersError.at(
            "The filename cannot be null; send a new filename or leave it out.",
            pointer="/filename",
        )
    document = get_owned(
        session, account_id=account_id, document_id=document_id, for_update=True
    )
    for name, value in changes.items():
        setattr(document, name, value)
    document.updated_at = utcnow()
    session.flush()
    return document


def delete(
    session: Session, *, account_id: uuid.UUID, document_id: uuid.UUID
) -> Document:
    """Remove the document's bytes and hide it; the metadata row stays."""
    # NOTE: Telnyx rejects deleting a document that a service still uses. numrep
    # does not check that here, so deleting an LOA in use leaves its id dangling.
    document = get_owned(
        session, account_id=account_id, document_id=document_id, for_update=True
    )
    document.deleted_at = utcnow()
    document.updated_at = document.deleted_at
    session.execute(
        sa.delete(DocumentContent).where(DocumentContent.document_id == document.id)
    )
    session.flush()
    log.info(
        "document.deleted", document_id=str(document.id), account_id=str(account_id)
    )
    return document


def _apply_filters(
    query: sa.Select[Document], filters: DocumentFilters
) -> sa.Select[Document]:
    if filters.filename_contains:
        pattern = "%" + _escape_like(filters.filename_contains.lower()) + "%"
        query = query.where(sa.func.lower(Document.filename).like(pattern, escape="\\"))
    if filters.customer_reference is not None:
        query = query.where(Document.customer_reference == filters.customer_reference)
    if filters.customer_reference_in:
        query = query.where(
            Document.customer_reference.in_(filters.customer_reference_in)
        )
    if filters.created_after is not None:
        query = query.where(Document.created_at > filters.created_after)
    if filters.created_before is not None:
        query = query.where(Document.created_at < filters.created_before)
    return query


def _order_by(key: SortKey) -> Any:
    column = _SORT_COLUMNS[key.field]
    return column.desc() if key.descending else column.asc()


def _unsupported_format(upload: DocumentUpload) -> str:
    named = f" named {upload.filename!r}" if upload.filename else ""
    return (
        f"The file{named} is not a PDF, PNG or JPEG: its first bytes match none "
        "of these formats, and the filename is not used to decide. Upload the "
        "document as a PDF, PNG or JPEG file."
    )


def _parse_id(value: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
