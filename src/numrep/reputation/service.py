"""Reputation settings of an enterprise: enable, vet, review the LOA, disable.

The functions other domains call live here too: ``require_gates``,
``record_lookups``, ``active_number_rows`` and ``registered_numbers``.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import (
    ForbiddenError,
    InvalidParametersError,
    NotFoundError,
    StateGuardError,
)
from numrep.documents import service as documents
from numrep.enterprise import service as enterprises
from numrep.enterprise.models import Enterprise
from numrep.remediation import hooks
from numrep.reputation import schedule
from numrep.reputation.data import record_lookups
from numrep.reputation.gates import open_settings, require_gates
from numrep.reputation.lookup_store import active_number_rows
from numrep.reputation.models import (
    CheckFrequency,
    LoaStatus,
    ReputationSettings,
    SettingsStatus,
)
from numrep.reputation.numbers import registered_numbers, remove_all_numbers
from numrep.reputation.schemas import ReputationEnable
from numrep.tos.service import ProductType, has_agreed
from numrep.webhook.safety import validate_webhook_url
from numrep.worker import jobs

__all__ = [
    "active_number_rows",
    "disable",
    "enable",
    "get_settings",
    "record_lookups",
    "registered_numbers",
    "replace_loa",
    "require_gates",
    "update_frequency",
    "update_webhook",
]

log = structlog.get_logger(__name__)

VETTING_WORKFLOW = "reputation.vet"


def get_settings(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    for_update: bool = False,
) -> ReputationSettings:
    """Return the open settings of the caller's enterprise (404 when not enabled)."""
    enterprises.get_owned(session, account_id=account_id, enterprise_id=enterprise_id)
    settings = open_settings(
        session, enterprise_id=enterprise_id, for_update=for_update
    )
    if settings is None:
        raise NotFoundError(
            f"Number reputation is not enabled on enterprise {enterprise_id}."
        )
    return settings


def enable(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    body: ReputationEnable,
    vetting_delay_seconds: float,
) -> ReputationSettings:
    """Open a pending settings row and schedule its vetting.

    A rejected row is closed and replaced. A pending or approved one raises
    ``StateGuardError`` (400).
    """
    enterprise = enterprises.get_owned(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    if not has_agreed(
        session, account_id=account_id, product_type=ProductType.NUMBER_REPUTATION
    ):
        raise ForbiddenError(
            "terms_of_service_not_accepted: accept the number_reputation terms "
            "with POST /terms_of_service/number_reputation/agree, then enable."
        )
    current = open_settings(session, enterprise_id=enterprise_id, for_update=True)
    if current is not None and current.status != SettingsStatus.REJECTED:
        raise StateGuardError(
            f"Number reputation is already enabled on enterprise {enterprise_id} "
            f"(status '{current.status}'); disable it first to start over."
        )
    document_id = _owned_document(session, account_id, body.loa_document_id)

    now = utcnow()
    if current is not None:
        current.closed_at = now
        session.flush()
    settings = ReputationSettings(
        account_id=account_id,
        enterprise_id=enterprise_id,
        loa_document_id=str(document_id),
        check_frequency=body.check_frequency,
        created_at=now,
        updated_at=now,
    )
    session.add(settings)
    enterprise.number_reputation_enabled = True
    enterprise.updated_at = now
    session.flush()
    jobs.enqueue(
        session,
        queue="monitoring",
        workflow=VETTING_WORKFLOW,
        workflow_id=f"reputation-vet:{settings.id}",
        args=[str(settings.id)],
        delay_seconds=vetting_delay_seconds,
    )
    log.info(
        "reputation.enabled",
        enterprise_id=str(enterprise_id),
        settings_id=str(settings.id),
    )
    return settings


def disable(
    session: Session, *, account_id: uuid.UUID, enterprise_id: uuid.UUID
) -> None:
    """Close the settings, remove every registered number, cancel remediation."""
    settings = get_settings(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    now = utcnow()
    settings.status = SettingsStatus.DELETED
    settings.closed_at = now
    settings.updated_at = now
    removed = remove_all_numbers(session, enterprise_id=enterprise_id, now=now)
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is not None:
        enterprise.number_reputation_enabled = False
        enterprise.updated_at = now
    session.flush()
    hooks.on_reputation_disabled(session, enterprise_id=enterprise_id)
    log.info(
        "reputation.disabled", enterprise_id=str(enterprise_id), numbers_removed=removed
    )


def update_frequency(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    check_frequency: CheckFrequency,
) -> ReputationSettings:
    settings = get_settings(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    if settings.status != SettingsStatus.APPROVED:
        raise StateGuardError(
            f"The check frequency can change only once reputation is approved; "
            f"the status of enterprise {enterprise_id} is '{settings.status}'."
        )
    settings.check_frequency = check_frequency
    settings.updated_at = utcnow()
    schedule.apply_frequency(
        session,
        enterprise_id=enterprise_id,
        frequency=check_frequency,
        now=settings.updated_at,
    )
    session.flush()
    return settings


def update_webhook(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    webhook_url: str | None,
    allow_private: bool,
) -> ReputationSettings:
    settings = get_settings(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    if webhook_url is not None:
        try:
            validate_webhook_url(webhook_url, allow_private=allow_private)
        except ValueError as error:
            raise InvalidParametersError.at(
                str(error), pointer="/webhook_url"
            ) from error
    settings.webhook_url = webhook_url
    settings.updated_at = utcnow()
    session.flush()
    return settings


def replace_loa(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    loa_document_id: str,
) -> ReputationSettings:
    """Swap the LOA document while it is not approved; review starts again."""
    settings = get_settings(
        session, account_id=account_id, enterprise_id=enterprise_id, for_update=True
    )
    if settings.loa_status == LoaStatus.APPROVED:
        raise StateGuardError(
            "The authorization document cannot be changed after it has been "
            "approved; disable reputation and enable it again with a new LOA."
        )
    document_id = _owned_document(session, account_id, loa_document_id)
    settings.loa_document_id = str(document_id)
    settings.loa_status = LoaStatus.PENDING
    settings.loa_rejection_reason = None
    settings.loa_reviewed_at = None
    settings.updated_at = utcnow()
    session.flush()
    return settings


def _owned_document(
    session: Session, account_id: uuid.UUID, document_id: str
) -> uuid.UUID:
    """Return the id of the caller's document, or raise 422 at the LOA pointer."""
    try:
        document = documents.get_owned(
            session, account_id=account_id, document_id=document_id
        )
    except NotFoundError:
        raise InvalidParametersError.at(
            f"Document {document_id!r} was not found in this account; upload the "
            "signed LOA with POST /documents and send the id it returns.",
            pointer="/loa_document_id",
        ) from None
    return document.id
