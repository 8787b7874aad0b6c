"""Server time of a 2,000-number remediation submit against a plain-SQL floor.

The floor endpoint parses and validates the same body with the same pydantic
model and inserts the same request row and 2,000 number rows with plain SQL in
one transaction: no gates, no registration, in-flight or cooldown checks, no
enqueue. Both run in one process through the ASGI test client, so the numbers
are server time without a socket. The goal is a ratio of at most 2 on SQLite and
on PostgreSQL (set NUMREP_TEST_POSTGRES_URL to include PostgreSQL).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import Body, FastAPI
from fastapi.testclient import TestClient

from bench import report
from bench.remediation_setup import (
    SECRET,
    fresh_database,
    tenant_with_numbers,
    us_numbers,
)
from numrep.app import create_app
from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.remediation.schemas import RemediationCreate
from numrep.settings import Settings

ROUNDS = 15
BATCH = 2000
HEADING = "## Remediation submit of 2,000 numbers"
PURPOSE = "Appointment reminders for our dental clinic."


def _add_floor(app: FastAPI, database: Database) -> None:
    @app.post("/bench/floor/{enterprise_id}")
    def floor(enterprise_id: uuid.UUID, raw: Any = Body()) -> dict[str, str]:
        body = RemediationCreate.model_validate(raw)
        request_id = uuid.uuid4()
        now = utcnow()
        with database.unit_of_work() as session:
            session.execute(
                sa.text(
                    "INSERT INTO remediation_requests (id, account_id, enterprise_id, "
                    "status, call_purpose, contact_email, webhook_url, "
                    "phone_numbers_count, phone_numbers_submitted, "
                    "phone_numbers_ineligible, created_at, updated_at) SELECT :id, "
                    "account_id, id, 'pending', :purpose, NULL, NULL, :count, :count, "
                    "0, :now, :now FROM enterprises WHERE id = :enterprise"
                ),
                {
                    "id": _uuid(database, request_id),
                    "purpose": body.call_purpose,
                    "count": len(body.phone_numbers),
                    "now": now,
                    "enterprise": _uuid(database, enterprise_id),
                },
            )
            session.execute(
                sa.text(
                    "INSERT INTO remediation_numbers (request_id, enterprise_id, "
                    "phone_number, position, state, inflight_phone, "
                    "flagged_networks) VALUES (:request, :enterprise, :number, "
                    ":position, 'queued', :number, 0)"
                ),
                [
                    {
                        "request": _uuid(database, request_id),
                        "enterprise": _uuid(database, enterprise_id),
                        "number": number,
                        "position": position,
                    }
                    for position, number in enumerate(body.phone_numbers)
                ],
            )
        return {"id": str(request_id)}


def _uuid(database: Database, value: uuid.UUID) -> Any:
    # SQLAlchemy stores Uuid as 32 hex digits on SQLite and as uuid on PostgreSQL.
    return value.hex if database.is_sqlite else value


HISTORY_ROUNDS = 3


def _seed_history(
    database: Database, enterprise_id: uuid.UUID, numbers: list[str]
) -> None:
    """Give every number past requests decided before the cooldown window.

    A deployment's numbers have been remediated before; the submit's history
    check must stay cheap however long that history is.
    """
    decided = utcnow() - timedelta(days=400)
    with database.unit_of_work() as session:
        for _ in range(HISTORY_ROUNDS):
            request_id = uuid.uuid4()
            session.execute(
                sa.text(
                    "INSERT INTO remediation_requests (id, account_id, "
                    "enterprise_id, status, call_purpose, phone_numbers_count, "
                    "phone_numbers_submitted, phone_numbers_ineligible, created_at, "
                    "updated_at, finished_at) SELECT :id, account_id, id, "
                    "'completed', :purpose, :count, :count, 0, :at, :at, :at "
                    "FROM enterprises WHERE id = :enterprise"
                ),
                {
                    "id": _uuid(database, request_id),
                    "purpose": PURPOSE,
                    "count": len(numbers),
                    "at": decided,
                    "enterprise": _uuid(database, enterprise_id),
                },
            )
            session.execute(
                sa.text(
                    "INSERT INTO remediation_numbers (request_id, enterprise_id, "
                    "phone_number, position, state, flagged_networks, decided_at) "
                    "VALUES (:request, :enterprise, :number, :position, 'cleared', "
                    "1, :at)"
                ),
                [
                    {
                        "request": _uuid(database, request_id),
                        "enterprise": _uuid(database, enterprise_id),
                        "number": number,
                        "position": position,
                        "at": decided,
                    }
                    for position, number in enumerate(numbers)
                ],
            )


def _reset(database: Database, created: str) -> None:
    """Delete the request a timed POST created, so each round starts alike."""
    request_id = _uuid(database, uuid.UUID(created))
    with database.unit_of_work() as session:
        session.execute(
            sa.text("DELETE FROM remediation_numbers WHERE request_id = :id"),
            {"id": request_id},
        )
        session.execute(
            sa.text("DELETE FROM remediation_requests WHERE id = :id"),
            {"id": request_id},
        )


def _time_post(
    client: TestClient, database: Database, path: str, body: dict[str, Any]
) -> float:
    started = time.perf_counter()
    response = client.post(path, json=body)
    elapsed = time.perf_counter() - started
    if response.status_code not in (200, 202):
        raise RuntimeError(f"{path} returned {response.status_code}: {response.text}")
    created = response.json()
    _reset(database, created.get("data", created)["id"])
    return elapsed


def _time_rounds(
    client: TestClient, database: Database, paths: tuple[str, str], body: dict[str, Any]
) -> tuple[float, float]:
    """Median times of the two paths, alternating so load drifts hit both alike."""
    first: list[float] = []
    second: list[float] = []
    for _ in range(ROUNDS):
        first.append(_time_post(client, database, paths[0], body))
        second.append(_time_post(client, database, paths[1], body))
    return statistics.median(first), statistics.median(second)


def run_backend(name: str, url: str, data_dir: Path) -> tuple[float, float]:
    database = fresh_database(url)
    numbers = us_numbers(BATCH)
    tenant = tenant_with_numbers(database, numbers)
    _seed_history(database, tenant.enterprise_id, numbers)
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key=SECRET,
        run_worker=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    _add_floor(app, database)
    body = {"phone_numbers": numbers, "call_purpose": PURPOSE}
    headers = {"Authorization": f"Bearer {tenant.api_key}"}
    submit_path = f"/v2/enterprises/{tenant.enterprise_id}/reputation/remediation"
    paths = (submit_path, f"/bench/floor/{tenant.enterprise_id}")
    with TestClient(app, headers=headers) as client:
        _time_rounds(client, database, paths, body)
        submit, floor = _time_rounds(client, database, paths, body)
    database.dispose()
    print(
        f"{name}: submit {submit * 1000:.1f} ms, floor {floor * 1000:.1f} ms, "
        f"ratio {submit / floor:.2f} (goal <= 2)"
    )
    return submit, floor


def _postgres_database(admin_url: str) -> str:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"numrep_bench_{uuid.uuid4().hex[:8]}"
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return sa.make_url(admin_url).set(database=name).render_as_string(False)


def _drop_postgres(url: str) -> None:
    parsed = sa.make_url(url)
    admin = parsed.set(database="postgres").render_as_string(False)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(
            f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'
        )
    engine.dispose()


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="numrep-bench-") as folder:
        submit, floor = run_backend(
            "sqlite", f"sqlite:///{folder}/bench.db", Path(folder) / "data"
        )
        rows.append(("SQLite", submit, floor))
        admin_url = os.environ.get("NUMREP_TEST_POSTGRES_URL")
        if admin_url:
            url = _postgres_database(admin_url)
            try:
                submit, floor = run_backend("postgres", url, Path(folder) / "pg")
            finally:
                _drop_postgres(url)
            rows.append(("PostgreSQL", submit, floor))
        else:
            print("postgres: skipped, NUMREP_TEST_POSTGRES_URL is not set")

    lines = [
        "- command: `make bench` (`python -m bench.bench_remediation_submit`)",
        f"- machine: {report.machine()}",
        f"- workload: median of {ROUNDS} POSTs of {BATCH} registered numbers, "
        "alternating with a floor endpoint that inserts the same rows with plain "
        "SQL. Both run in process through the ASGI test client. Each number has "
        f"{HISTORY_ROUNDS} past requests decided before the cooldown window; each "
        "round's request is deleted after it.",
        "",
        "| database | submit ms | floor ms | ratio (goal <= 2) |",
        "|---|---|---|---|",
    ]
    for name, submit, floor in rows:
        lines.append(
            f"| {name} | {submit * 1000:.1f} | {floor * 1000:.1f} | "
            f"{submit / floor:.2f} |"
        )
    report.append(HEADING, lines, source="bench/bench_remediation_submit.py")


if __name__ == "__main__":
    main()
