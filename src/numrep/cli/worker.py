"""``numrep worker``: a queue worker process without the HTTP API."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import structlog
import typer

from numrep.app import build_services
from numrep.core.logging import configure_logging
from numrep.metrics.multiprocess import use_metrics_dir
from numrep.settings import get_settings
from numrep.worker.heartbeat import check_timing
from numrep.worker.runtime import QUEUES, WorkerRuntime

log = structlog.get_logger(__name__)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    queues: str = typer.Option(
        None,
        "--queues",
        help="Comma-separated queues to serve, e.g. 'remediation,networks' "
        "[NUMREP_WORKER_QUEUES, a JSON list]; default: all queues.",
    ),
) -> None:
    """Run the queue worker on PostgreSQL until SIGTERM or SIGINT.

    Give each worker its own NUMREP_EXECUTOR_ID (default: the host name); two
    workers on one host need distinct ids.
    """
    settings = get_settings()
    if settings.is_sqlite:
        typer.echo(
            "numrep worker failed: the database is SQLite "
            f"({settings.resolved_database_url}), and separate worker processes "
            "need PostgreSQL. Set NUMREP_DATABASE_URL to a PostgreSQL URL, or run "
            "'numrep serve' alone, which includes the worker.",
            err=True,
        )
        raise typer.Exit(code=2)
    served = _parse_queues(queues or ",".join(settings.worker_queues))
    try:
        check_timing(
            interval=settings.worker_heartbeat_interval_seconds,
            timeout=settings.worker_heartbeat_timeout_seconds,
        )
    except ValueError as error:
        typer.echo(f"numrep worker failed: {error}", err=True)
        raise typer.Exit(code=2) from error
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    # The 'numrep serve' process of this host serves what this process counts.
    use_metrics_dir(settings.resolved_metrics_dir, remove_stale=False)
    services = build_services(settings)
    runtime = WorkerRuntime(settings, services.db)
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("worker.stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        runtime.launch(served)
        while not stop.wait(1.0):
            pass
    finally:
        runtime.shutdown()
        services.db.dispose()


def _parse_queues(value: str) -> list[str]:
    known = [spec.name for spec in QUEUES]
    served = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in served if name not in known]
    if unknown or not served:
        raise typer.BadParameter(
            f"invalid queues {unknown or value!r}; choose from {', '.join(known)}",
            param_hint="--queues",
        )
    return served
