"""Remediation endpoints: submit, get and list, plus numrep's extensions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from numrep.core.deps import DbDep, PrincipalDep, ServicesDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import described, json_body
from numrep.core.pagination import PageParams, page_params
from numrep.enterprise.service import get_owned
from numrep.remediation import queries, submit
from numrep.remediation.models import RequestStatus
from numrep.remediation.render import render_list_item, render_request
from numrep.remediation.schemas import (
    CancelRequest,
    EligibilityCheck,
    EligibilityResponse,
    RemediationCreate,
    RemediationList,
    RemediationNumberList,
    RemediationRequestResponse,
)

router = APIRouter(route_class=JsonRoute, tags=["Reputation"])
extensions = APIRouter(route_class=JsonRoute, tags=[EXTENSION_TAG])

BASE = "/enterprises/{enterprise_id}/reputation/remediation"


@router.post(
    BASE,
    status_code=202,
    response_model=None,
    responses=described(RemediationRequestResponse, 400, 403, 409, status=202),
    openapi_extra=json_body(RemediationCreate),
)
def submit_remediation(
    enterprise_id: uuid.UUID,
    raw: Annotated[Any, Body()],
    services: ServicesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Submit up to 2,000 registered numbers for re-evaluation by the networks."""
    options = submit.SubmitOptions(
        cooldown=timedelta(days=services.settings.remediation_cooldown_days),
        allow_private_webhooks=services.settings.webhook_allow_private_targets,
    )
    with services.db.unit_of_work() as session:
        enterprise = get_owned(
            session, account_id=principal.account_id, enterprise_id=enterprise_id
        )
        body = RemediationCreate.model_validate(raw)
        request = submit.submit(
            session,
            account_id=principal.account_id,
            enterprise=enterprise,
            body=body,
            options=options,
        )
        return {"data": render_request(session, request)}


@router.get(
    BASE,
    response_model=None,
    responses=described(RemediationList),
)
def list_remediations(
    enterprise_id: uuid.UUID,
    db: DbDep,
    principal: PrincipalDep,
    page: Annotated[PageParams, Depends(page_params(20))],
    status: Annotated[RequestStatus | None, Query(alias="filter[status]")] = None,
    created_gte: Annotated[
        datetime | None, Query(alias="filter[created_at][gte]")
    ] = None,
    created_lte: Annotated[
        datetime | None, Query(alias="filter[created_at][lte]")
    ] = None,
) -> dict[str, Any]:
    """List requests newest first, without per-number results."""
    with db.unit_of_work(write=False) as session:
        get_owned(session, account_id=principal.account_id, enterprise_id=enterprise_id)
        result = queries.list_requests(
            session,
            enterprise_id=enterprise_id,
            status=status,
            created_gte=created_gte,
            created_lte=created_lte,
            page=page,
        )
        return result.render(render_list_item)


@router.get(
    BASE + "/{remediation_id}",
    response_model=None,
    responses=described(RemediationRequestResponse),
)
def get_remediation(
    enterprise_id: uuid.UUID,
    remediation_id: uuid.UUID,
    db: DbDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Return one request with its status, tiers and result buckets."""
    with db.unit_of_work(write=False) as session:
        get_owned(session, account_id=principal.account_id, enterprise_id=enterprise_id)
        request = queries.get_request(
            session, enterprise_id=enterprise_id, request_id=remediation_id
        )
        return {"data": render_request(session, request)}


@extensions.get(
    BASE + "/{remediation_id}/numbers",
    response_model=None,
    responses=described(RemediationNumberList),
)
def list_request_numbers(
    enterprise_id: uuid.UUID,
    remediation_id: uuid.UUID,
    services: ServicesDep,
    principal: PrincipalDep,
    page: Annotated[PageParams, Depends(page_params(20))],
) -> dict[str, Any]:
    """Per-number view of a request: each network's flag, tier and outcome.

    A numrep extension; the Telnyx-shaped request object is unchanged.
    """
    cooldown = timedelta(days=services.settings.remediation_cooldown_days)
    with services.db.unit_of_work(write=False) as session:
        get_owned(session, account_id=principal.account_id, enterprise_id=enterprise_id)
        return queries.request_numbers(
            session,
            enterprise_id=enterprise_id,
            request_id=remediation_id,
            page=page,
            cooldown=cooldown,
        )


@extensions.post(
    BASE + "/eligibility",
    response_model=None,
    responses=described(EligibilityResponse),
)
def check_eligibility(
    enterprise_id: uuid.UUID,
    body: EligibilityCheck,
    services: ServicesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Say per number whether it can be submitted now, and if not why and when.

    A numrep extension; nothing is stored.
    """
    cooldown = timedelta(days=services.settings.remediation_cooldown_days)
    with services.db.unit_of_work(write=False) as session:
        enterprise = get_owned(
            session, account_id=principal.account_id, enterprise_id=enterprise_id
        )
        return queries.eligibility(
            session, enterprise=enterprise, body=body, cooldown=cooldown
        )


@extensions.post(
    BASE + "/{remediation_id}/cancel",
    response_model=None,
    responses=described(RemediationRequestResponse, 400),
)
def cancel_remediation(
    enterprise_id: uuid.UUID,
    remediation_id: uuid.UUID,
    body: CancelRequest,
    db: DbDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Cancel a pending or in-progress request, or only some of its numbers.

    A numrep extension. Cancelled numbers keep counting in
    ``phone_numbers_count`` and leave every bucket.
    """
    with db.unit_of_work() as session:
        get_owned(session, account_id=principal.account_id, enterprise_id=enterprise_id)
        request = queries.cancel(
            session,
            enterprise_id=enterprise_id,
            request_id=remediation_id,
            body=body,
        )
        return {"data": render_request(session, request)}
