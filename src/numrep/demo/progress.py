"""Live progress of the demo's remediation requests.

On a terminal, a ``rich`` table is redrawn in place. Otherwise each change of a
request's status, tier or bucket counts is printed as one plain line, so logs
and pipes stay readable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from rich.console import Console
from rich.live import Live
from rich.table import Table

from numrep.demo.plan import BUCKETS


@dataclass(frozen=True, slots=True)
class RequestView:
    """The progress display's row of one request."""

    label: str
    request: dict[str, Any] | None
    webhooks: int

    @property
    def status(self) -> str:
        return "not submitted" if self.request is None else str(self.request["status"])

    @property
    def tier(self) -> str:
        return describe_tier(self.request)

    def bucket_counts(self) -> dict[str, int]:
        results = (self.request or {}).get("results") or {}
        return {bucket: len(results.get(bucket) or []) for bucket in BUCKETS}


def describe_tier(request: dict[str, Any] | None) -> str:
    """Name the stage a request is in, from its status and tier timestamps."""
    if request is None:
        return "-"
    status = request["status"]
    if status == "pending":
        return "screening"
    if status == "in_progress":
        return "tier 1" if request["tier1_completed_at"] is None else "tier 2"
    if request["tier2_completed_at"] is not None:
        return "tiers 1 and 2 done"
    if request["tier1_completed_at"] is not None:
        return "tier 1 done, tier 2 not needed"
    return "-"


class Progress(Protocol):
    def step(self, text: str) -> None: ...
    def show(self, views: list[RequestView]) -> None: ...
    def close(self) -> None: ...


class PlainProgress:
    """Print one line per step and per change of a request."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._last: dict[str, tuple[Any, ...]] = {}
        self._started = time.monotonic()

    def step(self, text: str) -> None:
        self.console.print(f"{self._elapsed()} {text}", highlight=False)

    def show(self, views: list[RequestView]) -> None:
        for view in views:
            counts = view.bucket_counts()
            state = (view.status, view.tier, tuple(counts.values()), view.webhooks)
            if view.request is None or self._last.get(view.label) == state:
                continue
            self._last[view.label] = state
            buckets = ", ".join(f"{name} {count}" for name, count in counts.items())
            self.step(
                f"{view.label}: {view.status}, {view.tier}; {buckets}; "
                f"webhooks {view.webhooks}"
            )

    def close(self) -> None:
        return

    def _elapsed(self) -> str:
        return f"[{time.monotonic() - self._started:5.1f} s]"


class LiveProgress:
    """Redraw a table of the requests in place on a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._views: list[RequestView] = []
        self._live = Live(self._render(), console=console, auto_refresh=False)
        self._live.start()

    def step(self, text: str) -> None:
        # While Live is active, rich prints these lines above the table.
        self.console.print(f"- {text}", highlight=False)

    def show(self, views: list[RequestView]) -> None:
        self._views = views
        self._live.update(self._render(), refresh=True)

    def close(self) -> None:
        self._live.stop()

    def _render(self) -> Table:
        table = Table(title="numrep demo", title_justify="left", expand=False)
        table.add_column("request")
        table.add_column("status")
        table.add_column("stage")
        for bucket in BUCKETS:
            table.add_column(bucket, justify="right")
        table.add_column("webhooks", justify="right")
        for view in self._views:
            counts = view.bucket_counts()
            table.add_row(
                view.label,
                view.status,
                view.tier,
                *(str(counts[bucket]) for bucket in BUCKETS),
                str(view.webhooks),
            )
        return table


def make_progress(console: Console) -> Progress:
    if console.is_terminal:
        return LiveProgress(console)
    return PlainProgress(console)
