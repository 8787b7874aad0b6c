"""The error the demo raises when a step fails."""

from __future__ import annotations


class DemoError(Exception):
    """A failed demo step. The message names the step, the value and the cause."""
