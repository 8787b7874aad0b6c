"""``numrep demo`` run as the installed console script, as a newcomer runs it."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from numrep.demo.plan import BUCKETS

NUMREP = Path(sys.executable).parent / "numrep"
# Generous: the demo takes under a minute on an idle machine.
RUN_TIMEOUT_SECONDS = 280


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    assert NUMREP.exists(), f"console script {NUMREP} is not installed"
    return subprocess.run(
        [str(NUMREP), "demo", *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )


def kept_folder(output: str) -> Path:
    match = re.search(r"^Kept the demo's files in (\S+)$", output, re.MULTILINE)
    assert match is not None, output
    return Path(match.group(1))


@pytest.mark.slow
def test_demo_passes_and_keeps_files() -> None:
    result = run_demo("--keep")
    folder = kept_folder(result.stdout)
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "numrep demo passed" in result.stdout
        assert (folder / "scenario.json").is_file()
        assert (folder / "data" / "numrep.db").is_file()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    buckets = re.search(r"^Buckets reached: (.+)$", result.stdout, re.MULTILINE)
    assert buckets is not None, result.stdout
    counts = dict(
        (name, int(count))
        for name, count in re.findall(r"(\w+) (\d+)", buckets.group(1))
    )
    for bucket in BUCKETS:
        assert counts.get(bucket, 0) > 0, f"{bucket} not reached: {buckets.group(0)}"

    webhooks = re.search(
        r"^Webhooks: (\d+) received, (\d+) verified$", result.stdout, re.MULTILINE
    )
    assert webhooks is not None, result.stdout
    received, verified = int(webhooks.group(1)), int(webhooks.group(2))
    # Each of the two requests announces tier 1 and its completion.
    assert received >= 4
    assert verified == received
    rows = re.findall(
        r"number_reputation\.remediation\.\w+ .*│ verified", result.stdout
    )
    assert len(rows) == received


def test_demo_timeout_exits_nonzero() -> None:
    # At time scale 1, vetting takes 5 real minutes, so 1 s is never enough.
    result = run_demo("--time-scale", "1", "--timeout", "1")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "numrep demo failed: Vetting of enterprise" in result.stdout
    assert "was still 'pending' after 1 s" in result.stdout
    assert "larger --timeout" in result.stdout
    assert "Kept the demo's files" not in result.stdout


def test_demo_bad_time_scale_exits_2() -> None:
    result = run_demo("--time-scale", "0")

    assert result.returncode == 2
    assert "--time-scale" in result.stderr
    assert "Starting numrep" not in result.stdout


def test_demo_interrupt_removes_files() -> None:
    process = subprocess.Popen(
        [str(NUMREP), "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    seen: list[str] = []
    folder: Path | None = None
    # The server is up once the onboarding step starts.
    for line in process.stdout:
        seen.append(line)
        match = re.search(r"\(data in (\S+)\)", line)
        if match:
            folder = Path(match.group(1))
        if "Onboarding" in line:
            break
    assert folder is not None, "".join(seen)
    assert folder.is_dir()

    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=RUN_TIMEOUT_SECONDS)

    assert process.returncode == 130, "".join(seen) + rest
    assert "Interrupted; the demo server is stopped." in rest
    assert not folder.exists()
