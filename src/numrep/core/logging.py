"""structlog over stdlib logging, with phone numbers masked and keys removed."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from numrep.phone.e164 import mask_in_text

_SECRET_FIELDS = frozenset(
    {"api_key", "authorization", "secret", "secret_key", "contact_email", "body"}
)
_BEARER_RE = re.compile(r"(?i)bearer\s+\S+")
_KEY_RE = re.compile(r"nrk_[0-9a-f]{8}_[A-Za-z0-9_\-]+")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        value = _BEARER_RE.sub("Bearer [redacted]", value)
        value = _KEY_RE.sub("[redacted key]", value)
        return mask_in_text(value)
    return value


def scrub_event(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Mask phone numbers and drop secrets from every log event."""
    for key in list(event):
        if key in _SECRET_FIELDS:
            event[key] = "[redacted]"
        else:
            event[key] = _scrub(event[key])
    return event


def configure_logging(*, log_format: str = "console", level: str = "INFO") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        scrub_event,
    ]
    renderer: Any
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dbos"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
