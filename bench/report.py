"""Shared output of the benchmarks: the machine, the command and benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    return (
        f"nproc {len(os.sched_getaffinity(0))}, {cpu_model()}, "
        f"Python {platform.python_version()}"
    )


def command(module: str) -> str:
    """Return the command that ran this benchmark, for its report entry."""
    if Path(sys.argv[0]).name == "run.py" or sys.argv[0].endswith("bench.run"):
        return "make bench (python -m bench.run)"
    return " ".join([f"python -m bench.{module}", *sys.argv[1:]])


def insert_entry(text: str, heading: str, entry: str, *, source: str) -> str:
    """Add ``entry`` at the end of ``heading``'s section, creating it if absent."""
    if heading not in text:
        intro = f"Written by `{source}`, newest entry last."
        return f"{text.rstrip()}\n\n{heading}\n\n{intro}\n\n{entry}"
    start = text.index(heading) + len(heading)
    following = text.find("\n## ", start)
    if following == -1:
        return f"{text.rstrip()}\n\n{entry}"
    return f"{text[:following].rstrip()}\n\n{entry}\n{text[following:]}"


def write_entry(heading: str, entry: str, *, source: str) -> None:
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    updated = insert_entry(text, heading, entry, source=source)
    REPORT.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def append(heading: str, lines: list[str], *, source: str) -> None:
    """Add a dated entry made of ``lines`` under ``heading``."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_entry(heading, "\n".join([f"### {stamp}", "", *lines]), source=source)
