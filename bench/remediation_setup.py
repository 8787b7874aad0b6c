"""Databases, accounts and approved enterprises for the remediation benchmarks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from numrep.account import service as accounts
from numrep.account.models import KeyRole
from numrep.core import migrate
from numrep.core.clock import utcnow
from numrep.core.db import Database, create_db_engine
from numrep.enterprise.models import Enterprise
from numrep.reputation.models import (
    LoaStatus,
    ReputationNumber,
    ReputationSettings,
    SettingsStatus,
)
from numrep.tos.service import ProductType, agree

SECRET = "bench-secret"


@dataclass(frozen=True)
class Tenant:
    account_id: uuid.UUID
    api_key: str
    enterprise_id: uuid.UUID


def fresh_database(url: str) -> Database:
    migrate.upgrade(url)
    return Database(create_db_engine(url))


def us_numbers(count: int, *, start: int = 0) -> list[str]:
    """Distinct valid US numbers in the 312 area code."""
    return [f"+1312{5_550_000 + start + index:07d}" for index in range(count)]


def tenant_with_numbers(database: Database, numbers: list[str]) -> Tenant:
    """Create an account with an approved enterprise and these numbers registered."""
    now = utcnow()
    with database.unit_of_work() as session:
        account = accounts.create_account(session, name="bench")
        issued = accounts.issue_key(
            session, SECRET, account_id=account.id, role=KeyRole.OPERATOR
        )
        agree(
            session, account_id=account.id, product_type=ProductType.NUMBER_REPUTATION
        )
        address = {
            "street_address": "1 Main St",
            "city": "Chicago",
            "administrative_area": "IL",
            "postal_code": "60601",
            "country": "US",
        }
        contact = {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.com",
            "phone_number": "+13125550100",
        }
        enterprise = Enterprise(
            account_id=account.id,
            legal_name="Bench Clinic LLC",
            doing_business_as="Bench Clinic",
            organization_type="commercial",
            organization_legal_type="llc",
            country_code="US",
            jurisdiction_of_incorporation="Illinois",
            website="https://bench.example.com",
            fein="12-3456789",
            fein_digits="123456789",
            industry="healthcare",
            number_of_employees="11-50",
            organization_contact={**contact, "job_title": "Owner"},
            billing_contact=contact,
            organization_physical_address=address,
            billing_address=address,
            number_reputation_enabled=True,
        )
        session.add(enterprise)
        session.flush()
        session.add(
            ReputationSettings(
                account_id=account.id,
                enterprise_id=enterprise.id,
                status=SettingsStatus.APPROVED,
                loa_document_id=str(uuid.uuid4()),
                loa_status=LoaStatus.APPROVED,
            )
        )
        session.execute(
            sa.insert(ReputationNumber),
            [
                {
                    "id": uuid.uuid4(),
                    "account_id": account.id,
                    "enterprise_id": enterprise.id,
                    "phone_number": number,
                    "created_at": now,
                    "updated_at": now,
                }
                for number in numbers
            ],
        )
        return Tenant(account.id, issued.secret, enterprise.id)
