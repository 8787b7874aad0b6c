"""Enterprise endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from numrep.core.clock import isoformat
from numrep.core.deps import DbDep, PrincipalDep
from numrep.core.http import JsonRoute
from numrep.core.openapi import described, json_body
from numrep.core.pagination import PageParams, page_params
from numrep.enterprise import service
from numrep.enterprise.models import Enterprise
from numrep.enterprise.schemas import (
    EnterpriseCreate,
    EnterpriseList,
    EnterpriseResponse,
    EnterpriseUpdate,
    RoleType,
)

router = APIRouter(route_class=JsonRoute, tags=["Enterprises"])


def render_enterprise(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "id": str(enterprise.id),
        "record_type": "enterprise",
        "legal_name": enterprise.legal_name,
        "doing_business_as": enterprise.doing_business_as,
        "organization_type": enterprise.organization_type,
        "organization_legal_type": enterprise.organization_legal_type,
        "country_code": enterprise.country_code,
        "jurisdiction_of_incorporation": enterprise.jurisdiction_of_incorporation,
        "website": enterprise.website,
        "fein": enterprise.fein,
        "industry": enterprise.industry,
        "number_of_employees": enterprise.number_of_employees,
        "organization_contact": enterprise.organization_contact,
        "billing_contact": enterprise.billing_contact,
        "organization_physical_address": enterprise.organization_physical_address,
        "billing_address": enterprise.billing_address,
        "corporate_registration_number": enterprise.corporate_registration_number,
        "customer_reference": enterprise.customer_reference,
        "dun_bradstreet_number": enterprise.dun_bradstreet_number,
        "primary_business_domain_sic_code": (
            enterprise.primary_business_domain_sic_code
        ),
        "professional_license_number": enterprise.professional_license_number,
        "role_type": enterprise.role_type,
        "bpo_verification_status": None,
        "bpo_verification_rejection_reason": None,
        "branded_calling_enabled": False,
        "number_reputation_enabled": enterprise.number_reputation_enabled,
        "created_at": isoformat(enterprise.created_at),
        "updated_at": isoformat(enterprise.updated_at),
    }


@router.post(
    "/enterprises",
    status_code=201,
    response_model=None,
    responses=described(EnterpriseResponse, 409, status=201),
)
def create_enterprise(
    body: EnterpriseCreate, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        enterprise = service.create(session, account_id=principal.account_id, body=body)
        return {"data": render_enterprise(enterprise)}


@router.get(
    "/enterprises",
    response_model=None,
    responses=described(EnterpriseList),
)
def list_enterprises(
    db: DbDep,
    principal: PrincipalDep,
    page: Annotated[PageParams, Depends(page_params(10))],
    legal_name_contains: Annotated[
        str | None, Query(alias="filter[legal_name][contains]", max_length=64)
    ] = None,
    role_type: Annotated[RoleType | None, Query(alias="filter[role_type]")] = None,
    legal_name: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        result = service.list_enterprises(
            session,
            account_id=principal.account_id,
            legal_name_contains=legal_name_contains or legal_name,
            role_type=role_type,
            page=page,
        )
        return result.render(render_enterprise)


@router.get(
    "/enterprises/{enterprise_id}",
    response_model=None,
    responses=described(EnterpriseResponse),
)
def get_enterprise(
    enterprise_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        enterprise = service.get_owned(
            session, account_id=principal.account_id, enterprise_id=enterprise_id
        )
        return {"data": render_enterprise(enterprise)}


@router.put(
    "/enterprises/{enterprise_id}",
    response_model=None,
    responses=described(EnterpriseResponse, 400, 409),
    openapi_extra=json_body(EnterpriseUpdate),
)
def update_enterprise(
    enterprise_id: uuid.UUID,
    raw: Annotated[dict[str, Any], Body()],
    db: DbDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    body = EnterpriseUpdate.model_validate(raw)
    with db.unit_of_work() as session:
        enterprise = service.update(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            raw=raw,
            body=body,
        )
        return {"data": render_enterprise(enterprise)}


@router.delete(
    "/enterprises/{enterprise_id}",
    status_code=204,
    responses=described(None, 400),
)
def delete_enterprise(
    enterprise_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> Response:
    with db.unit_of_work() as session:
        service.delete(
            session, account_id=principal.account_id, enterprise_id=enterprise_id
        )
    return Response(status_code=204)
