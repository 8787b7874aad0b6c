"""Terms-of-service endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from numrep.core.clock import isoformat
from numrep.core.deps import DbDep, PrincipalDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import described
from numrep.core.pagination import PageParams, page_params
from numrep.tos import service
from numrep.tos.models import TosAgreement
from numrep.tos.schemas import (
    TosAgreementList,
    TosAgreementResponse,
    TosInfoResponse,
    TosStatusResponse,
)
from numrep.tos.service import ProductType
from numrep.tos.terms import terms_text

router = APIRouter(route_class=JsonRoute, tags=["Terms of Service"])
# The human-readable terms that terms_url links to; public and outside /v2.
pages_router = APIRouter(route_class=JsonRoute, tags=[EXTENSION_TAG])
TERMS_PAGE_PATH = "/terms/{product_type}"


def render_agreement(agreement: TosAgreement) -> dict[str, Any]:
    return {
        "id": str(agreement.id),
        "product_type": agreement.product_type,
        "terms_version": agreement.terms_version,
        "version": agreement.terms_version,
        "agreed_at": isoformat(agreement.agreed_at),
        "created_at": isoformat(agreement.created_at),
    }


@router.post(
    "/terms_of_service/number_reputation/agree",
    response_model=None,
    responses=described(TosAgreementResponse),
)
def agree_number_reputation(db: DbDep, principal: PrincipalDep) -> dict[str, Any]:
    with db.unit_of_work() as session:
        agreement = service.agree(
            session,
            account_id=principal.account_id,
            product_type=ProductType.NUMBER_REPUTATION,
        )
        return {"data": render_agreement(agreement)}


@router.post(
    "/terms_of_service/branded_calling/agree",
    response_model=None,
    responses=described(TosAgreementResponse),
)
def agree_branded_calling(db: DbDep, principal: PrincipalDep) -> dict[str, Any]:
    with db.unit_of_work() as session:
        agreement = service.agree(
            session,
            account_id=principal.account_id,
            product_type=ProductType.BRANDED_CALLING,
        )
        return {"data": render_agreement(agreement)}


@router.get(
    "/terms_of_service/status",
    response_model=None,
    responses=described(TosStatusResponse),
)
def get_status(
    db: DbDep,
    principal: PrincipalDep,
    product_type: ProductType = ProductType.BRANDED_CALLING,
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        result = service.status(
            session, account_id=principal.account_id, product_type=product_type
        )
    agreement = result.agreement
    return {
        "data": {
            "product_type": result.product_type,
            "current_terms_version": result.current.version,
            "has_agreed": agreement is not None,
            "agreement_required": agreement is None,
            "agreed_at": isoformat(agreement.agreed_at) if agreement else None,
            "agreed_version": agreement.terms_version if agreement else None,
        }
    }


@router.get(
    "/terms_of_service/info",
    response_model=None,
    responses=described(TosInfoResponse),
)
def get_info(
    request: Request, principal: PrincipalDep, product_type: ProductType | None = None
) -> dict[str, Any]:
    del principal
    products = [product_type] if product_type else list(ProductType)
    base = str(request.base_url).rstrip("/")
    return {
        "agreements": [
            {
                "product_type": terms.product_type,
                "current_version": terms.version,
                "description": terms.description,
                "effective_date": terms.effective_date.isoformat(),
                "terms_url": base
                + TERMS_PAGE_PATH.format(product_type=terms.product_type),
            }
            for terms in (service.CURRENT_TERMS[p] for p in products)
        ]
    }


@router.get(
    "/terms_of_service/agreements",
    response_model=None,
    responses=described(TosAgreementList),
)
def list_agreements(
    db: DbDep,
    principal: PrincipalDep,
    page: Annotated[PageParams, Depends(page_params(20))],
    product_type: Annotated[ProductType | None, Query()] = None,
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        result = service.list_agreements(
            session,
            account_id=principal.account_id,
            product_type=product_type,
            page=page,
        )
        return result.render(render_agreement)


@router.get(
    "/terms_of_service/agreements/{agreement_id}",
    response_model=None,
    responses=described(TosAgreementResponse),
)
def get_agreement(
    agreement_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        agreement = service.get_agreement(
            session, account_id=principal.account_id, agreement_id=agreement_id
        )
        return {"data": render_agreement(agreement)}


@pages_router.get(
    TERMS_PAGE_PATH,
    response_class=PlainTextResponse,
)
def get_terms_page(product_type: ProductType) -> PlainTextResponse:
    return PlainTextResponse(terms_text(product_type))
