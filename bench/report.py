"""Shared output of the benchmarks: the machine line and docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = sys.version.split()[0]
    return f"nproc {os.cpu_count()}, {cpu}, Python {version}"


def append(heading: str, lines: list[str]) -> None:
    """Add a dated entry under ``heading``, creating the heading if needed."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    entry = "\n".join([f"### {stamp}", "", *lines]) + "\n"
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    if heading not in text:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n"
        text += "Newest entry last.\n\n" + entry
    else:
        start = text.index(heading)
        following = text.find("\n## ", start + len(heading))
        cut = len(text) if following == -1 else following + 1
        text = text[:cut].rstrip("\n") + "\n\n" + entry + "\n" + text[cut:]
    REPORT.write_text(text.rstrip("\n") + "\n")
