"""Operator endpoints for account inventories (a numrep extension)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from numrep.core.clock import isoformat
from numrep.core.deps import DbDep, OperatorDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import OPERATOR_TAG, described
from numrep.core.pagination import PageParams, page_params
from numrep.inventory import service
from numrep.inventory.models import InventoryNumber
from numrep.inventory.schemas import InventoryAdd, InventoryAddResponse, InventoryList

# Telnyx has no inventory API, so these routes are tagged as numrep's own.
router = APIRouter(
    route_class=JsonRoute,
    tags=[EXTENSION_TAG, OPERATOR_TAG],
    prefix="/operator/accounts/{account_id}/inventory",
)


def render_inventory_number(row: InventoryNumber) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "record_type": "inventory_number",
        "account_id": str(row.account_id),
        "phone_number": row.phone_number,
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
    }


@router.post(
    "",
    status_code=201,
    response_model=None,
    responses=described(InventoryAddResponse, status=201),
)
def add_inventory_numbers(
    account_id: uuid.UUID, body: InventoryAdd, db: DbDep, operator: OperatorDep
) -> dict[str, Any]:
    """Add numbers to an account's inventory; numbers already there are kept."""
    del operator
    with db.unit_of_work() as session:
        result = service.add_numbers(
            session, account_id=account_id, phone_numbers=body.phone_numbers
        )
        return {
            "data": [render_inventory_number(row) for row in result.added],
            "meta": {"already_present": result.already_present},
        }


@router.get(
    "",
    response_model=None,
    responses=described(InventoryList),
)
def list_inventory_numbers(
    account_id: uuid.UUID,
    db: DbDep,
    operator: OperatorDep,
    page: Annotated[PageParams, Depends(page_params(20))],
    phone_number_contains: Annotated[
        str | None, Query(alias="filter[phone_number][contains]", max_length=16)
    ] = None,
) -> dict[str, Any]:
    del operator
    with db.unit_of_work(write=False) as session:
        result = service.list_numbers(
            session,
            account_id=account_id,
            phone_number_contains=phone_number_contains,
            page=page,
        )
        return result.render(render_inventory_number)


@router.delete(
    "/{phone_number}",
    status_code=204,
    responses=described(None),
)
def remove_inventory_number(
    account_id: uuid.UUID, phone_number: str, db: DbDep, operator: OperatorDep
) -> Response:
    del operator
    with db.unit_of_work() as session:
        service.remove_number(session, account_id=account_id, phone_number=phone_number)
    return Response(status_code=204)
