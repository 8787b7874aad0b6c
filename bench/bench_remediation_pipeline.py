"""100,000 numbers (50 requests of 2,000) through the whole pipeline.

A live ``numrep serve`` with its in-process worker on SQLite and the three
sandbox networks at zero latency and a tiny time scale carries every request to
``completed``. Reported: numbers per second, the server's peak resident memory,
and the ratio to a floor script that performs the same row writes (requests,
numbers, review cases, their updates) with plain SQL in the same database kind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench import report
from bench.remediation_setup import (
    SECRET,
    fresh_database,
    tenant_with_numbers,
    us_numbers,
)
from numrep.remediation.models import RequestStatus, ReviewCase

HEADING = "## Remediation pipeline throughput"
REQUESTS = 50
NETWORKS = ("hiya", "first_orion", "tns")
BATCH = 2000


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_pipeline(folder: Path) -> tuple[float, float, int]:
    url = f"sqlite:///{folder}/pipeline.db"
    database = fresh_database(url)
    numbers = us_numbers(REQUESTS * BATCH)
    tenant = tenant_with_numbers(database, numbers)
    database.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "NUMREP_DATA_DIR": str(folder / "data"),
        "NUMREP_DATABASE_URL": url,
        "NUMREP_SECRET_KEY": SECRET,
        "NUMREP_PORT": str(port),
        "NUMREP_SANDBOX_TIME_SCALE": "0.000001",
        "NUMREP_REMEDIATION_POLL_SECONDS": "0.05",
        "NUMREP_TIER2_DEADLINE_HOURS": "0.0001",
        "NUMREP_LOG_LEVEL": "WARNING",
    }
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "numrep.cli.main", "serve", "--no-migrate"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, log_path)
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        path = f"{base}/v2/enterprises/{tenant.enterprise_id}/reputation/remediation"
        started = time.perf_counter()
        with httpx.Client(headers=headers, timeout=120) as http:
            ids = []
            for index in range(REQUESTS):
                batch = numbers[index * BATCH : (index + 1) * BATCH]
                response = http.post(
                    path, json={"phone_numbers": batch, "call_purpose": "bench"}
                )
                response.raise_for_status()
                ids.append(response.json()["data"]["id"])
            _wait_completed(http, path, ids)
        elapsed = time.perf_counter() - started
        peak = _peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        cases = int(
            connection.scalar(sa.select(sa.func.count()).select_from(ReviewCase)) or 0
        )
    engine.dispose()
    return elapsed, peak, cases


def _wait_healthy(base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(
        "numrep serve did not start:\n" + log_path.read_text(errors="replace")[-3000:]
    )


def _wait_completed(http: httpx.Client, path: str, ids: list[str]) -> None:
    pending = set(ids)
    deadline = time.monotonic() + 1800
    while pending and time.monotonic() < deadline:
        for request_id in list(pending):
            status = http.get(f"{path}/{request_id}").json()["data"]["status"]
            if status == RequestStatus.COMPLETED:
                pending.discard(request_id)
            elif status in (RequestStatus.FAILED, RequestStatus.CANCELLED):
                raise RuntimeError(f"request {request_id} ended {status}")
        time.sleep(0.5)
    if pending:
        raise TimeoutError(f"{len(pending)} requests did not complete")


def run_floor(folder: Path, cases: int) -> float:
    """Perform the pipeline's row writes with plain SQL and no logic."""
    url = f"sqlite:///{folder}/floor.db"
    database = fresh_database(url)
    numbers = us_numbers(REQUESTS * BATCH)
    tenant = tenant_with_numbers(database, numbers)
    enterprise = tenant.enterprise_id.hex
    account = tenant.account_id.hex
    cases_per_request = cases // REQUESTS
    started = time.perf_counter()
    for index in range(REQUESTS):
        request_id = uuid.uuid4().hex
        batch = numbers[index * BATCH : (index + 1) * BATCH]
        with database.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO remediation_requests (id, account_id, enterprise_id, "
                "status, call_purpose, phone_numbers_count, phone_numbers_submitted, "
                "phone_numbers_ineligible, created_at, updated_at) VALUES "
                "(?, ?, ?, 'pending', 'bench', ?, ?, 0, datetime('now'), "
                "datetime('now'))",
                (request_id, account, enterprise, BATCH, BATCH),
            )
            connection.exec_driver_sql(
                "INSERT INTO remediation_numbers (request_id, enterprise_id, "
                "phone_number, position, state, inflight_phone, flagged_networks) "
                "VALUES (?, ?, ?, ?, 'queued', ?, 0)",
                [
                    (request_id, enterprise, number, position, number)
                    for position, number in enumerate(batch)
                ],
            )
        _floor_stage_writes(database, request_id, cases_per_request)
    return time.perf_counter() - started


def _floor_stage_writes(database: object, request_id: str, cases: int) -> None:
    engine = database.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        ids = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT id FROM remediation_numbers WHERE request_id = ?", (request_id,)
            )
        ]
        connection.exec_driver_sql(
            "UPDATE remediation_numbers SET state = 'in_review', flagged_networks = 1 "
            "WHERE id = ?",
            [(number_id,) for number_id in ids],
        )
        connection.exec_driver_sql(
            "INSERT INTO review_cases (id, request_id, number_id, enterprise_id, "
            "phone_number, network, tier, manual, state, idempotency_key, attempts, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, '+1', ?, ?, 0, 'open', "
            "?, 0, datetime('now'), datetime('now'))",
            [
                (
                    uuid.uuid4().hex,
                    request_id,
                    ids[i % len(ids)],
                    request_id,
                    NETWORKS[(i // len(ids)) % len(NETWORKS)],
                    1 + i // (len(ids) * len(NETWORKS)),
                    f"{request_id}:{i}",
                )
                for i in range(cases)
            ],
        )
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE review_cases SET state = 'cleared', review_id = id, "
            "submitted_at = datetime('now'), decided_at = datetime('now') "
            "WHERE request_id = ?",
            (request_id,),
        )
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE remediation_numbers SET state = 'remediated', "
            "inflight_phone = NULL, decided_at = datetime('now') WHERE id = ?",
            [(number_id,) for number_id in ids],
        )
        connection.exec_driver_sql(
            "UPDATE remediation_requests SET status = 'completed', "
            "tier1_completed_at = datetime('now'), tier2_completed_at = "
            "datetime('now') WHERE id = ?",
            (request_id,),
        )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="numrep-bench-") as folder:
        elapsed, peak, cases = run_pipeline(Path(folder))
        floor = run_floor(Path(folder), cases)
    total = REQUESTS * BATCH
    print(
        f"pipeline: {total} numbers in {elapsed:.1f} s ({total / elapsed:,.0f}/s), "
        f"peak RSS {peak:.0f} MiB, {cases} review cases; floor {floor:.1f} s "
        f"({total / floor:,.0f}/s); ratio {elapsed / floor:.1f}"
    )
    report.append(
        HEADING,
        [
            "- command: `make bench` (`python -m bench.bench_remediation_pipeline`)",
            f"- machine: {report.machine()}, SQLite",
            f"- workload: {REQUESTS} requests of {BATCH} numbers through screening, "
            "tier 1, tier 2 and finalisation on 3 sandbox networks at 0 ms",
            "",
            "| run | seconds | numbers/s | peak RSS MiB |",
            "|---|---|---|---|",
            f"| pipeline | {elapsed:.1f} | {total / elapsed:,.0f} | {peak:.0f} |",
            f"| plain-SQL floor | {floor:.1f} | {total / floor:,.0f} | |",
            "",
            f"Ratio of pipeline time to floor time: {elapsed / floor:.1f} "
            f"({cases} review cases written).",
        ],
        source="bench/bench_remediation_pipeline.py",
    )


if __name__ == "__main__":
    main()
