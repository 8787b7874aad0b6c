"""Service settings, read from ``NUMREP_*`` environment variables and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    queue_poll_seconds: float = Field(default=0.1, gt=0)
    sqlite_busy_timeout_seconds: float = Field(default=30.0, gt=0)
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)

    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"

    # Remediation
    remediation_cooldown_days: float = Field(default=30.0, ge=0)
    tier2_deadline_hours: float = Field(default=72.0, gt=0)
    sandbox_time_scale: float = Field(
        default=1.0,
        gt=0,
        description="Multiplier for sandbox network waits; 0.001 turns hours "
        "into seconds for demos and tests.",
    )

    # Webhooks
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Allow http:// and non-public webhook targets (development only).",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'numrep.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
