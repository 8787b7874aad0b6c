"""Progress bars on stderr, so stdout stays clean for data and summaries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Advance(Protocol):
    """Callback that moves a bar forward by ``count`` items."""

    def __call__(self, count: int = 1) -> None: ...


class Bar:
    """One task of a rich progress display."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def __call__(self, count: int = 1) -> None:
        self._progress.advance(self._task, count)

    def set_total(self, total: int) -> None:
        self._progress.update(self._task, total=total)


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Bar]:
    """Show a bar on stderr while the block runs and yield it.

    When stderr is not a terminal (a pipe, a file, a test runner) the bar is
    disabled, so logs get no control characters.
    """
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )
    with progress:
        yield Bar(progress, progress.add_task(description, total=total))
