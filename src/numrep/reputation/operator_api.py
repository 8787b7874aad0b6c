"""Operator endpoints for LOA decisions (a numrep extension).

Operators act on any account's enterprise, so these routes take no account
scope; they need an operator API key.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from numrep.console import actions
from numrep.core.deps import DbDep, OperatorDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import OPERATOR_TAG, described
from numrep.reputation.render import render_settings
from numrep.reputation.schemas import LoaRejection, ReputationSettingsResponse

router = APIRouter(
    route_class=JsonRoute,
    tags=[EXTENSION_TAG, OPERATOR_TAG],
    prefix="/operator/enterprises/{enterprise_id}/reputation/loa",
)


@router.post(
    "/approve",
    response_model=None,
    responses=described(ReputationSettingsResponse, 400),
)
def approve_loa(
    enterprise_id: uuid.UUID, db: DbDep, operator: OperatorDep
) -> dict[str, Any]:
    """Approve the enterprise's pending Letter of Authorization."""
    with db.unit_of_work() as session:
        settings = actions.decide_loa(
            session,
            enterprise_id=enterprise_id,
            approve=True,
            reason=None,
            actor=f"key:{operator.key_id}",
        )
        return {"data": render_settings(settings)}


@router.post(
    "/reject",
    response_model=None,
    responses=described(ReputationSettingsResponse, 400),
)
def reject_loa(
    enterprise_id: uuid.UUID, body: LoaRejection, db: DbDep, operator: OperatorDep
) -> dict[str, Any]:
    """Reject the pending Letter of Authorization; the customer can replace it."""
    with db.unit_of_work() as session:
        settings = actions.decide_loa(
            session,
            enterprise_id=enterprise_id,
            approve=False,
            reason=body.reason,
            actor=f"key:{operator.key_id}",
        )
        return {"data": render_settings(settings)}
