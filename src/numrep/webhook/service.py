"""Webhook events and attempts in the database: create, schedule, record.

An event is delivered in up to ``MAX_ATTEMPTS`` attempts. After a failed
attempt N, the next one is enqueued with a delay of
``RETRY_DELAYS_SECONDS[N-1]`` times ``webhook_retry_scale``, plus or minus 10 %
jitter. At scale 1 the attempts start about 0 s, 5 s and 5 min 5 s after the
first, and the last about 27.6 hours after it. Every attempt is a separate
delayed message, so no worker thread sleeps in between.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import isoformat, utcnow
from numrep.core.db import after_commit
from numrep.core.errors import ConflictError, NotFoundError
from numrep.metrics import record as metrics
from numrep.webhook.models import (
    AttemptOutcome,
    EventStatus,
    WebhookDelivery,
    WebhookEvent,
)
from numrep.webhook.sender import SendResult
from numrep.worker import jobs

log = structlog.get_logger(__name__)

QUEUE = "webhooks"
DELIVER_WORKFLOW = "webhook.deliver"
MAX_ATTEMPTS = 8
# Wait after failed attempt 1, 2, ... 7: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS_SECONDS: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
JITTER = 0.10
MAX_ERROR_LENGTH = 1000


def workflow_id(event_id: uuid.UUID, attempt: int) -> str:
    """Return the id of the workflow that makes ``attempt`` of the event.

    The id is deterministic, so enqueueing the same attempt twice adds nothing.
    """
    return f"{event_id}:{attempt}"


def retry_delay(attempt: int, *, scale: float) -> float | None:
    """Return seconds to wait after failed ``attempt``, or None after the last."""
    if attempt >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS_SECONDS[attempt - 1] * scale
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def create_event(
    session: Session,
    *,
    account_id: uuid.UUID,
    url: str,
    event_type: str,
    payload: dict[str, Any],
    occurred_at: datetime | None = None,
) -> WebhookEvent:
    """Insert an event and enqueue its first attempt in the caller's transaction."""
    now = utcnow()
    event = WebhookEvent(
        id=uuid.uuid4(),
        account_id=account_id,
        url=url,
        event_type=event_type,
        payload=payload,
        occurred_at=occurred_at or now,
        status=EventStatus.PENDING,
        attempt_count=0,
        next_attempt_at=now,
    )
    session.add(event)
    session.flush()
    _enqueue_attempt(session, event.id, 1)
    return event


def _enqueue_attempt(
    session: Session, event_id: uuid.UUID, attempt: int, delay: float | None = None
) -> None:
    jobs.enqueue(
        session,
        queue=QUEUE,
        workflow=DELIVER_WORKFLOW,
        workflow_id=workflow_id(event_id, attempt),
        args=[str(event_id), attempt],
        delay_seconds=delay,
    )


def envelope_body(event: WebhookEvent, attempt: int) -> bytes:
    """Serialize the envelope that attempt ``attempt`` posts, as exact bytes."""
    envelope = {
        "data": {
            "record_type": "event",
            "id": str(event.id),
            "event_type": event.event_type,
            "occurred_at": isoformat(event.occurred_at),
            "payload": event.payload,
        },
        "meta": {"attempt": attempt, "delivered_to": event.url},
    }
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class PreparedAttempt:
    event_id: uuid.UUID
    attempt: int
    url: str
    body: bytes


def prepare_attempt(
    session: Session, *, event_id: uuid.UUID, attempt: int
) -> PreparedAttempt | None:
    """Build the body of ``attempt``, or return None if it is not the next one.

    A message can arrive twice or late, for example after a sweep. Only the
    attempt right after the recorded ones of a pending event is sent.
    """
    event = session.get(WebhookEvent, event_id)
    if event is None:
        log.warning("webhook.event_missing", event_id=str(event_id), attempt=attempt)
        return None
    if event.status != EventStatus.PENDING or attempt != event.attempt_count + 1:
        log.info(
            "webhook.attempt_skipped",
            event_id=str(event_id),
            attempt=attempt,
            status=event.status,
            attempt_count=event.attempt_count,
        )
        return None
    return PreparedAttempt(event.id, attempt, event.url, envelope_body(event, attempt))


def record_attempt(
    session: Session,
    *,
    event_id: uuid.UUID,
    attempt: int,
    url: str,
    result: SendResult,
    retry_scale: float,
) -> WebhookDelivery | None:
    """Store the attempt and move the event on: delivered, retry, or failed.

    Returns None without a change when the attempt was already recorded, so a
    step that runs twice after a crash records it once.
    """
    event = session.get(WebhookEvent, event_id, with_for_update=True)
    if event is None or event.attempt_count >= attempt:
        return None
    error = result.error[:MAX_ERROR_LENGTH] if result.error else None
    delivery = WebhookDelivery(
        event_id=event_id,
        attempt=attempt,
        url=url,
        started_at=result.started_at,
        outcome=AttemptOutcome.DELIVERED if result.delivered else AttemptOutcome.FAILED,
        status_code=result.status_code,
        latency_ms=result.latency_ms,
        error=error,
    )
    session.add(delivery)
    event.attempt_count = attempt
    context = {"event_id": str(event_id), "attempt": attempt}
    if result.delivered:
        _mark_delivered(event)
        log.info("webhook.delivered", status_code=result.status_code, **context)
    else:
        _schedule_retry(session, event, error, retry_scale)
    session.flush()
    # Counted after the commit, so an attempt rolled back and retried counts once.
    after_commit(session, partial(metrics.count_webhook_attempt, _outcome(event)))
    return delivery


def _outcome(event: WebhookEvent) -> metrics.WebhookOutcome:
    if event.status == EventStatus.DELIVERED:
        return metrics.WebhookOutcome.DELIVERED
    if event.status == EventStatus.FAILED:
        return metrics.WebhookOutcome.GIVEN_UP
    return metrics.WebhookOutcome.FAILED


def _mark_delivered(event: WebhookEvent) -> None:
    now = utcnow()
    event.status = EventStatus.DELIVERED
    event.delivered_at = now
    event.next_attempt_at = None
    event.last_error = None


def _schedule_retry(
    session: Session, event: WebhookEvent, error: str | None, scale: float
) -> None:
    attempt = event.attempt_count
    event.last_error = error
    delay = retry_delay(attempt, scale=scale)
    context = {"event_id": str(event.id), "attempt": attempt, "error": error}
    if delay is None:
        event.status = EventStatus.FAILED
        event.next_attempt_at = None
        log.warning("webhook.failed", **context)
        return
    event.next_attempt_at = utcnow() + timedelta(seconds=delay)
    _enqueue_attempt(session, event.id, attempt + 1, delay)
    log.info("webhook.retry_scheduled", delay_seconds=round(delay, 3), **context)


def get_event(session: Session, *, event_id: uuid.UUID) -> WebhookEvent:
    event = session.get(WebhookEvent, event_id)
    if event is None:
        raise NotFoundError(f"Webhook event {event_id} not found.")
    return event


def redeliver(session: Session, *, event_id: uuid.UUID) -> int:
    """Enqueue the event's next attempt now and return its number.

    The event keeps its id. A failed redelivery is retried on the normal
    schedule only while the event has made fewer than ``MAX_ATTEMPTS`` attempts.
    """
    event = session.get(WebhookEvent, event_id, with_for_update=True)
    if event is None:
        raise NotFoundError(f"Webhook event {event_id} not found.")
    if event.status == EventStatus.PENDING:
        raise ConflictError.single(
            f"Webhook event {event_id} is still being delivered: attempt "
            f"{event.attempt_count + 1} is due at {isoformat(event.next_attempt_at)}. "
            "Redeliver it once it is delivered or failed."
        )
    attempt = event.attempt_count + 1
    event.status = EventStatus.PENDING
    event.next_attempt_at = utcnow()
    _enqueue_attempt(session, event.id, attempt)
    session.flush()
    log.info("webhook.redelivery_queued", event_id=str(event_id), attempt=attempt)
    return attempt


def list_deliveries(
    session: Session,
    *,
    event_id: uuid.UUID | None = None,
    outcome: AttemptOutcome | None = None,
    limit: int = 100,
) -> Sequence[WebhookDelivery]:
    """Return attempts, newest first."""
    query = sa.select(WebhookDelivery)
    if event_id is not None:
        query = query.where(WebhookDelivery.event_id == event_id)
    if outcome is not None:
        query = query.where(WebhookDelivery.outcome == outcome)
    query = query.order_by(
        WebhookDelivery.started_at.desc(), WebhookDelivery.attempt.desc()
    ).limit(limit)
    return session.scalars(query).all()


def overdue_attempts(
    session: Session, *, due_before: datetime, limit: int
) -> list[tuple[uuid.UUID, int]]:
    """Return (event id, next attempt) of pending events due before ``due_before``."""
    rows = session.execute(
        sa.select(WebhookEvent.id, WebhookEvent.attempt_count)
        .where(
            WebhookEvent.status == EventStatus.PENDING,
            WebhookEvent.next_attempt_at < due_before,
        )
        .order_by(WebhookEvent.next_attempt_at)
        .limit(limit)
    ).all()
    return [(event_id, count + 1) for event_id, count in rows]


def requeue_attempt(session: Session, *, event_id: uuid.UUID, attempt: int) -> bool:
    """Enqueue ``attempt`` again if the event still waits for it."""
    event = session.get(WebhookEvent, event_id, with_for_update=True)
    if event is None or event.status != EventStatus.PENDING:
        return False
    if event.attempt_count + 1 != attempt:
        return False
    _enqueue_attempt(session, event_id, attempt)
    log.warning("webhook.attempt_requeued", event_id=str(event_id), attempt=attempt)
    return True
