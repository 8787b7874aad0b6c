"""The review queue: one page of operator cases with what an operator needs.

Filtering, ordering and paging run in SQL through ``review.service.list_cases``.
The context of a page (enterprises, requests, snapshots, network statuses) is
loaded with one ``IN`` query per kind, for the ids on that page only.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.core.clock import isoformat, utcnow
from numrep.core.pagination import Page, PageParams
from numrep.enterprise.models import Enterprise
from numrep.remediation.models import CaseState, RemediationRequest, ReviewCase
from numrep.reputation.models import (
    ReputationNetworkStatus,
    ReputationNumber,
    ReputationSettings,
    ReputationSnapshot,
)
from numrep.review import service as review

SNAPSHOTS_PER_NUMBER = 5


@dataclass(frozen=True)
class QueueFilters:
    network: str | None = None
    enterprise_id: uuid.UUID | None = None
    min_age_days: float | None = None


@dataclass
class CaseView:
    case: ReviewCase
    enterprise: Enterprise | None
    request: RemediationRequest | None
    loa_document_id: str | None
    other_cases: list[ReviewCase] = field(default_factory=list)
    statuses: list[ReputationNetworkStatus] = field(default_factory=list)
    snapshots: list[ReputationSnapshot] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        deadline = self.case.deadline_at
        return deadline is not None and deadline < utcnow()


def queue_page(
    session: Session, *, filters: QueueFilters, page: PageParams
) -> tuple[Page[ReviewCase], list[CaseView]]:
    opened_before = None
    if filters.min_age_days is not None:
        opened_before = utcnow() - timedelta(days=filters.min_age_days)
    result = review.list_cases(
        session,
        page=page,
        state=CaseState.OPEN,
        network=filters.network,
        enterprise_id=filters.enterprise_id,
        opened_before=opened_before,
    )
    return result, describe_cases(session, result.items)


def describe_cases(session: Session, cases: Sequence[ReviewCase]) -> list[CaseView]:
    if not cases:
        return []
    enterprise_ids = {case.enterprise_id for case in cases}
    enterprises = {
        row.id: row
        for row in session.scalars(
            sa.select(Enterprise).where(Enterprise.id.in_(enterprise_ids))
        )
    }
    requests = {
        row.id: row
        for row in session.scalars(
            sa.select(RemediationRequest).where(
                RemediationRequest.id.in_({case.request_id for case in cases})
            )
        )
    }
    loa = dict(
        session.execute(
            sa.select(
                ReputationSettings.enterprise_id, ReputationSettings.loa_document_id
            ).where(
                ReputationSettings.enterprise_id.in_(enterprise_ids),
                ReputationSettings.closed_at.is_(None),
            )
        ).all()
    )
    views = [
        CaseView(
            case=case,
            enterprise=enterprises.get(case.enterprise_id),
            request=requests.get(case.request_id),
            loa_document_id=loa.get(case.enterprise_id),
        )
        for case in cases
    ]
    _attach_history(session, views)
    return views


def _attach_history(session: Session, views: list[CaseView]) -> None:
    by_number_id: dict[int, list[CaseView]] = defaultdict(list)
    by_phone: dict[str, list[CaseView]] = defaultdict(list)
    for view in views:
        by_number_id[view.case.number_id].append(view)
        by_phone[view.case.phone_number].append(view)
    for other in session.scalars(
        sa.select(ReviewCase)
        .where(ReviewCase.number_id.in_(by_number_id))
        .order_by(ReviewCase.tier, ReviewCase.network)
    ):
        for view in by_number_id[other.number_id]:
            if other.id != view.case.id:
                view.other_cases.append(other)
    registered = dict(
        session.execute(
            sa.select(ReputationNumber.id, ReputationNumber.phone_number).where(
                ReputationNumber.phone_number.in_(by_phone),
                ReputationNumber.removed_at.is_(None),
            )
        ).all()
    )
    if not registered:
        return
    for status in session.scalars(
        sa.select(ReputationNetworkStatus)
        .where(ReputationNetworkStatus.number_id.in_(registered))
        .order_by(ReputationNetworkStatus.network)
    ):
        for view in by_phone[registered[status.number_id]]:
            view.statuses.append(status)
    for snapshot in session.scalars(
        sa.select(ReputationSnapshot)
        .where(ReputationSnapshot.number_id.in_(registered))
        .order_by(ReputationSnapshot.taken_at.desc())
    ):
        for view in by_phone[snapshot.phone_number]:
            if len(view.snapshots) < SNAPSHOTS_PER_NUMBER:
                view.snapshots.append(snapshot)


# One row per case, with the fields the networks' dispute forms ask for: the
# number, the business behind it, how to reach it and why it calls.
CSV_COLUMNS = (
    "network",
    "phone_number",
    "current_label",
    "business_name",
    "doing_business_as",
    "website",
    "fein",
    "industry",
    "contact_name",
    "contact_email",
    "contact_phone",
    "call_purpose",
    "case_id",
    "remediation_id",
    "opened_at",
    "deadline_at",
)


def export_csv(session: Session, case_ids: Sequence[uuid.UUID]) -> str:
    cases = list(
        session.scalars(
            sa.select(ReviewCase)
            .where(ReviewCase.id.in_(case_ids), ReviewCase.manual.is_(True))
            .order_by(ReviewCase.network, ReviewCase.deadline_at, ReviewCase.id)
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for view in describe_cases(session, cases):
        writer.writerow(_csv_row(view))
    return buffer.getvalue()


def _csv_row(view: CaseView) -> list[str]:
    enterprise = view.enterprise
    contact = enterprise.organization_contact if enterprise else {}
    name = " ".join(
        part for part in (contact.get("first_name"), contact.get("last_name")) if part
    )
    request = view.request
    return [
        view.case.network,
        view.case.phone_number,
        view.case.label or "",
        enterprise.legal_name if enterprise else "",
        enterprise.doing_business_as if enterprise else "",
        enterprise.website if enterprise else "",
        enterprise.fein if enterprise else "",
        enterprise.industry if enterprise else "",
        name,
        (request.contact_email if request else None) or contact.get("email") or "",
        contact.get("phone") or contact.get("phone_number") or "",
        request.call_purpose if request else "",
        str(view.case.id),
        str(view.case.request_id),
        isoformat(view.case.created_at) or "",
        isoformat(view.case.deadline_at) or "",
    ]
