"""The folder where the processes of one host share their metric values.

prometheus_client picks its storage once, when it is first imported: files in
``PROMETHEUS_MULTIPROC_DIR`` if that variable is set, else memory. So every
command that serves or works on queues calls ``use_metrics_dir`` before
anything imports prometheus_client, and the processes it starts inherit the
variable. Each process writes files named after its pid; a scrape sums them.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# prometheus_client 0.26 names its files <type>_<pid>.db and gauge_<mode>_<pid>.db.
_FILE_PID_RE = re.compile(r"_(\d+)\.db\Z")


def use_metrics_dir(path: Path, *, remove_stale: bool) -> None:
    """Point prometheus_client at ``path`` for this process and its children.

    ``remove_stale`` deletes the files of processes that no longer run. Only
    the parent process of a host should request it, before it starts others.
    Raises RuntimeError when prometheus_client is already in memory mode.
    """
    path.mkdir(parents=True, exist_ok=True)
    if remove_stale:
        remove_stale_files(path)
    os.environ[ENVIRONMENT_VARIABLE] = str(path.resolve())
    values = sys.modules.get("prometheus_client.values")
    if values is not None and not getattr(values.ValueClass, "_multiprocess", False):
        raise RuntimeError(
            "prometheus_client was imported before the metrics folder was set, "
            "so this process would count in memory only. Call use_metrics_dir "
            "before importing numrep.metrics.instruments."
        )


def is_multiprocess() -> bool:
    return bool(os.environ.get(ENVIRONMENT_VARIABLE))


def remove_stale_files(path: Path) -> int:
    """Delete the metric files of processes that are gone and return how many."""
    removed = 0
    for file in path.glob("*.db"):
        match = _FILE_PID_RE.search(file.name)
        if match is None or _is_running(int(match.group(1))):
            continue
        file.unlink(missing_ok=True)
        removed += 1
    if removed:
        log.info("metrics.stale_files_removed", folder=str(path), files=removed)
    return removed


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        # The pid belongs to a process of another user, so it is running.
        return True
    return True
