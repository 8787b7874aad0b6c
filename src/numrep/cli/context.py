"""Shared helpers of CLI commands: settings and a database of the current config."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from numrep.app import build_services
from numrep.core.deps import Services
from numrep.core.logging import configure_logging
from numrep.settings import get_settings


def services() -> Services:
    settings = get_settings()
    configure_logging(log_format=settings.log_format, level="WARNING")
    return build_services(settings)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    current = services()
    try:
        with current.db.unit_of_work() as session:
            yield session
    finally:
        current.db.dispose()
