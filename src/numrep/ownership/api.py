"""Ownership endpoints of a registered number, and the operator extensions.

The operator routes run the check sweep now and simulate sandbox carrier
events, so tests and demos need not wait for the daily schedule.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from numrep.core.clock import utcnow
from numrep.core.deps import DbDep, OperatorDep, PrincipalDep, ServicesDep
from numrep.core.errors import StateGuardError
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import OPERATOR_TAG, described
from numrep.ownership import carrier_sandbox, service
from numrep.ownership.config import SandboxCarrierConfig
from numrep.ownership.decide import Policy
from numrep.ownership.render import render_carrier_event, render_ownership
from numrep.ownership.schemas import (
    CarrierEventCreate,
    CarrierEventResponse,
    OwnershipCheckResponse,
    OwnershipCheckRun,
    OwnershipConfirm,
    OwnershipResponse,
)
from numrep.ownership.sweep import run_sweep
from numrep.reputation.render import render_number
from numrep.reputation.schemas import ReputationPhoneNumberResponse

router = APIRouter(route_class=JsonRoute, tags=["Reputation"])
operator_router = APIRouter(
    route_class=JsonRoute, tags=[EXTENSION_TAG, OPERATOR_TAG], prefix="/operator"
)

NUMBER_PATH = "/enterprises/{enterprise_id}/reputation/numbers/{phone_number}"


@router.get(
    f"{NUMBER_PATH}/ownership",
    response_model=None,
    responses=described(OwnershipResponse),
)
def get_ownership(
    enterprise_id: uuid.UUID, phone_number: str, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        number, events = service.get_ownership(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            phone_number=phone_number,
        )
        return {"data": render_ownership(number, events)}


@router.post(
    f"{NUMBER_PATH}/ownership_confirm",
    response_model=None,
    responses=described(ReputationPhoneNumberResponse, 400),
)
def confirm_ownership(
    enterprise_id: uuid.UUID,
    phone_number: str,
    body: OwnershipConfirm,
    db: DbDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        number = service.confirm(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            phone_number=phone_number,
            still_own=body.still_own,
            evidence_document_id=body.evidence_document_id,
            now=utcnow(),
        )
        return {"data": render_number(number)}


@operator_router.post(
    "/ownership/checks",
    response_model=None,
    responses=described(OwnershipCheckResponse),
)
def run_checks(
    services: ServicesDep, operator: OperatorDep, body: OwnershipCheckRun | None = None
) -> dict[str, Any]:
    """Check the ownership of every active number now (or one enterprise's)."""
    del operator
    settings = services.settings
    result = run_sweep(
        services.db,
        settings.carrier_lookup,
        Policy.from_settings(settings),
        enterprise_id=body.enterprise_id if body else None,
    )
    return {"data": result.as_dict()}


@operator_router.post(
    "/sandbox/carrier_events",
    status_code=201,
    response_model=None,
    responses=described(CarrierEventResponse, 400, status=201),
)
def create_carrier_event(
    body: CarrierEventCreate, services: ServicesDep, operator: OperatorDep
) -> dict[str, Any]:
    """Simulate a port or disconnect at the sandbox carrier lookup."""
    del operator
    if not isinstance(services.settings.carrier_lookup, SandboxCarrierConfig):
        raise StateGuardError(
            "The carrier lookup is not the sandbox, so simulated carrier events "
            'would have no effect; set NUMREP_CARRIER_LOOKUP={"kind": "sandbox"}.'
        )
    with services.db.unit_of_work() as session:
        event = carrier_sandbox.record_event(
            session,
            phone_number=body.phone_number,
            kind=body.kind,
            spid=body.spid,
            effective_at=body.effective_at,
        )
        return {"data": render_carrier_event(event)}
