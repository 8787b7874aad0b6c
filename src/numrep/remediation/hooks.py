"""What other domains tell remediation when numbers leave an enterprise."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session


def on_numbers_removed(
    session: Session, *, enterprise_id: uuid.UUID, phone_numbers: Sequence[str]
) -> None:
    """Cancel these numbers in the enterprise's in-flight remediation requests."""


def on_reputation_disabled(session: Session, *, enterprise_id: uuid.UUID) -> None:
    """Cancel every in-flight remediation request of the enterprise."""
