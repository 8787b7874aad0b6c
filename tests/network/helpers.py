"""Numbers, requests and waits that the network tests share."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from numrep.core.db import Database, create_db_engine
from numrep.network.base import LookupResult, ReviewRequest
from numrep.network.config import SandboxNetworkConfig
from numrep.network.sandbox import SandboxConnector
from numrep.network.sandbox_models import SandboxReview

# The time scale of the live_server fixture: a simulated hour lasts 1.8 s.
TEST_TIME_SCALE = 0.0005

SandboxFactory = Callable[..., SandboxConnector]


def phone_numbers(count: int, *, area: str = "312", start: int = 0) -> list[str]:
    """Distinct, valid US numbers ``+1{area}555{nnnn}``."""
    return [f"+1{area}555{index:04d}" for index in range(start, start + count)]


def review_request(
    phone_number: str, *, request_id: str = "r1", tier: int = 1, network: str = "hiya"
) -> ReviewRequest:
    return ReviewRequest(
        phone_number=phone_number,
        idempotency_key=f"{request_id}:{phone_number}:{network}:{tier}",
        tier=tier,
        call_purpose="Appointment reminders for patients",
        enterprise_name="Bright Smile Dental",
        contact_email="ops@brightsmile.example.com",
    )


def answers(results: list[LookupResult]) -> list[tuple[Any, ...]]:
    """Everything a lookup reports except the time of the check."""
    return [
        (
            result.phone_number,
            result.network,
            result.flagged,
            result.label,
            result.maturity_score,
            result.connection_score,
            result.engagement_score,
            result.sentiment_score,
        )
        for result in results
    ]


def count_reviews(database: Database, **filters: Any) -> int:
    query = sa.select(sa.func.count()).select_from(SandboxReview)
    for column, value in filters.items():
        query = query.where(getattr(SandboxReview, column) == value)
    with database.unit_of_work(write=False) as session:
        return int(session.scalar(query) or 0)


def wait_until(condition: Callable[[], bool], *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.05)


def write_scenario(folder: Path, scenario: dict[str, Any]) -> Path:
    path = folder / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    return path


def open_database(url: str) -> Database:
    return Database(create_db_engine(url))


def sandbox_factory(database: Database) -> SandboxFactory:
    def build(name: str = "hiya", **options: Any) -> SandboxConnector:
        config = SandboxNetworkConfig(name=name, **options)
        return SandboxConnector(config, database, time_scale=TEST_TIME_SCALE)

    return build
