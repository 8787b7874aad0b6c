"""Snapshot history of one registered number (a numrep extension).

A ``+`` in the ``phone_number`` path segment may be literal or ``%2B``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from numrep.core.deps import DbDep, PrincipalDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import described
from numrep.core.pagination import PageParams, page_params
from numrep.reputation import history
from numrep.reputation.schemas import ReputationSnapshotList

router = APIRouter(route_class=JsonRoute, tags=[EXTENSION_TAG])


@router.get(
    "/enterprises/{enterprise_id}/reputation/numbers/{phone_number}/history",
    response_model=None,
    responses=described(ReputationSnapshotList),
)
def list_number_history(
    enterprise_id: uuid.UUID,
    phone_number: str,
    db: DbDep,
    principal: PrincipalDep,
    page: Annotated[PageParams, Depends(page_params(20))],
) -> dict[str, Any]:
    """List every stored reputation snapshot of a number, newest first."""
    with db.unit_of_work(write=False) as session:
        result = history.list_snapshots(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            phone_number=phone_number,
            page=page,
        )
        return result.render(history.render_snapshot)
