"""``numrep demo``: the command that runs the whole demo."""

from __future__ import annotations

import signal
from types import FrameType

import typer
from rich.console import Console

from numrep.demo.run import DemoOptions, run_demo

# Without a terminal, rich would wrap the result tables at 80 columns.
PLAIN_OUTPUT_WIDTH = 160


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    time_scale: float = typer.Option(
        0.001,
        "--time-scale",
        min=0.000001,
        max=1.0,
        help="Multiplier for the sandbox networks' simulated waits; 0.001 turns "
        "each simulated hour into 3.6 s.",
    ),
    timeout: float | None = typer.Option(
        None,
        "--timeout",
        min=0.1,
        help="Seconds that vetting, and then each request, may take before the "
        "demo fails; default: 60 plus twice the scaled simulated time.",
    ),
    keep: bool = typer.Option(
        False,
        "--keep",
        help="Keep the temporary folder (database, scenario file, keys) and print "
        "its path.",
    ),
) -> None:
    """Show numrep's whole job on a throwaway server in under a minute.

    The demo onboards an enterprise, submits two remediation requests whose
    numbers reach every result bucket, and verifies every signed webhook.
    """
    console = Console()
    if not console.is_terminal:
        console = Console(width=PLAIN_OUTPUT_WIDTH)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    options = DemoOptions(time_scale=time_scale, timeout_seconds=timeout, keep=keep)
    try:
        code = run_demo(options, console)
    except KeyboardInterrupt:
        console.print("Interrupted; the demo server is stopped.")
        raise typer.Exit(130) from None
    raise typer.Exit(code)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Raising here unwinds run_demo, which stops the server and removes its files.
    raise KeyboardInterrupt
