"""Enqueueing stage workflows inside the caller's transaction.

Any process can enqueue, with or without a running worker: the message is a row
in DBOS's tables, in the same database as ours, written by the caller's session.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from dbos import DBOSClient, EnqueueOptions
from sqlalchemy import Connection
from sqlalchemy.orm import Session

_clients: dict[str, DBOSClient] = {}
_lock = threading.Lock()


def _client_for(session: Session) -> DBOSClient:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    url = engine.url.render_as_string(hide_password=False)
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = DBOSClient(system_database_url=url)
            _clients[url] = client
        return client


def enqueue(
    session: Session,
    *,
    queue: str,
    workflow: str,
    workflow_id: str,
    args: Sequence[Any] = (),
    delay_seconds: float | None = None,
) -> None:
    """Enqueue ``workflow`` so it commits or rolls back with the caller's rows.

    A ``workflow_id`` already in use attaches to that workflow instead of adding
    one, so a retried step never schedules the same stage twice.
    """
    options = EnqueueOptions(
        queue_name=queue, workflow_name=workflow, workflow_id=workflow_id
    )
    if delay_seconds is not None and delay_seconds > 0:
        options["delay_seconds"] = delay_seconds
    _client_for(session).enqueue_in_transaction(session, options, *args)


def workflow_statuses(session: Session, workflow_ids: Sequence[str]) -> dict[str, str]:
    """Return the DBOS status (ENQUEUED, DELAYED, ERROR, ...) of each known id.

    Ids without a workflow are missing from the result. The lookup runs on the
    DBOS client's own connection, outside the caller's transaction.
    """
    if not workflow_ids:
        return {}
    found = _client_for(session).list_workflows(
        workflow_ids=list(workflow_ids), load_input=False, load_output=False
    )
    return {status.workflow_id: str(status.status) for status in found}


def resume_workflows(
    session: Session, workflow_ids: Sequence[str], *, queue: str
) -> None:
    """Put stopped workflows (ERROR, CANCELLED) back on ``queue`` to run again."""
    if workflow_ids:
        _client_for(session).resume_workflows(list(workflow_ids), queue_name=queue)


def close_clients() -> None:
    with _lock:
        for client in _clients.values():
            client.destroy()
        _clients.clear()
