"""Console pages: dashboard, request detail and webhook deliveries."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa
import structlog
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from numrep.console import actions, audit
from numrep.console.dashboard import build_dashboard
from numrep.console.session import CheckedSession, OperatorSession
from numrep.console.web import PREFIX, back_path, error_text, redirect, render
from numrep.core.deps import ServicesDep
from numrep.core.errors import NumrepError
from numrep.core.pagination import PageParams
from numrep.remediation import queries
from numrep.remediation.models import RemediationRequest
from numrep.remediation.render import build_results, results_visible
from numrep.webhook import service as webhooks
from numrep.webhook.models import EventStatus, WebhookDelivery, WebhookEvent

log = structlog.get_logger(__name__)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

NUMBERS_PAGE_SIZE = 100
EVENTS_SHOWN = 100


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request, operator: OperatorSession, services: ServicesDep
) -> Response:
    with services.db.unit_of_work(write=False) as session:
        figures = build_dashboard(session)
        recent = audit.entries_for(session, limit=15)
        return render(
            request,
            "dashboard.html",
            operator,
            {"page": "dashboard", "figures": figures, "audit_entries": recent},
        )


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_detail(
    request: Request,
    request_id: uuid.UUID,
    operator: OperatorSession,
    services: ServicesDep,
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> Response:
    with services.db.unit_of_work(write=False) as session:
        remediation = session.get(RemediationRequest, request_id)
        if remediation is None:
            return render(
                request,
                "not_found.html",
                operator,
                {"what": f"Remediation request {request_id}"},
                status_code=404,
            )
        numbers = queries.request_numbers(
            session,
            enterprise_id=remediation.enterprise_id,
            request_id=request_id,
            page=PageParams(number=page_number, size=NUMBERS_PAGE_SIZE),
            cooldown=timedelta(days=services.settings.remediation_cooldown_days),
        )
        events = _request_events(session, remediation)
        attempts = _attempts_of(session, [event.id for event in events])
        return render(
            request,
            "request.html",
            operator,
            {
                "page": "requests",
                "remediation": remediation,
                "results": build_results(session, remediation)
                if results_visible(remediation)
                else None,
                "numbers": numbers,
                "events": events,
                "request_ids": {event.id: None for event in events},
                "attempts": attempts,
                "audit_entries": audit.entries_for(session, request_id=request_id),
            },
        )


def _request_events(
    session: sa.orm.Session, remediation: RemediationRequest
) -> list[WebhookEvent]:
    # Events store the request only inside the JSON payload, so the SQL filter
    # narrows to the request's account, URL and lifetime, and the id is matched
    # here.
    if not remediation.webhook_url:
        return []
    candidates = session.scalars(
        sa.select(WebhookEvent)
        .where(
            WebhookEvent.account_id == remediation.account_id,
            WebhookEvent.url == remediation.webhook_url,
            WebhookEvent.event_type.like("number_reputation.remediation.%"),
            WebhookEvent.occurred_at >= remediation.created_at,
        )
        .order_by(WebhookEvent.occurred_at)
    )
    return [
        event
        for event in candidates
        if actions.event_request_id(event) == remediation.id
    ]


def _attempts_of(
    session: sa.orm.Session, event_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[WebhookDelivery]]:
    attempts: dict[uuid.UUID, list[WebhookDelivery]] = {
        event_id: [] for event_id in event_ids
    }
    if not event_ids:
        return attempts
    for delivery in session.scalars(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.event_id.in_(event_ids))
        .order_by(WebhookDelivery.attempt)
    ):
        attempts[delivery.event_id].append(delivery)
    return attempts


@router.get("/webhooks", response_class=HTMLResponse)
def webhook_deliveries(
    request: Request,
    operator: OperatorSession,
    services: ServicesDep,
    status: Annotated[EventStatus | None, Query()] = EventStatus.FAILED,
) -> Response:
    with services.db.unit_of_work(write=False) as session:
        query = sa.select(WebhookEvent)
        if status is not None:
            query = query.where(WebhookEvent.status == status)
        events = list(
            session.scalars(
                query.order_by(WebhookEvent.updated_at.desc()).limit(EVENTS_SHOWN)
            )
        )
        return render(
            request,
            "webhooks.html",
            operator,
            {
                "page": "webhooks",
                "status": status,
                "statuses": list(EventStatus),
                "events": events,
                "request_ids": {
                    event.id: actions.event_request_id(event) for event in events
                },
                "attempts": _attempts_of(session, [event.id for event in events]),
                "recent": webhooks.list_deliveries(session, limit=EVENTS_SHOWN),
                "audit_entries": audit.entries_for(
                    session, subject_type="webhook_event", limit=20
                ),
            },
        )


@router.post("/webhooks/{event_id}/redeliver")
def redeliver(
    event_id: uuid.UUID,
    operator: CheckedSession,
    services: ServicesDep,
    back: Annotated[str, Form()] = "",
) -> Response:
    target = back_path(back, "/webhooks")
    try:
        with services.db.unit_of_work() as session:
            attempt = actions.redeliver(
                session, event_id=event_id, actor=operator.actor
            )
    except NumrepError as error:
        log.info("console.redelivery_failed", event_id=str(event_id), error=str(error))
        return redirect(target, error=error_text(error))
    return redirect(target, notice=f"Redelivery queued as attempt {attempt}.")
