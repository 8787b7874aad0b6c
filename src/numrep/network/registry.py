"""Build the configured connectors and the gateway, cached per process.

Connectors are cached per database and network configuration, so a worker step
that calls ``build_connectors`` again reuses the HTTP connection pools and the
parsed scenario files. A scenario file with a new modification time gets fresh
connectors.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable
from pathlib import Path

from numrep.core.db import Database
from numrep.network.base import Connector
from numrep.network.config import (
    HttpNetworkConfig,
    ManualNetworkConfig,
    NetworkConfig,
    SandboxNetworkConfig,
)
from numrep.network.gateway import NetworkGateway
from numrep.network.http import HttpConnector
from numrep.network.manual import ManualConnector
from numrep.network.retry import RetryPolicy
from numrep.network.sandbox import SandboxConnector
from numrep.settings import Settings

_lock = threading.Lock()
_connectors: weakref.WeakKeyDictionary[Database, dict[Hashable, list[Connector]]] = (
    weakref.WeakKeyDictionary()
)
_gateways: weakref.WeakKeyDictionary[Database, dict[Hashable, NetworkGateway]] = (
    weakref.WeakKeyDictionary()
)


def build_connectors(settings: Settings, database: Database) -> list[Connector]:
    """Return one connector per configured network, in configuration order.

    Raises ScenarioError when a sandbox scenario file is missing or invalid.
    """
    key = _connectors_key(settings)
    with _lock:
        cached = _connectors.setdefault(database, {}).get(key)
        if cached is None:
            cached = [
                build_connector(
                    config, database, time_scale=settings.sandbox_time_scale
                )
                for config in settings.networks
            ]
            _connectors[database][key] = cached
    return list(cached)


def build_gateway(settings: Settings, database: Database) -> NetworkGateway:
    """Return the gateway for these settings, shared so its concurrency bound holds."""
    connectors = build_connectors(settings, database)
    retry = RetryPolicy.from_settings(settings)
    key = (_connectors_key(settings), retry)
    with _lock:
        gateway = _gateways.setdefault(database, {}).get(key)
        if gateway is None:
            gateway = NetworkGateway(connectors, retry=retry)
            _gateways[database][key] = gateway
    return gateway


def build_connector(
    config: NetworkConfig, database: Database, *, time_scale: float
) -> Connector:
    """Build one network's connector, without caching it."""
    if isinstance(config, SandboxNetworkConfig):
        return SandboxConnector(config, database, time_scale=time_scale)
    if isinstance(config, HttpNetworkConfig):
        return HttpConnector(config)
    if isinstance(config, ManualNetworkConfig):
        return ManualConnector(config)
    raise TypeError(f"no connector for network kind {type(config).__name__}")


def _connectors_key(settings: Settings) -> Hashable:
    stamps = tuple(
        _modified_ns(config.scenario_file)
        for config in settings.networks
        if isinstance(config, SandboxNetworkConfig) and config.scenario_file
    )
    return (tuple(settings.networks), settings.sandbox_time_scale, stamps)


def _modified_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        # Loading the file reports the problem with its path.
        return None
