"""Live lookups through the process's network gateway.

Each network is called on its own thread, so a failing network loses only its
own results, and the other networks' results are still returned and stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import structlog

from numrep.core.db import Database
from numrep.network.base import LookupResult, NetworkError
from numrep.network.gateway import NetworkGateway
from numrep.network.registry import build_gateway
from numrep.settings import Settings

log = structlog.get_logger(__name__)


@dataclass
class LookupOutcome:
    """Results per network, and the error of each network that failed."""

    results: dict[str, list[LookupResult]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def has_result(self, phone_number: str) -> bool:
        return any(
            result.phone_number == phone_number
            for answers in self.results.values()
            for result in answers
        )


def gateway_for(settings: Settings, database: Database) -> NetworkGateway:
    """Return the gateway shared by this process for ``database``."""
    return build_gateway(settings, database)


def lookup_all(gateway: NetworkGateway, phone_numbers: Sequence[str]) -> LookupOutcome:
    """Look ``phone_numbers`` up on every configured network at once."""
    outcome = LookupOutcome()
    names = [info.name for info in gateway.networks]
    if not names or not phone_numbers:
        return outcome
    with ThreadPoolExecutor(
        max_workers=len(names), thread_name_prefix="lookup"
    ) as pool:
        futures = {
            name: pool.submit(gateway.lookup, phone_numbers, networks=[name])
            for name in names
        }
    for name, future in futures.items():
        try:
            outcome.results.update(future.result())
        except NetworkError as error:
            outcome.failures[name] = str(error)
            log.warning(
                "reputation.lookup_failed",
                network=name,
                numbers=len(phone_numbers),
                error=str(error),
            )
    return outcome
