"""The review queue with 10,000 open operator cases inserted directly."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

from numrep.settings import Settings
from tests.conftest import AccountKeys
from tests.console.helpers import insert_open_cases, sign_in

CASES = 10_000
# A generous bound for a shared 2-core machine. The page runs a count and reads
# one page of rows, and took about 0.13 s on SQLite and PostgreSQL there.
MAX_RENDER_SECONDS = 5.0


def _row_ids(html: str) -> list[str]:
    return re.findall(r'<tr class="case[^"]*" data-case-id="([^"]+)"', html)


def test_queue_with_10000_cases(
    app_client: TestClient, settings: Settings, account: AccountKeys
) -> None:
    case_ids = insert_open_cases(settings, account.account_id, CASES)
    assert sign_in(app_client, account.operator_key).status_code == 303

    started = time.perf_counter()
    response = app_client.get("/console/queue")
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert elapsed < MAX_RENDER_SECONDS, f"queue took {elapsed:.2f} s"
    assert f"{CASES} open case(s), page 1 of {CASES // 50}" in response.text
    assert _row_ids(response.text) == [str(case_id) for case_id in case_ids[:50]]


def test_queue_filters_count(
    app_client: TestClient, settings: Settings, account: AccountKeys
) -> None:
    case_ids = insert_open_cases(settings, account.account_id, CASES)
    assert sign_in(app_client, account.operator_key).status_code == 303

    tns = app_client.get("/console/queue", params={"network": "tns", "page": 2})
    assert tns.status_code == 200
    assert f"{CASES // 4} open case(s), page 2 of {CASES // 4 // 50}" in tns.text
    expected = [str(case_ids[index]) for index in range(0, CASES, 4)][50:100]
    assert _row_ids(tns.text) == expected

    # The filter form sends empty fields for filters left blank.
    blank = app_client.get(
        "/console/queue", params={"network": "", "enterprise": "", "min_age_days": ""}
    )
    assert blank.status_code == 200
    assert f"{CASES} open case(s)" in blank.text
    assert "page=2" in blank.text

    # Cases were opened 0 to 9 days ago, a tenth of them on each day.
    old = app_client.get("/console/queue", params={"min_age_days": "7.5"})
    assert f"{CASES * 2 // 10} open case(s)" in old.text

    dashboard = app_client.get("/console/")
    assert dashboard.status_code == 200
    overdue = re.search(r'id="overdue-cases">(\d+)<', dashboard.text)
    assert overdue is not None
    # Deadlines before now: indexes 0 to 4,999, give or take the clock's progress.
    assert CASES // 2 <= int(overdue.group(1)) <= CASES // 2 + 5
