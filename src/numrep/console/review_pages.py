"""Console pages for decisions: the review queue and LOA approvals."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

import sqlalchemy as sa
import structlog
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from numrep.console import actions, audit
from numrep.console.queue import QueueFilters, export_csv, queue_page
from numrep.console.session import CheckedSession, OperatorSession
from numrep.console.web import PREFIX, back_path, error_text, redirect, render
from numrep.core.clock import utcnow
from numrep.core.deps import ServicesDep
from numrep.core.errors import NumrepError
from numrep.core.pagination import MAX_PAGE_SIZE, PageParams
from numrep.documents import service as documents
from numrep.enterprise.models import Enterprise
from numrep.reputation.models import LoaStatus, ReputationSettings, SettingsStatus
from numrep.review.service import Decision

log = structlog.get_logger(__name__)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

QUEUE_PAGE_SIZE = 50
MAX_SELECTION = 500


@router.get("/queue", response_class=HTMLResponse)
def review_queue(
    request: Request,
    operator: OperatorSession,
    services: ServicesDep,
    network: Annotated[str | None, Query()] = None,
    enterprise: Annotated[str | None, Query()] = None,
    min_age_days: Annotated[str | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = QUEUE_PAGE_SIZE,
) -> Response:
    enterprise_id = _parse_uuid(enterprise)
    min_age = _parse_days(min_age_days)
    filters = QueueFilters(
        network=network or None,
        enterprise_id=enterprise_id,
        min_age_days=min_age,
    )
    with services.db.unit_of_work(write=False) as session:
        result, views = queue_page(
            session, filters=filters, page=PageParams(number=page, size=size)
        )
        return render(
            request,
            "queue.html",
            operator,
            {
                "page": "queue",
                "result": result,
                "meta": result.meta(),
                "views": views,
                "filters": filters,
                "enterprise_text": enterprise or "",
                "enterprise_invalid": bool(enterprise) and enterprise_id is None,
                "age_text": min_age_days or "",
                "age_invalid": bool(min_age_days) and min_age is None,
                "networks": [item.name for item in services.settings.networks],
                "decisions": list(Decision),
                "size": size,
                "query_base": urlencode(
                    {
                        "network": network or "",
                        "enterprise": enterprise or "",
                        "min_age_days": min_age_days or "",
                        "size": size,
                    }
                ),
                "now": utcnow(),
                "audit_entries": audit.entries_for(
                    session,
                    subject_type="review_case",
                    subject_ids=[str(view.case.id) for view in views],
                ),
            },
        )


def _parse_uuid(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _parse_days(value: str | None) -> float | None:
    if not value:
        return None
    try:
        days = float(value)
    except ValueError:
        return None
    return days if 0 <= days < 100_000 else None


@router.post("/queue/decide")
def decide(
    operator: CheckedSession,
    services: ServicesDep,
    decision: Annotated[Decision, Form()],
    case_id: Annotated[list[uuid.UUID], Form(default_factory=list)],
    note: Annotated[str, Form(max_length=4000)] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    target = back_path(back, "/queue")
    if not case_id:
        return redirect(target, error="Select at least one case, then decide again.")
    if len(case_id) > MAX_SELECTION:
        return redirect(
            target,
            error=f"{len(case_id)} cases selected; decide at most {MAX_SELECTION} "
            "at a time.",
        )
    try:
        with services.db.unit_of_work() as session:
            cases = actions.decide_cases(
                session,
                case_ids=case_id,
                decision=decision,
                note=note.strip() or None,
                actor=operator.actor,
            )
    except NumrepError as error:
        log.info("console.decision_failed", cases=len(case_id), error=str(error))
        return redirect(target, error=error_text(error))
    return redirect(
        target, notice=f"Recorded '{decision.value}' on {len(cases)} case(s)."
    )


@router.post("/queue/export")
def export(
    operator: CheckedSession,
    services: ServicesDep,
    case_id: Annotated[list[uuid.UUID], Form(default_factory=list)],
) -> Response:
    del operator
    if not case_id:
        return redirect("/queue", error="Select at least one case to export.")
    with services.db.unit_of_work(write=False) as session:
        body = export_csv(session, case_id[:MAX_SELECTION])
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="disputes-{stamp}.csv"'},
    )


@router.get("/approvals", response_class=HTMLResponse)
def approvals(
    request: Request, operator: OperatorSession, services: ServicesDep
) -> Response:
    with services.db.unit_of_work(write=False) as session:
        rows = session.execute(
            sa.select(ReputationSettings, Enterprise)
            .join(Enterprise, Enterprise.id == ReputationSettings.enterprise_id)
            .where(
                ReputationSettings.closed_at.is_(None),
                sa.or_(
                    ReputationSettings.loa_status == LoaStatus.PENDING,
                    ReputationSettings.status == SettingsStatus.PENDING,
                ),
            )
            .order_by(ReputationSettings.created_at, ReputationSettings.id)
            .limit(200)
        ).all()
        return render(
            request,
            "approvals.html",
            operator,
            {
                "page": "approvals",
                "rows": rows,
                "audit_entries": audit.entries_for(
                    session, subject_type="enterprise", limit=20
                ),
            },
        )


@router.post("/approvals/{enterprise_id}")
def decide_approval(
    enterprise_id: uuid.UUID,
    operator: CheckedSession,
    services: ServicesDep,
    action: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if action not in ("approve", "reject"):
        return redirect(
            "/approvals", error=f"Invalid action {action!r}. Use approve or reject."
        )
    approve = action == "approve"
    if not approve and not reason.strip():
        return redirect(
            "/approvals", error="A rejection needs a reason the customer can act on."
        )
    try:
        with services.db.unit_of_work() as session:
            settings = actions.decide_loa(
                session,
                enterprise_id=enterprise_id,
                approve=approve,
                reason=None if approve else reason.strip(),
                actor=operator.actor,
            )
    except NumrepError as error:
        log.info(
            "console.loa_decision_failed",
            enterprise_id=str(enterprise_id),
            error=str(error),
        )
        return redirect("/approvals", error=error_text(error))
    return redirect("/approvals", notice=f"LOA {settings.loa_status}.")


@router.get("/enterprises/{enterprise_id}/loa")
def loa_document(
    enterprise_id: uuid.UUID, operator: OperatorSession, services: ServicesDep
) -> Response:
    del operator
    with services.db.unit_of_work(write=False) as session:
        settings = session.scalar(
            sa.select(ReputationSettings).where(
                ReputationSettings.enterprise_id == enterprise_id,
                ReputationSettings.closed_at.is_(None),
            )
        )
        if settings is None:
            return Response(
                f"Number reputation is not enabled on enterprise {enterprise_id}, "
                "so it has no LOA on file.",
                status_code=404,
            )
        try:
            document, data = documents.read_content(
                session,
                account_id=settings.account_id,
                document_id=uuid.UUID(settings.loa_document_id),
            )
        except (NumrepError, ValueError) as error:
            log.info(
                "console.loa_download_failed",
                enterprise_id=str(enterprise_id),
                error=str(error),
            )
            return Response(
                f"LOA document {settings.loa_document_id} was not found.",
                status_code=404,
            )
    return Response(
        content=data,
        media_type=document.content_type,
        headers={"X-Content-Type-Options": "nosniff"},
    )
