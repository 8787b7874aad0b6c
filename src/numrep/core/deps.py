"""FastAPI dependencies shared by every router: services, the caller, the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import structlog
from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.exc import SQLAlchemyError

from numrep.account.service import Principal, authenticate, record_key_use
from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.core.errors import AuthenticationError, ForbiddenError
from numrep.settings import Settings

if TYPE_CHECKING:
    from numrep.worker.runtime import WorkerRuntime

log = structlog.get_logger(__name__)


@dataclass
class Services:
    """The settings, database and worker of a running process."""

    settings: Settings
    db: Database
    secret_key: str
    worker: WorkerRuntime | None = None


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_db(request: Request) -> Database:
    return get_services(request).db


def get_principal(request: Request) -> Principal:
    """Authenticate ``Authorization: Bearer <key>``; the scheme is case-insensitive."""
    header = request.headers.get("authorization")
    if not header:
        raise AuthenticationError(
            "Missing Authorization header; send 'Authorization: Bearer <API key>'."
        )
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthenticationError(
            "Malformed Authorization header; expected 'Bearer <API key>'."
        )
    services = get_services(request)
    with services.db.unit_of_work(write=False) as session:
        principal = authenticate(session, services.secret_key, token)
    if principal is None:
        raise AuthenticationError("The API key is invalid or has been revoked.")
    request.state.principal = principal
    return principal


def get_principal_recording_use(
    request: Request, background: BackgroundTasks
) -> Principal:
    """Authenticate like ``get_principal`` and refresh the key's ``last_used_at``.

    The write runs after the response is sent, and only when the stored value is
    older than ``LAST_USED_RESOLUTION``, so most requests write nothing.
    """
    principal = get_principal(request)
    if principal.use_is_stale(utcnow()):
        background.add_task(_record_key_use, get_services(request).db, principal)
    return principal


def _record_key_use(db: Database, principal: Principal) -> None:
    try:
        with db.unit_of_work() as session:
            record_key_use(session, key_id=principal.key_id)
    except SQLAlchemyError as error:
        # The request already succeeded; a missed timestamp is retried next time.
        log.warning(
            "auth.last_used_update_failed",
            key_id=str(principal.key_id),
            error=str(error),
        )


def get_operator(
    principal: Annotated[Principal, Depends(get_principal_recording_use)],
) -> Principal:
    if not principal.is_operator:
        raise ForbiddenError("This action requires an operator API key.")
    return principal


DbDep = Annotated[Database, Depends(get_db)]
PrincipalDep = Annotated[Principal, Depends(get_principal_recording_use)]
OperatorDep = Annotated[Principal, Depends(get_operator)]
ServicesDep = Annotated[Services, Depends(get_services)]
