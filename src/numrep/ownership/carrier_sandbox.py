"""The sandbox carrier: stable carriers from a hash, changed by simulated events.

Every number starts at one of ``SANDBOX_CARRIERS``, picked by a SHA-256 hash of
the number, so every process derives the same carrier. Rows of
``sandbox_carrier_events`` whose ``effective_at`` has passed then apply in time
order: a port moves the number to the event's SPID (and reconnects it), and a
disconnect marks it disconnected.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.core.errors import InvalidParametersError
from numrep.ownership.carrier import CarrierRecord
from numrep.ownership.models import CarrierEventKind, SandboxCarrierEvent
from numrep.phone.e164 import is_e164

SPID_PATTERN = re.compile(r"^[0-9A-Z]{4}$")

# Invented SPIDs and names; they match no real carrier.
SANDBOX_CARRIERS: dict[str, str] = {
    "S001": "Sandbox Carrier One",
    "S002": "Sandbox Carrier Two",
    "S003": "Sandbox Carrier Three",
    "S004": "Sandbox Carrier Four",
}
_CARRIER_SPIDS = sorted(SANDBOX_CARRIERS)


def initial_spid(phone_number: str) -> str:
    """Return the SPID the sandbox assigns to a number before any event."""
    digest = hashlib.sha256(phone_number.encode()).digest()
    return _CARRIER_SPIDS[int.from_bytes(digest[:4], "big") % len(_CARRIER_SPIDS)]


def carrier_name(spid: str) -> str:
    return SANDBOX_CARRIERS.get(spid, f"Sandbox carrier {spid}")


class SandboxCarrierLookup:
    """A lookup from the hash and the event table that returns every number."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def lookup(self, phone_numbers: Sequence[str]) -> dict[str, CarrierRecord]:
        requested = list(dict.fromkeys(phone_numbers))
        state = {number: (initial_spid(number), False) for number in requested}
        if not requested:
            return {}
        events = self._session.scalars(
            sa.select(SandboxCarrierEvent)
            .where(
                SandboxCarrierEvent.phone_number.in_(requested),
                SandboxCarrierEvent.effective_at <= utcnow(),
            )
            .order_by(SandboxCarrierEvent.effective_at, SandboxCarrierEvent.created_at)
        )
        for event in events:
            spid, _ = state[event.phone_number]
            if event.kind == CarrierEventKind.PORT and event.spid is not None:
                state[event.phone_number] = (event.spid, False)
            elif event.kind == CarrierEventKind.DISCONNECT:
                state[event.phone_number] = (spid, True)
        return {
            number: CarrierRecord(spid, carrier_name(spid), disconnected)
            for number, (spid, disconnected) in state.items()
        }


def record_event(
    session: Session,
    *,
    phone_number: str,
    kind: CarrierEventKind,
    spid: str | None,
    effective_at: datetime | None = None,
) -> SandboxCarrierEvent:
    """Store a simulated port (to ``spid``) or disconnect of ``phone_number``."""
    if not is_e164(phone_number):
        raise InvalidParametersError.at(
            f"{phone_number!r} is not an E.164 number; send it as +1NPANXXXXXX.",
            pointer="/phone_number",
        )
    if kind == CarrierEventKind.PORT and (spid is None or not SPID_PATTERN.match(spid)):
        raise InvalidParametersError.at(
            f"{spid!r} is not a SPID; a port needs the new carrier's SPID as 4 "
            "upper-case letters or digits, such as S002.",
            pointer="/spid",
        )
    event = SandboxCarrierEvent(
        phone_number=phone_number,
        kind=kind,
        spid=spid if kind == CarrierEventKind.PORT else None,
        effective_at=effective_at or utcnow(),
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session, *, phone_number: str | None = None, limit: int = 100
) -> list[SandboxCarrierEvent]:
    """Return the most recent events, newest first, optionally of one number."""
    query = sa.select(SandboxCarrierEvent)
    if phone_number is not None:
        query = query.where(SandboxCarrierEvent.phone_number == phone_number)
    query = query.order_by(
        SandboxCarrierEvent.effective_at.desc(), SandboxCarrierEvent.created_at.desc()
    ).limit(limit)
    return list(session.scalars(query))
