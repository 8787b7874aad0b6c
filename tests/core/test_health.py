"""``GET /health`` on a live server and on a process whose database is gone."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from numrep.app import create_app
from tests.conftest import make_settings
from tests.support.live import LiveServer, free_port


def test_live_server_is_healthy(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.base_url}/health", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["worker"]["enabled"] is True
    assert body["worker"]["running"] is True
    assert body["worker"]["executor_id"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_unreachable_database_is_503(tmp_path: Path, backend: str) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path}/no_such_folder/numrep.db"
    else:
        # Nothing listens on a port that was free a moment ago.
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/numrep"
    settings = make_settings(url, tmp_path / "data")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/health")

    assert response.status_code == 503
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["code"] == "10007"
    assert errors[0]["detail"].startswith("The database is unavailable")
    assert "127.0.0.1" not in errors[0]["detail"]


def test_health_without_worker_is_ok(app_client: TestClient) -> None:
    response = app_client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["worker"]["enabled"] is False
