"""The carrier lookup: which carrier serves each number, and is it disconnected.

``lookup_for`` picks the implementation from the ``carrier_lookup`` setting. A
number missing from a lookup's result is unknown this time, and callers never
treat it as a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from numrep.ownership.config import HttpCarrierConfig, SandboxCarrierConfig


@dataclass(frozen=True, slots=True)
class CarrierRecord:
    """The current carrier of one number: its SPID, name and connection state."""

    spid: str
    carrier_name: str
    disconnected: bool = False


class CarrierLookupError(Exception):
    """Raised when a lookup failed as a whole (timeout, 5xx, malformed reply)."""


class CarrierLookup(Protocol):
    def lookup(self, phone_numbers: Sequence[str]) -> dict[str, CarrierRecord]:
        """Return a record per number found, or raise ``CarrierLookupError``."""
        ...


def lookup_for(
    config: SandboxCarrierConfig | HttpCarrierConfig, session: Session
) -> CarrierLookup:
    """Build the configured lookup; the sandbox reads its events with ``session``."""
    if isinstance(config, HttpCarrierConfig):
        from numrep.ownership.carrier_http import HttpCarrierLookup

        return HttpCarrierLookup(config)
    from numrep.ownership.carrier_sandbox import SandboxCarrierLookup

    return SandboxCarrierLookup(session)
