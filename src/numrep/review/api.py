"""Operator endpoints for the tier-2 review queue (numrep extensions)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from numrep.console import actions
from numrep.core.clock import isoformat
from numrep.core.deps import DbDep, OperatorDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import OPERATOR_TAG, described
from numrep.core.pagination import PageParams, page_params
from numrep.remediation.models import CaseState, ReviewCase
from numrep.review import service
from numrep.review.schemas import ReviewCaseBatch, ReviewCaseList, ReviewCaseResponse
from numrep.review.service import Decision

router = APIRouter(
    route_class=JsonRoute, prefix="/operator", tags=[EXTENSION_TAG, OPERATOR_TAG]
)


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    note: Annotated[str, Field(max_length=4000)] | None = None


class BulkDecisionBody(DecisionBody):
    case_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]


def render_case(case: ReviewCase) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "record_type": "review_case",
        "remediation_id": str(case.request_id),
        "enterprise_id": str(case.enterprise_id),
        "phone_number": case.phone_number,
        "network": case.network,
        "tier": case.tier,
        "state": case.state,
        "label": case.label,
        "deadline_at": isoformat(case.deadline_at),
        "decided_at": isoformat(case.decided_at),
        "decided_by": case.decided_by,
        "note": case.note,
        "created_at": isoformat(case.created_at),
        "updated_at": isoformat(case.updated_at),
    }


@router.get(
    "/review_cases",
    response_model=None,
    responses=described(ReviewCaseList),
)
def list_review_cases(
    db: DbDep,
    operator: OperatorDep,
    page: Annotated[PageParams, Depends(page_params(50))],
    state: Annotated[CaseState | None, Query(alias="filter[state]")] = CaseState.OPEN,
    network: Annotated[str | None, Query(alias="filter[network]")] = None,
    enterprise_id: Annotated[
        uuid.UUID | None, Query(alias="filter[enterprise_id]")
    ] = None,
    opened_before: Annotated[
        datetime | None, Query(alias="filter[created_at][lte]")
    ] = None,
) -> dict[str, Any]:
    """Tier-2 cases for operators, oldest deadline first."""
    del operator
    with db.unit_of_work(write=False) as session:
        result = service.list_cases(
            session,
            page=page,
            state=state,
            network=network,
            enterprise_id=enterprise_id,
            opened_before=opened_before,
        )
        return result.render(render_case)


@router.get(
    "/review_cases/{case_id}",
    response_model=None,
    responses=described(ReviewCaseResponse),
)
def get_review_case(case_id: uuid.UUID, db: DbDep, operator: OperatorDep) -> Any:
    del operator
    with db.unit_of_work(write=False) as session:
        return {"data": render_case(service.get_case(session, case_id))}


@router.post(
    "/review_cases/{case_id}/decision",
    response_model=None,
    responses=described(ReviewCaseResponse, 400),
)
def decide_review_case(
    case_id: uuid.UUID, body: DecisionBody, db: DbDep, operator: OperatorDep
) -> dict[str, Any]:
    """Record the network's decision on one case."""
    with db.unit_of_work() as session:
        cases = actions.decide_cases(
            session,
            case_ids=[case_id],
            decision=body.decision,
            note=body.note,
            actor=f"key:{operator.key_id}",
        )
        return {"data": render_case(cases[0])}


@router.post(
    "/review_cases/decisions",
    response_model=None,
    responses=described(ReviewCaseBatch, 400, 404),
)
def decide_review_cases(
    body: BulkDecisionBody, db: DbDep, operator: OperatorDep
) -> dict[str, Any]:
    """Record one decision on several cases at once."""
    with db.unit_of_work() as session:
        cases = actions.decide_cases(
            session,
            case_ids=body.case_ids,
            decision=body.decision,
            note=body.note,
            actor=f"key:{operator.key_id}",
        )
        return {"data": [render_case(case) for case in cases]}
