"""The webhook signing key endpoint (a numrep extension)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from numrep.core.deps import PrincipalDep, ServicesDep
from numrep.core.http import EXTENSION_TAG, JsonRoute
from numrep.core.openapi import described
from numrep.webhook.schemas import WebhookSigningKeyResponse
from numrep.webhook.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    public_key_base64,
    signing_key,
)

router = APIRouter(route_class=JsonRoute, tags=[EXTENSION_TAG])


@router.get(
    "/webhook_signing_key",
    response_model=None,
    responses=described(WebhookSigningKeyResponse),
)
def get_webhook_signing_key(
    services: ServicesDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Return the Ed25519 public key that verifies this server's webhooks.

    Pass ``public_key`` to the Telnyx SDK as ``public_key`` (or
    ``TELNYX_PUBLIC_KEY``) and verify each delivery with ``webhooks.unwrap``.
    """
    del principal
    key = signing_key(services.settings)
    return {
        "data": {
            "record_type": "webhook_signing_key",
            "algorithm": "ed25519",
            "public_key": public_key_base64(key),
            "signature_header": SIGNATURE_HEADER,
            "timestamp_header": TIMESTAMP_HEADER,
        }
    }
