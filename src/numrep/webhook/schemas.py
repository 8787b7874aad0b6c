"""Response bodies of the webhook endpoints."""

from __future__ import annotations

from pydantic import BaseModel


class WebhookSigningKey(BaseModel):
    """The Ed25519 public key that verifies this server's webhook deliveries."""

    record_type: str
    algorithm: str
    public_key: str
    signature_header: str
    timestamp_header: str


class WebhookSigningKeyResponse(BaseModel):
    data: WebhookSigningKey
