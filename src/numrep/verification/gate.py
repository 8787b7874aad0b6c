"""The association rules for external numbers (US numbers outside the inventory)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from numrep.core.errors import StateGuardError
from numrep.phone.e164 import is_toll_free
from numrep.verification.models import VerificationStatus
from numrep.verification.service import status_of

REQUIRED_CODE = "external_verification_required"
MAX_NAMED_NUMBERS = 3


def external_number_problem(number: str) -> str | None:
    """Return why a valid US number outside the inventory cannot be external."""
    if is_toll_free(number):
        return (
            f"{number} is a toll-free number that is not in this account's "
            "inventory; external numbers must be US local numbers, so add "
            "toll-free numbers through the inventory."
        )
    return None


def require_approved(
    session: Session, *, enterprise_id: uuid.UUID, external_numbers: Sequence[str]
) -> None:
    """Raise ``StateGuardError`` unless the enterprise may register external numbers."""
    status = status_of(session, enterprise_id=enterprise_id)
    if status == VerificationStatus.APPROVED:
        return
    named = ", ".join(external_numbers[:MAX_NAMED_NUMBERS])
    more = len(external_numbers) - MAX_NAMED_NUMBERS
    if more > 0:
        named += f" and {more} more"
    state = "missing" if status is None else f"'{status}', not 'approved'"
    raise StateGuardError(
        f"{REQUIRED_CODE}: the external verification of enterprise "
        f"{enterprise_id} is {state}, so numbers outside this account's "
        f"inventory cannot be registered ({named}). Submit ownership proof with "
        "POST .../reputation/external_verification and wait for its approval, or "
        "send only inventory numbers."
    )
