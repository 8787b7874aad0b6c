"""Output helpers of the CSV commands: progress bars and output files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from numrep.client.options import output_stream
from numrep.client.progress import progress_bar


def test_progress_bar_on_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # rich reads TTY_COMPATIBLE to treat a captured stream as a terminal.
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    with progress_bar("Associating", 10) as bar:
        bar(4)
        bar.set_total(12)
        bar(8)
    captured = capsys.readouterr()
    assert "Associating" in captured.err
    assert "12/12" in captured.err
    assert captured.out == ""


def test_progress_bar_off_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("Associating", 3) as bar:
        bar(3)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_output_file_written_at_end(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with output_stream(path) as handle:
        handle.write("a,b\n")
        assert not path.exists()
    assert path.read_text() == "a,b\n"
    assert not (tmp_path / "out.csv.partial").exists()


def test_output_file_not_left_on_error(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"

    def write_then_fail() -> None:
        with output_stream(path) as handle:
            handle.write("a,b\n")
            raise RuntimeError("server went away")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_stdout_output_after_block(capsys: pytest.CaptureFixture[str]) -> None:
    with output_stream(None) as handle:
        handle.write("x\n")
        assert capsys.readouterr().out == ""
    assert capsys.readouterr().out == "x\n"


def test_command_with_piped_stderr(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "numrep.cli.main", "numbers", "import",
         str(tmp_path / "absent.csv"), "--enterprise", "e", "--api-key", "k"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 2
    assert "cannot read" in completed.stderr
    assert completed.stdout == ""
