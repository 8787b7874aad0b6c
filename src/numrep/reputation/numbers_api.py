"""Reputation phone-number endpoints, per enterprise and across enterprises.

A ``+`` in the ``phone_number`` path segment may be literal, as the Python SDK
sends it, or encoded as ``%2B``. Both reach the handler as ``+``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from numrep.core.deps import DbDep, PrincipalDep, ServicesDep
from numrep.core.http import JsonRoute
from numrep.core.openapi import described
from numrep.core.pagination import PageParams, page_params
from numrep.reputation import lookups, numbers, refresh
from numrep.reputation.models import NumberSource, OwnershipStatus
from numrep.reputation.numbers import NumberFilters
from numrep.reputation.render import render_number, render_number_detail
from numrep.reputation.schemas import (
    PhoneNumbersBody,
    RefreshResponse,
    ReputationPhoneNumberDetailResponse,
    ReputationPhoneNumberList,
)

router = APIRouter(route_class=JsonRoute, tags=["Reputation Phone Numbers"])

NUMBERS_PATH = "/enterprises/{enterprise_id}/reputation/numbers"
SHORT_PATH = "/reputation/numbers"


def number_filters(
    ownership_status: Annotated[
        OwnershipStatus | None, Query(alias="filter[ownership_status]")
    ] = None,
    phone_number_contains: Annotated[
        str | None, Query(alias="filter[phone_number][contains]", max_length=16)
    ] = None,
    phone_number_eq: Annotated[
        str | None, Query(alias="filter[phone_number][eq]", max_length=16)
    ] = None,
    source: Annotated[NumberSource | None, Query(alias="filter[source]")] = None,
) -> NumberFilters:
    return NumberFilters(
        ownership_status=ownership_status,
        phone_number_contains=phone_number_contains,
        phone_number_eq=phone_number_eq,
        source=source,
    )


FiltersDep = Annotated[NumberFilters, Depends(number_filters)]


@router.post(
    NUMBERS_PATH,
    status_code=201,
    response_model=None,
    responses=described(ReputationPhoneNumberList, 400, status=201),
)
def associate_numbers(
    enterprise_id: uuid.UUID,
    body: PhoneNumbersBody,
    db: DbDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        rows = numbers.associate(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            phone_numbers=body.phone_numbers,
        )
        data = [render_number(row) for row in rows]
    meta = {
        "page_number": 1,
        "page_size": len(data),
        "total_pages": 1,
        "total_results": len(data),
    }
    return {"data": data, "meta": meta}


@router.get(
    NUMBERS_PATH,
    response_model=None,
    responses=described(ReputationPhoneNumberList),
)
def list_enterprise_numbers(
    enterprise_id: uuid.UUID,
    db: DbDep,
    principal: PrincipalDep,
    filters: FiltersDep,
    page: Annotated[PageParams, Depends(page_params(10))],
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        result = numbers.list_numbers(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            filters=filters,
            page=page,
        )
        return result.render(render_number)


@router.post(
    f"{NUMBERS_PATH}/refresh",
    response_model=None,
    responses=described(RefreshResponse, 400, 429),
)
def refresh_numbers(
    enterprise_id: uuid.UUID,
    body: PhoneNumbersBody,
    services: ServicesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    results = refresh.refresh_requested(
        services.db,
        lookups.gateway_for(services.settings, services.db),
        account_id=principal.account_id,
        enterprise_id=enterprise_id,
        phone_numbers=body.phone_numbers,
        rate_limit=services.settings.reputation_refresh_rate_limit,
    )
    successful = sum(result.success for result in results)
    return {
        "data": {
            "results": [asdict(result) for result in results],
            "total_requested": len(results),
            "total_successful": successful,
            "total_failed": len(results) - successful,
        }
    }


@router.get(
    f"{NUMBERS_PATH}/{{phone_number}}",
    response_model=None,
    responses=described(ReputationPhoneNumberDetailResponse),
)
def get_enterprise_number(
    enterprise_id: uuid.UUID,
    phone_number: str,
    services: ServicesDep,
    principal: PrincipalDep,
    fresh: bool = False,
) -> dict[str, Any]:
    return _read_number(
        services, principal.account_id, enterprise_id, phone_number, fresh
    )


@router.delete(
    f"{NUMBERS_PATH}/{{phone_number}}",
    status_code=204,
    responses=described(None),
)
def remove_enterprise_number(
    enterprise_id: uuid.UUID, phone_number: str, db: DbDep, principal: PrincipalDep
) -> Response:
    with db.unit_of_work() as session:
        numbers.remove_number(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            phone_number=phone_number,
        )
    return Response(status_code=204)


@router.get(
    SHORT_PATH,
    response_model=None,
    responses=described(ReputationPhoneNumberList),
)
def list_account_numbers(
    db: DbDep,
    principal: PrincipalDep,
    filters: FiltersDep,
    page: Annotated[PageParams, Depends(page_params(20))],
    enterprise_id: Annotated[
        uuid.UUID | None, Query(alias="filter[enterprise_id]")
    ] = None,
) -> dict[str, Any]:
    scoped = replace(filters, enterprise_id=enterprise_id)
    with db.unit_of_work(write=False) as session:
        result = numbers.list_numbers(
            session,
            account_id=principal.account_id,
            enterprise_id=None,
            filters=scoped,
            page=page,
        )
        return result.render(render_number)


@router.get(
    f"{SHORT_PATH}/{{phone_number}}",
    response_model=None,
    responses=described(ReputationPhoneNumberDetailResponse),
)
def get_account_number(
    phone_number: str,
    services: ServicesDep,
    principal: PrincipalDep,
    fresh: bool = False,
) -> dict[str, Any]:
    return _read_number(services, principal.account_id, None, phone_number, fresh)


@router.delete(
    f"{SHORT_PATH}/{{phone_number}}",
    status_code=204,
    responses=described(None),
)
def remove_account_number(
    phone_number: str, db: DbDep, principal: PrincipalDep
) -> Response:
    with db.unit_of_work() as session:
        numbers.remove_number(
            session,
            account_id=principal.account_id,
            enterprise_id=None,
            phone_number=phone_number,
        )
    return Response(status_code=204)


def _read_number(
    services: ServicesDep,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID | None,
    phone_number: str,
    fresh: bool,
) -> dict[str, Any]:
    number, statuses = refresh.read_number(
        services.db,
        lookups.gateway_for(services.settings, services.db),
        account_id=account_id,
        enterprise_id=enterprise_id,
        phone_number=phone_number,
        fresh=fresh,
    )
    return {"data": render_number_detail(number, statuses)}
