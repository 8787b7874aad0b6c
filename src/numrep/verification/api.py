"""External verification endpoints: the customer's submit and read, and the
operator's review (a numrep extension)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from numrep.console import actions
from numrep.core.deps import DbDep, OperatorDep, PrincipalDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import OPERATOR_TAG, described
from numrep.core.pagination import PageParams, page_params
from numrep.verification import review, service
from numrep.verification.render import render_verification
from numrep.verification.schemas import (
    VerificationList,
    VerificationRejection,
    VerificationResponse,
    VerificationSubmit,
)

router = APIRouter(route_class=JsonRoute, tags=["Reputation"])
operator_router = APIRouter(
    route_class=JsonRoute,
    tags=[EXTENSION_TAG, OPERATOR_TAG],
    prefix="/operator/external_verifications",
)

VERIFICATION_PATH = "/enterprises/{enterprise_id}/reputation/external_verification"


@router.post(
    VERIFICATION_PATH,
    status_code=201,
    response_model=None,
    # 201 for a first submission, 200 when it replaces a pending or rejected one.
    responses={
        **described(VerificationResponse, 400, status=201),
        **described(VerificationResponse),
    },
)
def submit_verification(
    enterprise_id: uuid.UUID,
    body: VerificationSubmit,
    response: Response,
    db: DbDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Submit ownership proof (201), or replace a pending or rejected one (200)."""
    with db.unit_of_work() as session:
        verification, created = service.submit(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            document_ids=body.document_ids,
            phone_numbers=body.phone_numbers,
        )
        if not created:
            response.status_code = 200
        return {"data": render_verification(verification)}


@router.get(
    VERIFICATION_PATH,
    response_model=None,
    responses=described(VerificationResponse),
)
def get_verification(
    enterprise_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        verification = service.get(
            session, account_id=principal.account_id, enterprise_id=enterprise_id
        )
        return {"data": render_verification(verification)}


@operator_router.get(
    "",
    response_model=None,
    responses=described(VerificationList),
)
def list_pending_verifications(
    db: DbDep,
    operator: OperatorDep,
    page: Annotated[PageParams, Depends(page_params(50))],
) -> dict[str, Any]:
    """List pending verifications of every account, oldest submission first."""
    del operator
    with db.unit_of_work(write=False) as session:
        result = review.list_pending(session, page=page)
        return result.render(render_verification)


@operator_router.post(
    "/{enterprise_id}/approve",
    response_model=None,
    responses=described(VerificationResponse, 400),
)
def approve_verification(
    enterprise_id: uuid.UUID, db: DbDep, operator: OperatorDep
) -> dict[str, Any]:
    """Approve the pending verification; the enterprise may add external numbers."""
    with db.unit_of_work() as session:
        verification = actions.decide_verification(
            session,
            enterprise_id=enterprise_id,
            approve=True,
            reason=None,
            actor=f"key:{operator.key_id}",
            reviewer_key_id=operator.key_id,
        )
        return {"data": render_verification(verification)}


@operator_router.post(
    "/{enterprise_id}/reject",
    response_model=None,
    responses=described(VerificationResponse, 400),
)
def reject_verification(
    enterprise_id: uuid.UUID,
    body: VerificationRejection,
    db: DbDep,
    operator: OperatorDep,
) -> dict[str, Any]:
    """Reject the pending verification; the customer can submit new proof."""
    with db.unit_of_work() as session:
        verification = actions.decide_verification(
            session,
            enterprise_id=enterprise_id,
            approve=False,
            reason=body.reason,
            actor=f"key:{operator.key_id}",
            reviewer_key_id=operator.key_id,
        )
        return {"data": render_verification(verification)}
