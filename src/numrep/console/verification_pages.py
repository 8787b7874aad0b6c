"""Console page for external verification decisions."""

from __future__ import annotations

import uuid
from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from numrep.console import actions, audit
from numrep.console.session import CheckedSession, OperatorSession
from numrep.console.web import PREFIX, error_text, redirect, render
from numrep.core.deps import ServicesDep
from numrep.core.errors import NumrepError
from numrep.documents import service as documents
from numrep.verification import review
from numrep.verification.service import find

log = structlog.get_logger(__name__)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

ROWS_SHOWN = 200


@router.get("/verifications", response_class=HTMLResponse)
def verifications(
    request: Request, operator: OperatorSession, services: ServicesDep
) -> Response:
    with services.db.unit_of_work(write=False) as session:
        rows = session.execute(review.pending_query().limit(ROWS_SHOWN)).all()
        return render(
            request,
            "verifications.html",
            operator,
            {
                "page": "verifications",
                "rows": rows,
                "audit_entries": audit.entries_for(
                    session, subject_type="external_verification", limit=20
                ),
            },
        )


@router.post("/verifications/{enterprise_id}")
def decide_verification(
    enterprise_id: uuid.UUID,
    operator: CheckedSession,
    services: ServicesDep,
    action: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if action not in ("approve", "reject"):
        return redirect(
            "/verifications", error=f"Invalid action {action!r}. Use approve or reject."
        )
    approve = action == "approve"
    if not approve and not reason.strip():
        return redirect(
            "/verifications",
            error="A rejection needs a reason the customer can act on.",
        )
    try:
        with services.db.unit_of_work() as session:
            verification = actions.decide_verification(
                session,
                enterprise_id=enterprise_id,
                approve=approve,
                reason=None if approve else reason.strip(),
                actor=operator.actor,
                reviewer_key_id=operator.key_id,
            )
    except NumrepError as error:
        log.info(
            "console.verification_decision_failed",
            enterprise_id=str(enterprise_id),
            error=str(error),
        )
        return redirect("/verifications", error=error_text(error))
    return redirect(
        "/verifications", notice=f"External verification {verification.status}."
    )


@router.get("/enterprises/{enterprise_id}/verification_documents/{document_id}")
def verification_document(
    enterprise_id: uuid.UUID,
    document_id: str,
    operator: OperatorSession,
    services: ServicesDep,
) -> Response:
    del operator
    with services.db.unit_of_work(write=False) as session:
        verification = find(session, enterprise_id=enterprise_id)
        # Only documents the enterprise submitted as proof are served here.
        if verification is None or document_id not in verification.document_ids:
            return Response(
                f"Document {document_id} is not part of the external verification "
                f"of enterprise {enterprise_id}.",
                status_code=404,
            )
        try:
            document, data = documents.read_content(
                session,
                account_id=verification.account_id,
                document_id=uuid.UUID(document_id),
            )
        except NumrepError as error:
            log.info(
                "console.verification_document_failed",
                enterprise_id=str(enterprise_id),
                document_id=document_id,
                error=str(error),
            )
            return Response(f"Document {document_id} was not found.", status_code=404)
    return Response(
        content=data,
        media_type=document.content_type,
        headers={"X-Content-Type-Options": "nosniff"},
    )
