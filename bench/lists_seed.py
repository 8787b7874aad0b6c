"""Bulk rows for the list benchmark, written by INSERT ... SELECT generate_series.

Account 0 is the large tenant: it owns ``BIG_ENTERPRISES`` enterprises with a
fifth of the numbers and of the requests. The other accounts own two or three
enterprises each and share the rest evenly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from numrep.account.models import Account
from numrep.core.clock import utcnow
from numrep.enterprise.models import Enterprise
from numrep.remediation.models import RemediationNumber, RemediationRequest, ReviewCase
from numrep.reputation.models import ReputationNumber

ACCOUNTS = 1_000
BIG_ENTERPRISES = 10
# Account 0 owns 1 / BIG_SHARE of the numbers and of the requests.
BIG_SHARE = 5
NUMBERS_PER_REQUEST = 3


@dataclass(frozen=True)
class Size:
    numbers: int
    requests: int


def seed_postgresql(connection: sa.Connection, size: Size) -> None:
    """Fill an empty, migrated PostgreSQL database; the caller runs VACUUM ANALYZE."""
    connection.exec_driver_sql(_ACCOUNTS_SQL, {"accounts": ACCOUNTS})
    connection.exec_driver_sql(
        _ENTERPRISES_SQL, {"accounts": ACCOUNTS, "big": BIG_ENTERPRISES}
    )
    connection.exec_driver_sql(_SCOPES_SQL)
    connection.exec_driver_sql(
        _NUMBERS_SQL, {"count": size.numbers, "big": BIG_ENTERPRISES, **_shares()}
    )
    connection.exec_driver_sql(
        _REQUESTS_SQL, {"count": size.requests, "big": BIG_ENTERPRISES, **_shares()}
    )
    connection.exec_driver_sql(_REMEDIATION_NUMBERS_SQL, {"per": NUMBERS_PER_REQUEST})
    connection.exec_driver_sql(_REVIEW_CASES_SQL)


def _shares() -> dict[str, int]:
    return {"share": BIG_SHARE}


_ACCOUNTS_SQL = """
INSERT INTO accounts (id, name, created_at, updated_at)
SELECT gen_random_uuid(), 'bench ' || i, now(), now()
FROM generate_series(0, %(accounts)s - 1) AS i
"""

# Enterprise k of account a gets fein_digits a*100+k, unique per account.
_ENTERPRISES_SQL = """
INSERT INTO enterprises (
    id, account_id, legal_name, doing_business_as, organization_type,
    organization_legal_type, country_code, jurisdiction_of_incorporation,
    website, fein, fein_digits, industry, number_of_employees,
    organization_contact, billing_contact, organization_physical_address,
    billing_address, role_type, number_reputation_enabled, created_at, updated_at
)
SELECT gen_random_uuid(), a.id, 'Bench ' || a.name || ' ' || k, 'Bench',
       'commercial', 'llc', 'US', 'Illinois', 'https://bench.example.com',
       '12-' || lpad((a.ordinal * 100 + k)::text, 7, '0'),
       lpad((a.ordinal * 100 + k)::text, 9, '0'), 'healthcare', '11-50',
       '{}', '{}', '{}', '{}', 'enterprise', true,
       now() - k * interval '1 day', now()
FROM (
    SELECT id, name, row_number() OVER (ORDER BY name) - 1 AS ordinal
    FROM accounts
) AS a
CROSS JOIN LATERAL generate_series(
    0, CASE WHEN a.name = 'bench 0' THEN %(big)s - 1 ELSE 1 + a.ordinal %% 2 END
) AS k
"""

# Scope 0 .. big-1 are account 0's enterprises; the others follow in any order.
_SCOPES_SQL = """
CREATE TEMPORARY TABLE bench_scopes AS
SELECT row_number() OVER (ORDER BY (a.name = 'bench 0') DESC, e.id) - 1 AS ordinal,
       e.id AS enterprise_id, e.account_id
FROM enterprises AS e JOIN accounts AS a ON a.id = e.account_id
"""

# Row i belongs to account 0 when i % share = 0, spread over its enterprises;
# other rows go round the remaining enterprises. A multiplicative hash of i
# (Knuth's 2654435761) picks the attributes, so every scope gets the same mix:
# 5 % removed, 2 % flagged, 3 % pending confirmation and 10 % external.
# Creation times go back one minute per row.
_NUMBERS_SQL = """
INSERT INTO reputation_numbers (
    id, account_id, enterprise_id, phone_number, source, ownership_status,
    removed_at, removal_reason, created_at, updated_at
)
SELECT gen_random_uuid(), s.account_id, s.enterprise_id,
       '+1' || (2002000000 + i * 7)::text,
       CASE WHEN h.value / 1000 %% 10 = 3 THEN 'external' ELSE 'telnyx' END,
       CASE WHEN h.value %% 1000 < 50 THEN 'removed'
            WHEN h.value %% 1000 < 70 THEN 'flagged'
            WHEN h.value %% 1000 < 100 THEN 'pending_confirmation'
            ELSE 'verified' END,
       CASE WHEN h.value %% 1000 < 50 THEN now() - i * interval '1 minute' END,
       CASE WHEN h.value %% 1000 < 50 THEN 'customer_removed' END,
       now() - i * interval '1 minute', now() - i * interval '1 minute'
FROM generate_series(0, %(count)s - 1) AS i
CROSS JOIN LATERAL (SELECT (i::bigint * 2654435761) %% 4294967296 AS value) AS h
JOIN bench_scopes AS s ON s.ordinal = CASE
    WHEN i %% %(share)s = 0 THEN (i / %(share)s) %% %(big)s
    ELSE %(big)s + i %% ((SELECT count(*) FROM bench_scopes) - %(big)s)
END
"""

_REQUESTS_SQL = """
INSERT INTO remediation_requests (
    id, account_id, enterprise_id, status, call_purpose, phone_numbers_count,
    phone_numbers_submitted, phone_numbers_ineligible, finished_at,
    created_at, updated_at
)
SELECT gen_random_uuid(), s.account_id, s.enterprise_id,
       (ARRAY['completed', 'completed', 'completed', 'completed', 'completed',
              'completed', 'completed', 'failed', 'cancelled', 'pending',
              'in_progress'])[1 + i %% 11],
       'Appointment reminders', 3, 3, 0, NULL,
       now() - i * interval '5 minutes', now() - i * interval '5 minutes'
FROM generate_series(0, %(count)s - 1) AS i
JOIN bench_scopes AS s ON s.ordinal = CASE
    WHEN i %% %(share)s = 0 THEN (i / %(share)s) %% %(big)s
    ELSE %(big)s + i %% ((SELECT count(*) FROM bench_scopes) - %(big)s)
END
"""

_REMEDIATION_NUMBERS_SQL = """
INSERT INTO remediation_numbers (
    request_id, enterprise_id, phone_number, position, state, flagged_networks
)
SELECT r.id, r.enterprise_id,
       '+1' || (4002000000 + r.ordinal * 10 + p)::text, p, 'remediated', 1
FROM (
    SELECT id, enterprise_id, row_number() OVER (ORDER BY id) AS ordinal
    FROM remediation_requests
) AS r
CROSS JOIN generate_series(0, %(per)s - 1) AS p
"""

# One tier-2 case per number in one network of three; the even ones are manual.
_REVIEW_CASES_SQL = """
INSERT INTO review_cases (
    id, request_id, number_id, enterprise_id, phone_number, network, tier,
    manual, state, idempotency_key, deadline_at, attempts, created_at, updated_at
)
SELECT gen_random_uuid(), n.request_id, n.id, n.enterprise_id, n.phone_number,
       (ARRAY['att', 'tmobile', 'verizon'])[1 + n.id %% 3], 2, n.id %% 2 = 0,
       CASE WHEN n.id %% 5 = 0 THEN 'open' ELSE 'cleared' END,
       'bench-' || n.id, now() + n.id * interval '1 minute', 0, now(), now()
FROM remediation_numbers AS n
"""


def seed_sqlite(connection: sa.Connection, size: Size) -> None:
    """Fill an empty, migrated SQLite database with the same mix, row by row.

    SQLite has no generate_series or UUID function, so the rows are built in
    Python and inserted through SQLAlchemy Core in batches.
    """
    scopes = _sqlite_scopes(connection)
    big = scopes[:BIG_ENTERPRISES]
    rest = scopes[BIG_ENTERPRISES:]
    now = utcnow()
    for start in range(0, size.numbers, _BATCH):
        rows = [
            _number_row(index, _scope(index, big, rest), now)
            for index in range(start, min(size.numbers, start + _BATCH))
        ]
        connection.execute(sa.insert(ReputationNumber), rows)
    requests, numbers, cases = [], [], []
    for index in range(size.requests):
        account_id, enterprise_id = _scope(index, big, rest)
        request_id = uuid.uuid4()
        created = now - timedelta(minutes=5 * index)
        requests.append(
            {
                "id": request_id,
                "account_id": account_id,
                "enterprise_id": enterprise_id,
                "status": _STATUSES[index % len(_STATUSES)],
                "call_purpose": "Appointment reminders",
                "phone_numbers_count": NUMBERS_PER_REQUEST,
                "phone_numbers_submitted": NUMBERS_PER_REQUEST,
                "created_at": created,
                "updated_at": created,
            }
        )
        for position in range(NUMBERS_PER_REQUEST):
            number_id = index * NUMBERS_PER_REQUEST + position + 1
            numbers.append(
                {
                    "id": number_id,
                    "request_id": request_id,
                    "enterprise_id": enterprise_id,
                    "phone_number": f"+1{4002000000 + number_id}",
                    "position": position,
                    "state": "remediated",
                }
            )
            cases.append(_case_row(numbers[-1], now))
    connection.execute(sa.insert(RemediationRequest), requests)
    connection.execute(sa.insert(RemediationNumber), numbers)
    connection.execute(sa.insert(ReviewCase), cases)


_BATCH = 10_000
_STATUSES = [
    *["completed"] * 7,
    "failed",
    "cancelled",
    "pending",
    "in_progress",
]

Scope = tuple[uuid.UUID, uuid.UUID]


def _sqlite_scopes(connection: sa.Connection) -> list[Scope]:
    """Create the accounts and enterprises; account 0's enterprises come first."""
    scopes: list[Scope] = []
    for ordinal in range(ACCOUNTS):
        account_id = uuid.uuid4()
        connection.execute(
            sa.insert(Account), {"id": account_id, "name": f"bench {ordinal}"}
        )
        count = BIG_ENTERPRISES if ordinal == 0 else 2 + ordinal % 2
        for index in range(count):
            enterprise_id = uuid.uuid4()
            connection.execute(
                sa.insert(Enterprise),
                _enterprise_row(enterprise_id, account_id, ordinal * 100 + index),
            )
            scopes.append((account_id, enterprise_id))
    return scopes


def _scope(index: int, big: list[Scope], rest: list[Scope]) -> Scope:
    if index % BIG_SHARE == 0:
        return big[(index // BIG_SHARE) % len(big)]
    return rest[index % len(rest)]


def _enterprise_row(
    enterprise_id: uuid.UUID, account_id: uuid.UUID, code: int
) -> dict[str, Any]:
    return {
        "id": enterprise_id,
        "account_id": account_id,
        "legal_name": f"Bench {code}",
        "doing_business_as": "Bench",
        "organization_type": "commercial",
        "organization_legal_type": "llc",
        "country_code": "US",
        "jurisdiction_of_incorporation": "Illinois",
        "website": "https://bench.example.com",
        "fein": f"12-{code:07d}",
        "fein_digits": f"{code:09d}",
        "industry": "healthcare",
        "number_of_employees": "11-50",
        "organization_contact": {},
        "billing_contact": {},
        "organization_physical_address": {},
        "billing_address": {},
        "number_reputation_enabled": True,
    }


def _number_row(index: int, scope: Scope, now: datetime) -> dict[str, Any]:
    """Build number ``index`` with the same hash-picked mix as the SQL seed."""
    value = (index * 2654435761) % 4294967296
    bucket = value % 1000
    created = now - timedelta(minutes=index)
    removed = bucket < 50
    if removed:
        status = "removed"
    elif bucket < 70:
        status = "flagged"
    elif bucket < 100:
        status = "pending_confirmation"
    else:
        status = "verified"
    return {
        "id": uuid.uuid4(),
        "account_id": scope[0],
        "enterprise_id": scope[1],
        "phone_number": f"+1{2002000000 + index * 7}",
        "source": "external" if value // 1000 % 10 == 3 else "telnyx",
        "ownership_status": status,
        "removed_at": created if removed else None,
        "removal_reason": "customer_removed" if removed else None,
        "created_at": created,
        "updated_at": created,
    }


def _case_row(number: dict[str, Any], now: datetime) -> dict[str, Any]:
    number_id = number["id"]
    return {
        "id": uuid.uuid4(),
        "request_id": number["request_id"],
        "number_id": number_id,
        "enterprise_id": number["enterprise_id"],
        "phone_number": number["phone_number"],
        "network": ("att", "tmobile", "verizon")[number_id % 3],
        "tier": 2,
        "manual": number_id % 2 == 0,
        "state": "open" if number_id % 5 == 0 else "cleared",
        "idempotency_key": f"bench-{number_id}",
        "deadline_at": now + timedelta(minutes=number_id),
        "created_at": now,
        "updated_at": now,
    }
