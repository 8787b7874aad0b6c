"""The shared metrics folder: which files a starting server removes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from numrep.metrics.multiprocess import remove_stale_files


def exited_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_files_of_exited_processes_removed(tmp_path: Path) -> None:
    gone = exited_pid()
    own = tmp_path / f"counter_{os.getpid()}.db"
    stale_counter = tmp_path / f"counter_{gone}.db"
    stale_histogram = tmp_path / f"histogram_{gone}.db"
    unrelated = tmp_path / "notes.db"
    for file in (own, stale_counter, stale_histogram, unrelated):
        file.write_bytes(b"")

    removed = remove_stale_files(tmp_path)

    assert removed == 2
    assert own.exists()
    assert unrelated.exists()
    assert not stale_counter.exists()
    assert not stale_histogram.exists()
