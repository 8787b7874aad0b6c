"""DBOS workflows of the remediation pipeline.

Each workflow is one stage: screen, escalate, or collect one round of outcomes.
Steps call the networks outside any transaction, then apply what they learned in
a short unit of work through ``pipeline`` and ``advance``, whose functions act
only on rows still in the expected state. A step that runs again after a crash
therefore changes nothing twice, and the idempotency key on every review call
means a network never opens a second review for the same number and tier.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache, partial
from typing import TypeVar

import structlog
from dbos import DBOS
from sqlalchemy.orm import Session

from numrep.enterprise.models import Enterprise
from numrep.network.base import LookupResult, NetworkError, ReviewRequest
from numrep.network.gateway import NetworkGateway
from numrep.remediation import pipeline
from numrep.remediation.advance import advance, fail
from numrep.remediation.models import RemediationRequest, ReviewCase
from numrep.remediation.pipeline import NetworkTraits, Timing
from numrep.remediation.schemas import MAX_NUMBERS_PER_REQUEST
from numrep.remediation.stages import COLLECT, ESCALATE, SCREEN
from numrep.worker import context

log = structlog.get_logger(__name__)

_T = TypeVar("_T")

# Numbers screened per step: the maximum request size, so a request pays each
# network's lookup latency once. Storing 2,000 numbers' results takes one write
# transaction of well under a second on SQLite, because it is set-based.
SCREEN_BATCH = MAX_NUMBERS_PER_REQUEST


@cache
def _gateway() -> NetworkGateway:
    from numrep.network.registry import build_gateway

    return build_gateway(context.settings(), context.database())


def _traits() -> dict[str, NetworkTraits]:
    return {
        info.name: NetworkTraits(
            name=info.name,
            manual=info.kind == "manual",
            supports_escalation=info.supports_escalation,
        )
        for info in _gateway().networks
    }


def _timing() -> Timing:
    settings = context.settings()
    return Timing(
        poll_seconds=settings.remediation_poll_seconds,
        tier1_deadline=timedelta(hours=settings.tier1_deadline_hours),
        tier2_deadline=timedelta(hours=settings.tier2_deadline_hours),
    )


# --- screening ---------------------------------------------------------------


@DBOS.step(retries_allowed=True, max_attempts=5, interval_seconds=1.0)
def start_step(request_id: str) -> bool:
    with context.database().unit_of_work() as session:
        return pipeline.start(session, uuid.UUID(request_id))


@DBOS.step(retries_allowed=True, max_attempts=5, interval_seconds=1.0)
def screen_batch_step(request_id: str) -> int:
    return screen_batch(request_id)


def screen_batch(request_id: str) -> int:
    """Screen the next batch of queued numbers; return how many were screened."""
    rid = uuid.UUID(request_id)
    with context.database().unit_of_work(write=False) as session:
        batch = pipeline.queued_numbers(session, rid, limit=SCREEN_BATCH)
    if not batch:
        return 0
    lookups = _lookup_every_network([number for _, number in batch])
    if not lookups:
        raise NetworkError(
            "every network failed the lookup", network="all", retryable=True
        )
    with context.database().unit_of_work() as session:
        pipeline.apply_screening(
            session,
            rid,
            number_ids=[number_id for number_id, _ in batch],
            lookups=lookups,
            networks=_traits(),
            timing=_timing(),
        )
    return len(batch)


def _lookup_every_network(
    phone_numbers: Sequence[str],
) -> dict[str, list[LookupResult]]:
    """Look up on every network at once; a network that fails is left out."""
    gateway = _gateway()
    names = [info.name for info in gateway.networks]

    def one(name: str) -> tuple[str, list[LookupResult] | None]:
        try:
            return name, gateway.lookup(phone_numbers, networks=[name])[name]
        except NetworkError as error:
            log.warning("remediation.lookup_failed", network=name, error=str(error))
            return name, None

    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        answers = list(pool.map(one, names))
    return {name: results for name, results in answers if results is not None}


@DBOS.step(retries_allowed=True, max_attempts=5, interval_seconds=1.0)
def submit_cases_step(request_id: str, tier: int) -> int:
    return submit_cases(request_id, tier)


def submit_cases(request_id: str, tier: int) -> int:
    """Send not-yet-submitted automated cases of ``tier`` to their networks."""
    rid = uuid.UUID(request_id)
    with context.database().unit_of_work(write=False) as session:
        cases = pipeline.cases_to_submit(session, rid, tier=tier)
        request = session.get(RemediationRequest, rid)
        purpose = request.call_purpose if request else ""
        email = request.contact_email if request else None
        enterprise_name = _enterprise_name(session, request)
    by_network: dict[str, list[ReviewCase]] = {}
    for case in cases:
        by_network.setdefault(case.network, []).append(case)
    sends: list[Callable[[], None]] = []
    for network, network_cases in by_network.items():
        requests = [
            ReviewRequest(
                phone_number=case.phone_number,
                idempotency_key=case.idempotency_key,
                tier=tier,
                call_purpose=purpose,
                enterprise_name=enterprise_name,
                contact_email=email,
            )
            for case in network_cases
        ]
        sends.append(
            partial(_send_reviews, network, network_cases, requests, tier=tier)
        )
    _run_per_network(sends)
    return len(cases)


def _run_per_network(calls: Sequence[Callable[[], _T]]) -> list[_T]:
    """Run one call per network at once, so their latencies overlap."""
    if len(calls) <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def _send_reviews(
    network: str,
    cases: Sequence[ReviewCase],
    requests: Sequence[ReviewRequest],
    *,
    tier: int,
) -> None:
    gateway = _gateway()
    case_ids = [case.id for case in cases]
    try:
        if tier == 1:
            statuses = gateway.open_reviews(network, requests)
        else:
            statuses = gateway.escalate(network, requests)
    except NetworkError as error:
        log.warning(
            "remediation.review_open_failed",
            network=network,
            tier=tier,
            cases=len(cases),
            error=str(error),
        )
        with context.database().unit_of_work() as session:
            pipeline.record_failures(session, case_ids, error=str(error), budget=1)
        return
    with context.database().unit_of_work() as session:
        pipeline.record_statuses(session, case_ids, statuses)


def _enterprise_name(session: Session, request: RemediationRequest | None) -> str:
    if request is None:
        return ""
    enterprise = session.get(Enterprise, request.enterprise_id)
    return enterprise.legal_name if enterprise else ""


@DBOS.step(retries_allowed=True, max_attempts=5, interval_seconds=1.0)
def advance_step(request_id: str, tier: int, round_number: int) -> str:
    with context.database().unit_of_work() as session:
        step = advance(
            session,
            uuid.UUID(request_id),
            tier=tier,
            round_number=round_number,
            networks=_traits(),
            timing=_timing(),
        )
    return step.value


@DBOS.step(retries_allowed=True, max_attempts=5, interval_seconds=1.0)
def fail_step(request_id: str, reason: str) -> None:
    with context.database().unit_of_work() as session:
        fail(session, uuid.UUID(request_id), reason=reason)


@DBOS.workflow(name=SCREEN)
def screen_workflow(request_id: str) -> None:
    if not start_step(request_id):
        return
    try:
        while screen_batch_step(request_id) > 0:
            pass
    except Exception as error:
        # Screening is the one stage without which nothing can be decided: when
        # it keeps failing after its retries, the request cannot be processed.
        log.error(
            "remediation.screening_failed", request_id=request_id, error=str(error)
        )
        fail_step(request_id, f"screening failed: {error}")
        return
    submit_cases_step(request_id, 1)
    advance_step(request_id, 1, 0)


# --- escalation and collection -------------------------------------------------


@DBOS.workflow(name=ESCALATE)
def escalate_workflow(request_id: str) -> None:
    submit_cases_step(request_id, 2)
    advance_step(request_id, 2, 0)


@DBOS.step(retries_allowed=True, max_attempts=5, interval_seconds=1.0)
def collect_step(request_id: str, tier: int) -> int:
    """Ask the networks about every open automated case; return how many settled."""
    rid = uuid.UUID(request_id)
    with context.database().unit_of_work(write=False) as session:
        cases = pipeline.open_automated_cases(session, rid, tier=tier)
    by_network: dict[str, list[ReviewCase]] = {}
    for case in cases:
        by_network.setdefault(case.network, []).append(case)
    budget = context.settings().remediation_collect_failure_budget
    collects = [
        partial(_collect_network, network, network_cases, budget=budget)
        for network, network_cases in by_network.items()
    ]
    return sum(_run_per_network(collects))


def _collect_network(network: str, cases: Sequence[ReviewCase], *, budget: int) -> int:
    case_ids = [case.id for case in cases]
    review_ids = [case.review_id for case in cases if case.review_id]
    try:
        statuses = _gateway().collect(network, review_ids)
    except NetworkError as error:
        log.warning(
            "remediation.collect_failed",
            network=network,
            cases=len(cases),
            error=str(error),
        )
        with context.database().unit_of_work() as session:
            pipeline.record_failures(session, case_ids, error=str(error), budget=budget)
        return 0
    with context.database().unit_of_work() as session:
        return pipeline.record_statuses(session, case_ids, statuses)


@DBOS.workflow(name=COLLECT)
def collect_workflow(request_id: str, tier: int, round_number: int) -> None:
    collect_step(request_id, tier)
    advance_step(request_id, tier, round_number)


__all__ = ["collect_workflow", "escalate_workflow", "screen_workflow"]
