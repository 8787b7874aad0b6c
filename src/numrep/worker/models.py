"""The heartbeat table through which worker processes watch each other."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from numrep.core.db import Base


class WorkerHeartbeat(Base):
    """The last sign of life of one DBOS executor (a worker process)."""

    __tablename__ = "worker_heartbeats"

    executor_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    # Comma-separated names of the queues the executor serves.
    queues: Mapped[str] = mapped_column(sa.String(255))
    host: Mapped[str] = mapped_column(sa.String(255))
    pid: Mapped[int]
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    # The executor that recovered this one's pending workflows after it went
    # silent; cleared when this executor beats again.
    recovered_by: Mapped[str | None] = mapped_column(sa.String(128))
    recovered_at: Mapped[datetime | None]
