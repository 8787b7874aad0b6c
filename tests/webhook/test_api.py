"""The signing key endpoint through the in-process app."""

from __future__ import annotations

from fastapi.testclient import TestClient

from numrep.settings import Settings
from numrep.webhook.signing import public_key_base64, signing_key


def test_signing_key_endpoint_returns_key(api: TestClient, settings: Settings) -> None:
    response = api.get("/v2/webhook_signing_key")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["record_type"] == "webhook_signing_key"
    assert data["algorithm"] == "ed25519"
    assert data["public_key"] == public_key_base64(signing_key(settings))
    assert data["signature_header"] == "telnyx-signature-ed25519"
    assert data["timestamp_header"] == "telnyx-timestamp"


def test_signing_key_endpoint_needs_api_key(app_client: TestClient) -> None:
    response = app_client.get("/v2/webhook_signing_key")
    assert response.status_code == 401
    assert "public_key" not in response.text


def test_signing_key_endpoint_marked_extension(app_client: TestClient) -> None:
    operation = app_client.get("/openapi.json").json()["paths"][
        "/v2/webhook_signing_key"
    ]["get"]
    assert operation["tags"] == ["numrep extensions"]
