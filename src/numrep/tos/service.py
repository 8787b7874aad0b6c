"""The published terms and the account's agreements to them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from numrep.core.errors import NotFoundError
from numrep.core.pagination import Page, PageParams, paginate
from numrep.tos.models import TosAgreement


class ProductType(StrEnum):
    BRANDED_CALLING = "branded_calling"
    NUMBER_REPUTATION = "number_reputation"


@dataclass(frozen=True, slots=True)
class Terms:
    product_type: ProductType
    version: str
    effective_date: date
    description: str


CURRENT_TERMS: dict[ProductType, Terms] = {
    ProductType.NUMBER_REPUTATION: Terms(
        ProductType.NUMBER_REPUTATION,
        "v1.0.0",
        date(2026, 1, 1),
        "Terms for monitoring and remediating the spam reputation of numbers.",
    ),
    ProductType.BRANDED_CALLING: Terms(
        ProductType.BRANDED_CALLING,
        "v1.0.0",
        date(2026, 1, 1),
        "Terms for branded calling; numrep records agreements but offers no "
        "branded calling.",
    ),
}


@dataclass(frozen=True, slots=True)
class AgreementStatus:
    product_type: ProductType
    current: Terms
    agreement: TosAgreement | None


def agree(
    session: Session, *, account_id: uuid.UUID, product_type: ProductType
) -> TosAgreement:
    """Record agreement to the current terms; agreeing again returns the record."""
    terms = CURRENT_TERMS[product_type]
    existing = _find(session, account_id, product_type, terms.version)
    if existing is not None:
        return existing
    agreement = TosAgreement(
        account_id=account_id, product_type=product_type, terms_version=terms.version
    )
    try:
        with session.begin_nested():
            session.add(agreement)
    except IntegrityError:
        # A concurrent agree won the unique constraint; theirs is the record.
        found = _find(session, account_id, product_type, terms.version)
        if found is None:
            raise
        return found
    return agreement


def status(
    session: Session, *, account_id: uuid.UUID, product_type: ProductType
) -> AgreementStatus:
    terms = CURRENT_TERMS[product_type]
    return AgreementStatus(
        product_type, terms, _find(session, account_id, product_type, terms.version)
    )


def has_agreed(
    session: Session, *, account_id: uuid.UUID, product_type: ProductType
) -> bool:
    return (
        status(session, account_id=account_id, product_type=product_type).agreement
        is not None
    )


def list_agreements(
    session: Session,
    *,
    account_id: uuid.UUID,
    product_type: ProductType | None,
    page: PageParams,
) -> Page[TosAgreement]:
    query = sa.select(TosAgreement).where(TosAgreement.account_id == account_id)
    if product_type is not None:
        query = query.where(TosAgreement.product_type == product_type)
    query = query.order_by(TosAgreement.created_at.desc(), TosAgreement.id.desc())
    return paginate(session, query, page)


def get_agreement(
    session: Session, *, account_id: uuid.UUID, agreement_id: uuid.UUID
) -> TosAgreement:
    agreement = session.get(TosAgreement, agreement_id)
    if agreement is None or agreement.account_id != account_id:
        raise NotFoundError("Terms of service agreement not found.")
    return agreement


def _find(
    session: Session, account_id: uuid.UUID, product_type: ProductType, version: str
) -> TosAgreement | None:
    return session.scalar(
        sa.select(TosAgreement).where(
            TosAgreement.account_id == account_id,
            TosAgreement.product_type == product_type,
            TosAgreement.terms_version == version,
        )
    )
