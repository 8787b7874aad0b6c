"""``GET /health``: whether the database accepts queries and the queue worker runs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import structlog
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from numrep import __version__
from numrep.core.deps import Services
from numrep.core.errors import CODE_UNEXPECTED, ErrorItem, error_body

log = structlog.get_logger(__name__)


class WorkerState(BaseModel):
    """The queue worker of this process: enabled, and once started its state."""

    enabled: bool
    running: bool | None = None
    executor_id: str | None = None


class HealthStatus(BaseModel):
    """The 200 body of ``GET /health``."""

    model_config = ConfigDict(extra="allow")

    status: str
    version: str
    database: str
    worker: WorkerState


def database_problem(services: Services) -> str | None:
    """Run ``SELECT 1`` and return why it failed, or None when it succeeded."""
    try:
        with services.db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        log.warning("health.database_failed", error=str(error))
        # The class name only: the message can carry host names and SQL.
        return f"The database is unavailable ({type(error).__name__})."
    return None


def worker_state(services: Services) -> dict[str, Any]:
    state: dict[str, Any] = {"enabled": services.settings.run_worker}
    if services.worker is not None:
        state["running"] = services.worker.running
        state["executor_id"] = services.worker.executor_id
    return state


def health(request: Request) -> JSONResponse:
    """Return 200 with the component states, or 503 with one error per failure.

    The 503 body is the same error envelope as every other failure, so a probe
    needs only the status and a person reads which component failed.
    """
    services: Services = request.app.state.services
    worker = worker_state(services)
    problems = []
    database = database_problem(services)
    if database is not None:
        problems.append(database)
    if worker["enabled"] and not worker.get("running", False):
        problems.append("The queue worker of this process is not running.")

    if problems:
        items = [
            ErrorItem(CODE_UNEXPECTED, "Service unavailable", problem)
            for problem in problems
        ]
        return JSONResponse(error_body(items), status_code=503)
    body = {
        "status": "ok",
        "version": __version__,
        "database": "ok",
        "worker": worker,
    }
    return JSONResponse(body)
