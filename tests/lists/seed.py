"""A few thousand rows in every listed table, spread over accounts and enterprises.

The planners need real statistics to choose between indexes, so the rows vary
in scope, status, source and time the way production rows do.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.account import service as accounts
from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.enterprise.models import Enterprise
from numrep.remediation.models import (
    RemediationNumber,
    RemediationRequest,
    RequestStatus,
    ReviewCase,
)
from numrep.reputation.models import NumberSource, OwnershipStatus, ReputationNumber

NUMBERS = 4000
REQUESTS = 1500
NUMBERS_PER_REQUEST = 3
VACUUM_ATTEMPTS = 10
VACUUMED_TABLES = (
    "reputation_numbers",
    "remediation_requests",
    "remediation_numbers",
    "review_cases",
)
STATUSES = list(RequestStatus)
OWNERSHIP = [
    OwnershipStatus.VERIFIED,
    OwnershipStatus.VERIFIED,
    OwnershipStatus.VERIFIED,
    OwnershipStatus.FLAGGED,
    OwnershipStatus.PENDING_CONFIRMATION,
]


@dataclass(frozen=True, slots=True)
class Seeded:
    account_id: uuid.UUID
    enterprise_id: uuid.UUID
    request_id: uuid.UUID


def seed(database: Database) -> Seeded:
    """Insert the rows and refresh the planner statistics."""
    with database.unit_of_work() as session:
        enterprises = _enterprises(session)
        account_id, enterprise_id = enterprises[0]
        _numbers(session, enterprises)
        request_id = _requests(session, enterprises)
    autocommit = database.engine.execution_options(isolation_level="AUTOCOMMIT")
    with autocommit.connect() as connection:
        if database.engine.dialect.name == "postgresql":
            _vacuum(connection)
        else:
            connection.exec_driver_sql("ANALYZE")
    return Seeded(account_id, enterprise_id, request_id)


def _vacuum(connection: sa.Connection) -> None:
    """Run VACUUM ANALYZE until it has marked every page of the tables visible.

    The planner prices an index-only count by the share of visible pages, as
    autovacuum leaves them on a server. A transaction still open elsewhere on
    the server keeps VACUUM from marking the new rows, so it runs again, at
    most ``VACUUM_ATTEMPTS`` times.
    """
    for _ in range(VACUUM_ATTEMPTS):
        connection.exec_driver_sql("VACUUM ANALYZE")
        hidden = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_class WHERE relname = ANY(%(tables)s) "
            "AND relallvisible < relpages",
            {"tables": list(VACUUMED_TABLES)},
        ).scalar_one()
        if hidden == 0:
            return
        time.sleep(0.5)


def _enterprises(session: Session) -> list[tuple[uuid.UUID, uuid.UUID]]:
    pairs = []
    for account_index in range(4):
        account = accounts.create_account(session, name=f"plans-{account_index}")
        for index in range(3):
            enterprise = Enterprise(**_enterprise_fields(account.id, index))
            session.add(enterprise)
            session.flush()
            pairs.append((account.id, enterprise.id))
    return pairs


def _enterprise_fields(account_id: uuid.UUID, index: int) -> dict[str, Any]:
    address = {
        "street_address": "1 Main St",
        "city": "Chicago",
        "administrative_area": "IL",
        "postal_code": "60601",
        "country": "US",
    }
    contact = {
        "first_name": "Ada",
        "last_name": "Lee",
        "email": "ada@example.com",
        "phone_number": "+13125550100",
    }
    return {
        "account_id": account_id,
        "legal_name": f"Plans Clinic {index} LLC",
        "doing_business_as": f"Plans Clinic {index}",
        "organization_type": "commercial",
        "organization_legal_type": "llc",
        "country_code": "US",
        "jurisdiction_of_incorporation": "Illinois",
        "website": "https://plans.example.com",
        "fein": f"12-345678{index}",
        "fein_digits": f"12345678{index}",
        "industry": "healthcare",
        "number_of_employees": "11-50",
        "organization_contact": {**contact, "job_title": "Owner"},
        "billing_contact": contact,
        "organization_physical_address": address,
        "billing_address": address,
        "number_reputation_enabled": True,
    }


def _numbers(session: Session, enterprises: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    now = utcnow()
    rows = []
    for index in range(NUMBERS):
        account_id, enterprise_id = enterprises[index % len(enterprises)]
        removed = index % 10 == 0
        created = now - timedelta(minutes=index)
        rows.append(
            {
                "id": uuid.uuid4(),
                "account_id": account_id,
                "enterprise_id": enterprise_id,
                "phone_number": f"+1312{2_000_000 + index * 7:07d}",
                "source": NumberSource.EXTERNAL if index % 7 == 0 else "telnyx",
                "ownership_status": (
                    OwnershipStatus.REMOVED
                    if removed
                    else OWNERSHIP[index % len(OWNERSHIP)]
                ),
                "removed_at": created if removed else None,
                "created_at": created,
                "updated_at": created,
            }
        )
    session.execute(sa.insert(ReputationNumber), rows)


def _requests(
    session: Session, enterprises: list[tuple[uuid.UUID, uuid.UUID]]
) -> uuid.UUID:
    now = utcnow()
    requests: list[dict[str, Any]] = []
    numbers: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    for index in range(REQUESTS):
        account_id, enterprise_id = enterprises[index % len(enterprises)]
        request_id = uuid.uuid4()
        created = now - timedelta(hours=index)
        requests.append(
            {
                "id": request_id,
                "account_id": account_id,
                "enterprise_id": enterprise_id,
                "status": STATUSES[index % len(STATUSES)],
                "call_purpose": "Appointment reminders",
                "phone_numbers_count": NUMBERS_PER_REQUEST,
                "phone_numbers_submitted": NUMBERS_PER_REQUEST,
                "created_at": created,
                "updated_at": created,
            }
        )
        for position in range(NUMBERS_PER_REQUEST):
            number_id = index * NUMBERS_PER_REQUEST + position + 1
            phone = f"+1773{3_000_000 + number_id:07d}"
            numbers.append(
                {
                    "id": number_id,
                    "request_id": request_id,
                    "enterprise_id": enterprise_id,
                    "phone_number": phone,
                    "position": position,
                    "state": "queued",
                }
            )
            cases.append(_case(request_id, number_id, enterprise_id, phone, created))
    session.execute(sa.insert(RemediationRequest), requests)
    session.execute(sa.insert(RemediationNumber), numbers)
    session.execute(sa.insert(ReviewCase), cases)
    first: uuid.UUID = requests[0]["id"]
    return first


def _case(
    request_id: uuid.UUID,
    number_id: int,
    enterprise_id: uuid.UUID,
    phone: str,
    created: Any,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "request_id": request_id,
        "number_id": number_id,
        "enterprise_id": enterprise_id,
        "phone_number": phone,
        "network": ("att", "tmobile", "verizon")[number_id % 3],
        "tier": 2,
        "manual": number_id % 2 == 0,
        "state": "open" if number_id % 4 else "cleared",
        "idempotency_key": f"plans-{number_id}",
        "deadline_at": created + timedelta(days=3),
        "created_at": created,
        "updated_at": created,
    }
