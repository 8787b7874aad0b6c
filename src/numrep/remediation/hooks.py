"""Hooks that other domains call when numbers leave an enterprise."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from numrep.remediation.cancel import cancel_numbers, cancel_request, in_flight_requests


def on_numbers_removed(
    session: Session, *, enterprise_id: uuid.UUID, phone_numbers: Sequence[str]
) -> None:
    """Cancel these numbers in the enterprise's in-flight remediation requests."""
    if not phone_numbers:
        return
    for request in in_flight_requests(
        session, enterprise_id=enterprise_id, phone_numbers=phone_numbers
    ):
        cancel_numbers(session, request, phone_numbers)


def on_reputation_disabled(session: Session, *, enterprise_id: uuid.UUID) -> None:
    """Cancel every in-flight remediation request of the enterprise."""
    for request in in_flight_requests(session, enterprise_id=enterprise_id):
        cancel_request(session, request, reason="number reputation was disabled")
