"""Reputation settings endpoints of an enterprise."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response

from numrep.core.deps import DbDep, PrincipalDep, ServicesDep
from numrep.core.http import JsonRoute
from numrep.core.openapi import described
from numrep.reputation import service
from numrep.reputation.render import render_settings
from numrep.reputation.schemas import (
    FrequencyUpdate,
    LoaUpdate,
    ReputationEnable,
    ReputationSettingsResponse,
    WebhookUpdate,
)

router = APIRouter(route_class=JsonRoute, tags=["Reputation"])

SETTINGS_PATH = "/enterprises/{enterprise_id}/reputation"


@router.get(
    SETTINGS_PATH,
    response_model=None,
    responses=described(ReputationSettingsResponse),
)
def get_reputation(
    enterprise_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work(write=False) as session:
        settings = service.get_settings(
            session, account_id=principal.account_id, enterprise_id=enterprise_id
        )
        return {"data": render_settings(settings)}


@router.post(
    SETTINGS_PATH,
    status_code=201,
    response_model=None,
    responses=described(ReputationSettingsResponse, 400, 403, status=201),
)
def enable_reputation(
    enterprise_id: uuid.UUID,
    body: ReputationEnable,
    services: ServicesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    config = services.settings
    delay = config.reputation_vetting_delay_seconds * config.sandbox_time_scale
    with services.db.unit_of_work() as session:
        settings = service.enable(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            body=body,
            vetting_delay_seconds=delay,
        )
        return {"data": render_settings(settings)}


@router.delete(
    SETTINGS_PATH,
    status_code=204,
    responses=described(None, 400),
)
def disable_reputation(
    enterprise_id: uuid.UUID, db: DbDep, principal: PrincipalDep
) -> Response:
    with db.unit_of_work() as session:
        service.disable(
            session, account_id=principal.account_id, enterprise_id=enterprise_id
        )
    return Response(status_code=204)


@router.patch(
    f"{SETTINGS_PATH}/frequency",
    response_model=None,
    responses=described(ReputationSettingsResponse, 400),
)
def update_frequency(
    enterprise_id: uuid.UUID,
    body: FrequencyUpdate,
    db: DbDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        settings = service.update_frequency(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            check_frequency=body.check_frequency,
        )
        return {"data": render_settings(settings)}


@router.patch(
    f"{SETTINGS_PATH}/webhook",
    response_model=None,
    responses=described(ReputationSettingsResponse, 400),
)
def update_webhook(
    enterprise_id: uuid.UUID,
    body: WebhookUpdate,
    services: ServicesDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    with services.db.unit_of_work() as session:
        settings = service.update_webhook(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            webhook_url=body.webhook_url,
            allow_private=services.settings.webhook_allow_private_targets,
        )
        return {"data": render_settings(settings)}


@router.patch(
    f"{SETTINGS_PATH}/loa",
    response_model=None,
    responses=described(ReputationSettingsResponse, 400),
)
def replace_loa(
    enterprise_id: uuid.UUID, body: LoaUpdate, db: DbDep, principal: PrincipalDep
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        settings = service.replace_loa(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            loa_document_id=body.loa_document_id,
        )
        return {"data": render_settings(settings)}
