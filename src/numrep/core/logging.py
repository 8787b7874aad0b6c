"""structlog over stdlib logging, with phone numbers masked and keys removed."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from numrep.phone.e164 import mask

_SECRET_FIELDS = frozenset(
    {"api_key", "authorization", "secret", "secret_key", "contact_email", "body"}
)
_BEARER_RE = re.compile(r"(?i)bearer\s+\S+")
_KEY_RE = re.compile(r"nrk_[0-9a-f]{8}_[A-Za-z0-9_\-]+")
# Phone numbers standing alone, not digit runs inside a longer token: the last
# group of a UUID can hold ten digits in a row and must stay intact.
_NORTH_AMERICAN_RE = re.compile(r"(?<![0-9A-Za-z])\+?1?[2-9][0-9]{9}(?![0-9A-Za-z])")
_INTERNATIONAL_RE = re.compile(r"(?<![0-9A-Za-z])\+[2-9][0-9]{7,14}(?![0-9A-Za-z])")
# uvicorn's loggers propagate to the root handler once their own are removed.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def _mask_match(match: re.Match[str]) -> str:
    return mask(match.group(0))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        value = _BEARER_RE.sub("Bearer [redacted]", value)
        value = _KEY_RE.sub("[redacted key]", value)
        value = _INTERNATIONAL_RE.sub(_mask_match, value)
        return _NORTH_AMERICAN_RE.sub(_mask_match, value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
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


def add_request_id_key(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Add ``request_id: null`` outside a request, so every JSON line has the key."""
    event.setdefault("request_id", None)
    return event


def configure_logging(*, log_format: str = "console", level: str = "INFO") -> None:
    """Send numrep's, uvicorn's and DBOS's records through one stderr handler.

    ``log_format`` is ``console`` or ``json``. Calling it again replaces the
    handler, so the last call wins.
    """
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
        shared.append(add_request_id_key)
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
    # Python warnings go to stderr as plain text unless they become log records.
    logging.captureWarnings(True)

    for name in _UVICORN_LOGGERS:
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True

    # At launch DBOS 3.4.0 adds its own console handler to "dbos" and turns
    # propagation off, unless the logger already has a handler. Giving it ours
    # keeps one formatter and no duplicate lines.
    dbos_logger = logging.getLogger("dbos")
    dbos_logger.handlers[:] = [handler]
    dbos_logger.propagate = False
    dbos_logger.filters[:] = [_drop_hosted_console_hint]


def _drop_hosted_console_hint(record: logging.LogRecord) -> bool:
    """Drop DBOS's launch hint that points at its hosted console.

    numrep sets no Conductor key, so DBOS opens no connection; the hint only
    suggests that the server talks to a third-party site.
    """
    return not record.getMessage().startswith("To view and manage workflows")
