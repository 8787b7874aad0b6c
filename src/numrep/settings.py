"""Service settings, read from ``NUMREP_*`` environment variables and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from numrep.network.config import NetworkConfigList, default_networks
from numrep.ownership.config import CarrierLookupConfig, SandboxCarrierConfig

DEFAULT_DATA_DIR = Path("data")


class Settings(BaseSettings):
    """Every setting of a numrep process; one instance per process."""

    model_config = SettingsConfigDict(
        env_prefix="NUMREP_", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Folder for the SQLite file, the server secret and the key pair.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file in data_dir.",
    )
    secret_key: str = Field(
        default="",
        description="HMAC secret for API keys; empty means a generated file.",
    )
    application_version: str = Field(
        default="1",
        description="Workflow version; raise it when a release changes a stage.",
    )
    executor_id: str = Field(
        default="",
        description="Stable worker id; empty means the host name.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    run_worker: bool = Field(
        default=True, description="Run the queue worker inside the API process."
    )
    worker_queues: list[str] = Field(
        default_factory=lambda: ["remediation", "networks", "webhooks", "monitoring"]
    )
    queue_poll_seconds: float = Field(
        default=0.1,
        gt=0,
        description="Seconds between two polls of the remediation and webhooks "
        "queues by each worker. A due stage or delivery can wait this long.",
    )
    background_queue_poll_seconds: float = Field(
        default=0.5,
        gt=0,
        description="Seconds between two polls of the networks and monitoring "
        "queues (reputation refreshes, vetting, baselines) by each worker.",
    )
    sqlite_busy_timeout_seconds: float = Field(default=30.0, gt=0)
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    dbos_pool_size: int = Field(
        default=20,
        ge=1,
        description="Connections in DBOS's own pool on PostgreSQL (queues and "
        "workflow state), on top of db_pool_size plus db_max_overflow.",
    )
    worker_heartbeat_interval_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between two heartbeats of a worker process.",
    )
    worker_heartbeat_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Seconds without a heartbeat after which other workers treat "
        "an executor as dead and recover its pending workflows.",
    )

    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"

    # Metrics
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token that GET /metrics requires. Empty means the "
        "endpoint is open.",
    )
    metrics_dir: Path | None = Field(
        default=None,
        description="Folder shared by the processes of one host for their metric "
        "files. Empty means the folder metrics in data_dir.",
    )
    metrics_database_gauges: bool = Field(
        default=True,
        description="Serve the gauges read from the database (queue depths, review "
        "cases). Turn it off on every host but one, since they are the same "
        "everywhere.",
    )
    metrics_database_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Seconds a scrape reuses the database gauges of the previous "
        "one, so frequent scrapes cost one query per interval.",
    )

    # Remediation
    remediation_cooldown_days: float = Field(default=30.0, ge=0)
    tier1_deadline_hours: float = Field(
        default=24.0,
        gt=0,
        description="Hours a network has to decide a tier-1 review before the "
        "number is escalated to tier 2.",
    )
    tier2_deadline_hours: float = Field(
        default=72.0,
        gt=0,
        description="Hours a tier-2 case may stay undecided before it settles "
        "as requires_review.",
    )
    remediation_poll_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Seconds between two rounds of asking networks for outcomes.",
    )
    remediation_collect_failure_budget: int = Field(
        default=10,
        ge=1,
        description="Failed collect rounds after which a case settles as "
        "unanswered (its number ends in requires_review).",
    )
    sandbox_time_scale: float = Field(
        default=1.0,
        gt=0,
        description="Multiplier for sandbox network waits; 0.001 turns hours "
        "into seconds for demos and tests.",
    )

    # Call-analytics networks
    networks: NetworkConfigList = Field(
        default_factory=default_networks,
        description="JSON list of networks: name, kind (sandbox, http, manual) and "
        "the options of that kind; default: sandbox hiya, first_orion and tns.",
    )
    network_retry_attempts: int = Field(
        default=6,
        ge=1,
        description="Calls per batch to a network before a retryable error is final.",
    )
    network_retry_base_seconds: float = Field(
        default=0.25, ge=0, description="First backoff delay; it doubles per retry."
    )
    network_retry_max_delay_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Maximum wait between two calls, Retry-After included.",
    )

    # Webhooks
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Allow http:// and non-public webhook targets (development only).",
    )
    webhook_retry_scale: float = Field(
        default=1.0,
        gt=0,
        description="Multiplier for the delays between webhook delivery attempts; "
        "0.001 turns the 28-hour schedule into about 100 seconds for tests.",
    )
    webhook_signing_key: SecretStr = Field(
        default=SecretStr(""),
        description="Base64 of the 32-byte Ed25519 private key that signs webhooks; "
        "empty means the file webhook_ed25519.key in data_dir, created on first use.",
    )

    # Documents
    document_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1,
        description="Maximum size of an uploaded document in bytes, after base64 "
        "decoding.",
    )

    # Reputation
    reputation_vetting_delay_seconds: float = Field(
        default=300.0,
        ge=0,
        description="Seconds sandbox vetting takes before it decides an enable, "
        "multiplied by sandbox_time_scale.",
    )
    reputation_refresh_rate_limit: str = Field(
        default="20/minute",
        description="Refresh requests allowed per enterprise and API process, in "
        "the 'limits' package notation, e.g. '20/minute' or '5/second'.",
    )
    reputation_monitoring_cron: str = Field(
        default="0 * * * * *",
        description="When the monitoring sweep looks for numbers due for a "
        "check (cron with seconds; default: every minute).",
    )

    # Ownership tracking
    carrier_lookup: CarrierLookupConfig = Field(
        default_factory=SandboxCarrierConfig,
        description="JSON object selecting the carrier lookup of ownership checks: "
        '{"kind": "sandbox"} (default) or {"kind": "http", "url": ..., "token": '
        '..., "timeout_seconds": 5}.',
    )
    ownership_check_cron: str = Field(
        default="0 0 6 * * *",
        description="When the ownership check sweep runs (cron with seconds; "
        "default: daily at 06:00 UTC).",
    )
    ownership_confirm_days: float = Field(
        default=3.0,
        gt=0,
        description="Days the owner has to confirm a flagged number before the "
        "check removes it (carrier change) or marks it flagged (re-verification).",
    )
    ownership_reverify_days: float = Field(
        default=365.0,
        ge=0,
        description="Days after ownership was last established until a periodic "
        "re-verification is due; 0 disables re-verification.",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'numrep.db').resolve()}"

    @property
    def resolved_metrics_dir(self) -> Path:
        return self.metrics_dir or self.data_dir / "metrics"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
