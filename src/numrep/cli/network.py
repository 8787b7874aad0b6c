"""``numrep sandbox-network serve``: one sandbox network over the adapter protocol."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn
from pydantic import ValidationError

from numrep.core import migrate as migrations
from numrep.core.db import Database, create_db_engine
from numrep.core.logging import configure_logging
from numrep.network.config import SandboxNetworkConfig
from numrep.network.sandbox import SandboxConnector
from numrep.network.sandbox_scenario import ScenarioError
from numrep.network.server import create_sandbox_app
from numrep.settings import get_settings

sandbox_network_app = typer.Typer(
    help="Simulated call-analytics networks for tests and demos.",
    no_args_is_help=True,
)


@sandbox_network_app.command("serve")
def serve(
    name: str = typer.Option(..., help="Network name, such as hiya, first_orion, tns."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(9101, help="TCP port to listen on."),
    seed: str = typer.Option("numrep", help="Seed of the derived lookups and reviews."),
    scenario: Path | None = typer.Option(None, help="Scenario file (JSON)."),
    flag_rate: float = typer.Option(0.3, help="Share of numbers flagged, 0 to 1."),
    latency_ms: float = typer.Option(0.0, help="Delay added to every call, in ms."),
    error_rate: float = typer.Option(
        0.0, help="Share of calls that fail with 503, 0 to 1."
    ),
    throttle_rate: float = typer.Option(
        0.0, help="Share of calls that fail with 429, 0 to 1."
    ),
    retry_after: float = typer.Option(
        1.0, help="Retry-After of a 429, in seconds (sent rounded up)."
    ),
    rate_limit: float | None = typer.Option(
        None, help="Calls per second allowed before 429s; unset means no limit."
    ),
    escalation: bool | None = typer.Option(
        None,
        "--escalation/--no-escalation",
        help="Offer tier-2 reviews; unset means all but first_orion do.",
    ),
    time_scale: float | None = typer.Option(
        None, help="Multiplier of review delays [NUMREP_SANDBOX_TIME_SCALE]."
    ),
    database_url: str | None = typer.Option(
        None, help="Database for review state [NUMREP_DATABASE_URL]."
    ),
    migrate_first: bool = typer.Option(
        True, "--migrate/--no-migrate", help="Apply migrations before starting."
    ),
    api_key: str | None = typer.Option(
        None,
        envvar="NUMREP_SANDBOX_NETWORK_API_KEY",
        help="Bearer token every call must carry; unset means no auth.",
    ),
) -> None:
    """Serve one sandbox network at http://HOST:PORT until interrupted."""
    settings = get_settings()
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    try:
        config = SandboxNetworkConfig(
            name=name,
            seed=seed,
            scenario_file=scenario,
            flag_rate=flag_rate,
            latency_ms=latency_ms,
            error_rate=error_rate,
            throttle_rate=throttle_rate,
            throttle_retry_after_seconds=retry_after,
            rate_limit_per_second=rate_limit,
            supports_escalation=escalation,
        )
    except ValidationError as error:
        raise typer.BadParameter(_first_problem(error)) from error

    if time_scale is not None and time_scale <= 0:
        raise typer.BadParameter(
            f"{time_scale:g} is not positive", param_hint="--time-scale"
        )

    url = database_url or settings.resolved_database_url
    if migrate_first:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(url)
    engine = create_db_engine(url, busy_timeout=settings.sqlite_busy_timeout_seconds)
    database = Database(engine)
    try:
        connector = SandboxConnector(
            config,
            database,
            time_scale=settings.sandbox_time_scale
            if time_scale is None
            else time_scale,
        )
    except ScenarioError as error:
        database.dispose()
        raise typer.BadParameter(str(error), param_hint="--scenario") from error

    app = create_sandbox_app(connector, api_key=api_key)
    try:
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
    finally:
        database.dispose()


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"])
    return f"{field.replace('_', '-')}: {first['msg']}"
