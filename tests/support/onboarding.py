"""Enterprises already through onboarding, for tests of what comes after it.

The onboarding itself (terms, documents, vetting, LOA approval, association) is
tested through the API elsewhere; here the rows are written directly so that
remediation tests start from an approved enterprise with registered numbers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from numrep.app import build_services
from numrep.core.clock import utcnow
from numrep.enterprise import service as enterprises
from numrep.enterprise.schemas import EnterpriseCreate
from numrep.reputation.models import (
    LoaStatus,
    ReputationNumber,
    ReputationSettings,
    SettingsStatus,
)
from numrep.settings import Settings
from numrep.tos.service import ProductType, agree
from tests.support.factories import enterprise_body


def approved_enterprise(
    settings: Settings,
    account_id: uuid.UUID,
    phone_numbers: Sequence[str],
    *,
    webhook_url: str | None = None,
) -> uuid.UUID:
    """Create an enterprise with both gates approved and these numbers registered."""
    services = build_services(settings)
    now = utcnow()
    try:
        with services.db.unit_of_work() as session:
            agree(
                session,
                account_id=account_id,
                product_type=ProductType.NUMBER_REPUTATION,
            )
            enterprise = enterprises.create(
                session,
                account_id=account_id,
                body=EnterpriseCreate.model_validate(enterprise_body()),
            )
            enterprise.number_reputation_enabled = True
            session.add(
                ReputationSettings(
                    account_id=account_id,
                    enterprise_id=enterprise.id,
                    status=SettingsStatus.APPROVED,
                    loa_document_id=str(uuid.uuid4()),
                    loa_status=LoaStatus.APPROVED,
                    webhook_url=webhook_url,
                )
            )
            if phone_numbers:
                session.execute(
                    sa.insert(ReputationNumber),
                    [
                        {
                            "id": uuid.uuid4(),
                            "account_id": account_id,
                            "enterprise_id": enterprise.id,
                            "phone_number": number,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for number in phone_numbers
                    ],
                )
            enterprise_id = enterprise.id
    finally:
        services.db.dispose()
    return enterprise_id


def us_numbers(count: int, *, area_code: str = "512", start: int = 0) -> list[str]:
    """Distinct valid US numbers: +1 NPA 55X XXXX."""
    return [
        f"+1{area_code}55{(start + i) // 10000:01d}{(start + i) % 10000:04d}"
        for i in range(count)
    ]
