"""Configuration of the call-analytics networks, one entry per network.

The ``networks`` setting (``NUMREP_NETWORKS``, a JSON list) contains these
entries, and ``kind`` selects the connector that serves each network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
)

NETWORK_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
# First Orion offers no escalated review, so numbers it keeps flagged go to operators.
NETWORKS_WITHOUT_ESCALATION = frozenset({"first_orion"})

NetworkNameField = Annotated[str, Field(pattern=NETWORK_NAME_PATTERN)]


class _NetworkConfigBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: NetworkNameField
    max_batch: int = Field(default=100, ge=1, le=1000)
    max_concurrency: int = Field(default=8, ge=1, le=64)


class SandboxNetworkConfig(_NetworkConfigBase):
    """A simulated network whose results derive from a seed and a scenario file."""

    kind: Literal["sandbox"] = "sandbox"
    seed: str = "numrep"
    scenario_file: Path | None = None
    flag_rate: float = Field(default=0.3, ge=0, le=1)
    latency_ms: float = Field(default=0, ge=0)
    error_rate: float = Field(default=0, ge=0, le=1)
    throttle_rate: float = Field(default=0, ge=0, le=1)
    throttle_retry_after_seconds: float = Field(default=1.0, ge=0)
    rate_limit_per_second: float | None = Field(default=None, gt=0)
    supports_escalation: bool | None = None
    relabel_rate: float = Field(default=0, ge=0, le=1)
    relabel_after_minutes: float = Field(default=7 * 24 * 60, ge=0)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed_as_text(cls, value: object) -> object:
        # An integer seed in JSON means the same as its decimal text.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    def escalation_supported(self) -> bool:
        """Return the configured value, or the network's known behaviour if unset."""
        if self.supports_escalation is not None:
            return self.supports_escalation
        return self.name not in NETWORKS_WITHOUT_ESCALATION


class HttpNetworkConfig(_NetworkConfigBase):
    """A network reached through an adapter that speaks numrep's JSON protocol."""

    kind: Literal["http"]
    base_url: str
    api_key: SecretStr | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    supports_escalation: bool = True

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(
                f"base_url {value!r} is not an absolute http:// or https:// URL"
            )
        return value.rstrip("/")


class ManualNetworkConfig(_NetworkConfigBase):
    """A network without an API: operators file and record every review."""

    kind: Literal["manual"]


NetworkConfig = Annotated[
    SandboxNetworkConfig | HttpNetworkConfig | ManualNetworkConfig,
    Field(discriminator="kind"),
]


def _check_unique_names(networks: list[NetworkConfig]) -> list[NetworkConfig]:
    seen: set[str] = set()
    for network in networks:
        if network.name in seen:
            raise ValueError(
                f"network name {network.name!r} is configured twice. "
                "Give each entry of networks a distinct name."
            )
        seen.add(network.name)
    return networks


NetworkConfigList = Annotated[list[NetworkConfig], AfterValidator(_check_unique_names)]


def default_networks() -> list[NetworkConfig]:
    """Return the embedded default: Hiya, First Orion and TNS as sandbox networks."""
    return [
        SandboxNetworkConfig(name="hiya"),
        SandboxNetworkConfig(name="first_orion"),
        SandboxNetworkConfig(name="tns"),
    ]
