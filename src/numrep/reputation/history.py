"""The stored reputation snapshots of one number, newest first."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.clock import isoformat
from numrep.core.errors import InvalidParametersError, NotFoundError
from numrep.core.pagination import Page, PageParams, paginate
from numrep.enterprise import service as enterprises
from numrep.phone.e164 import is_e164
from numrep.reputation.models import ReputationNumber, ReputationSnapshot


def list_snapshots(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    phone_number: str,
    page: PageParams,
) -> Page[ReputationSnapshot]:
    """List the snapshots taken of a number under the enterprise, newest first.

    A number removed from the enterprise keeps its history, so any number ever
    registered there is found; a number never registered there is a 404.
    """
    enterprises.get_owned(session, account_id=account_id, enterprise_id=enterprise_id)
    if not is_e164(phone_number):
        raise InvalidParametersError.at(
            f"{phone_number!r} is not an E.164 number; send it as +1NPANXXXXXX "
            "with the + literal or encoded as %2B.",
            parameter="phone_number",
        )
    registered = session.scalar(
        sa.select(sa.func.count())
        .select_from(ReputationNumber)
        .where(
            ReputationNumber.enterprise_id == enterprise_id,
            ReputationNumber.phone_number == phone_number,
        )
    )
    if not registered:
        raise NotFoundError(
            f"{phone_number} has never been registered under enterprise "
            f"{enterprise_id}."
        )
    query = (
        sa.select(ReputationSnapshot)
        .where(
            ReputationSnapshot.enterprise_id == enterprise_id,
            ReputationSnapshot.phone_number == phone_number,
        )
        .order_by(ReputationSnapshot.taken_at.desc(), ReputationSnapshot.id.desc())
    )
    return paginate(session, query, page)


def render_snapshot(snapshot: ReputationSnapshot) -> dict[str, Any]:
    return {
        "record_type": "reputation_snapshot",
        "id": str(snapshot.id),
        "phone_number": snapshot.phone_number,
        "taken_at": isoformat(snapshot.taken_at),
        "spam_risk": snapshot.spam_risk,
        "spam_category": snapshot.spam_category,
        "maturity_score": snapshot.maturity_score,
        "connection_score": snapshot.connection_score,
        "engagement_score": snapshot.engagement_score,
        "sentiment_score": snapshot.sentiment_score,
        "networks": snapshot.networks,
    }
