"""Response bodies of the terms-of-service endpoints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from numrep.core.openapi import PaginationMeta


class TosAgreement(BaseModel):
    """An account's agreement to one version of a product's terms."""

    id: str
    product_type: str
    terms_version: str
    version: str
    agreed_at: datetime
    created_at: datetime


class TosAgreementResponse(BaseModel):
    data: TosAgreement


class TosAgreementList(BaseModel):
    data: list[TosAgreement]
    meta: PaginationMeta


class TosStatus(BaseModel):
    """The account's agreement status for the current terms of a product."""

    product_type: str
    current_terms_version: str
    has_agreed: bool
    agreement_required: bool
    agreed_at: datetime | None
    agreed_version: str | None


class TosStatusResponse(BaseModel):
    data: TosStatus


class TosTerms(BaseModel):
    """The current terms of one product and the page that shows them."""

    product_type: str
    current_version: str
    description: str
    effective_date: date
    terms_url: str


class TosInfoResponse(BaseModel):
    agreements: list[TosTerms]
