"""Request and response bodies of the enterprise endpoints."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from numrep.core.openapi import PaginationMeta
from numrep.phone.e164 import E164_PATTERN

INDUSTRIES = frozenset(
    {
        "accounting", "finance", "billing", "collections", "business", "charity",
        "nonprofit", "communications", "telecom", "customer service", "support",
        "delivery", "shipping", "logistics", "education", "financial", "banking",
        "government", "public", "healthcare", "health", "pharmacy", "medical",
        "insurance", "legal", "law", "notifications", "scheduling", "real estate",
        "property", "retail", "ecommerce", "sales", "marketing", "software",
        "technology", "tech", "media", "surveys", "market research", "travel",
        "hospitality", "hotel",
    }
)  # fmt: skip


class OrganizationType(StrEnum):
    COMMERCIAL = "commercial"
    GOVERNMENT = "government"
    NON_PROFIT = "non_profit"


class OrganizationLegalType(StrEnum):
    CORPORATION = "corporation"
    LLC = "llc"
    PARTNERSHIP = "partnership"
    NONPROFIT = "nonprofit"
    OTHER = "other"


class NumberOfEmployees(StrEnum):
    E1_10 = "1-10"
    E11_50 = "11-50"
    E51_200 = "51-200"
    E201_500 = "201-500"
    E501_2000 = "501-2000"
    E2001_10000 = "2001-10000"
    E10001 = "10001+"


class RoleType(StrEnum):
    ENTERPRISE = "enterprise"
    BPO = "bpo"


class CountryCode(StrEnum):
    US = "US"
    CA = "CA"


def _industry(value: str) -> str:
    normalized = value.strip().lower()
    if normalized not in INDUSTRIES:
        raise ValueError(
            f"{value!r} is not a known industry; use one of: "
            + ", ".join(sorted(INDUSTRIES))
        )
    return normalized


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Phone = Annotated[str, StringConstraints(pattern=E164_PATTERN, max_length=20)]
Fein = Annotated[
    str, StringConstraints(pattern=r"^(\d{2}-\d{7}|\d{9})$", max_length=20)
]
Industry = Annotated[str, AfterValidator(_industry)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class OrganizationContact(Strict):
    first_name: Annotated[Text, Field(max_length=255)]
    last_name: Annotated[Text, Field(max_length=255)]
    email: EmailStr
    job_title: Annotated[Text, Field(max_length=255)]
    phone_number: Phone


class BillingContact(Strict):
    first_name: Annotated[Text, Field(max_length=255)]
    last_name: Annotated[Text, Field(max_length=255)]
    email: EmailStr
    phone_number: Phone


class Address(Strict):
    street_address: Annotated[Text, Field(max_length=255)]
    city: Annotated[Text, Field(max_length=100)]
    administrative_area: Annotated[Text, Field(max_length=100)]
    postal_code: Annotated[Text, Field(max_length=20)]
    country: CountryCode
    extended_address: Annotated[str | None, Field(max_length=255)] = None


class EnterpriseCreate(Strict):
    legal_name: Annotated[str, Field(min_length=3, max_length=64)]
    doing_business_as: Annotated[Text, Field(max_length=255)]
    organization_type: OrganizationType
    organization_legal_type: OrganizationLegalType
    country_code: CountryCode
    jurisdiction_of_incorporation: Annotated[Text, Field(max_length=100)]
    website: Annotated[Text, Field(max_length=255)]
    fein: Fein
    industry: Industry
    number_of_employees: NumberOfEmployees
    organization_contact: OrganizationContact
    billing_contact: BillingContact
    organization_physical_address: Address
    billing_address: Address
    corporate_registration_number: Annotated[str | None, Field(max_length=100)] = None
    customer_reference: Annotated[str | None, Field(max_length=255)] = None
    dun_bradstreet_number: Annotated[
        str | None, Field(pattern=r"^\d{9}$", max_length=20)
    ] = None
    primary_business_domain_sic_code: Annotated[
        str | None, Field(pattern=r"^\d{4}$", max_length=10)
    ] = None
    professional_license_number: Annotated[str | None, Field(max_length=100)] = None
    role_type: RoleType = RoleType.ENTERPRISE


class EnterpriseUpdate(Strict):
    """Every field optional: only the fields sent change."""

    legal_name: Annotated[str, Field(min_length=3, max_length=64)] | None = None
    doing_business_as: Annotated[Text, Field(max_length=255)] | None = None
    organization_legal_type: OrganizationLegalType | None = None
    jurisdiction_of_incorporation: Annotated[Text, Field(max_length=100)] | None = None
    website: Annotated[Text, Field(max_length=255)] | None = None
    fein: Fein | None = None
    industry: Industry | None = None
    number_of_employees: NumberOfEmployees | None = None
    organization_contact: OrganizationContact | None = None
    billing_contact: BillingContact | None = None
    organization_physical_address: Address | None = None
    billing_address: Address | None = None
    corporate_registration_number: Annotated[str | None, Field(max_length=100)] = None
    customer_reference: Annotated[str | None, Field(max_length=255)] = None
    dun_bradstreet_number: Annotated[
        str | None, Field(pattern=r"^\d{9}$", max_length=20)
    ] = None
    primary_business_domain_sic_code: Annotated[
        str | None, Field(pattern=r"^\d{4}$", max_length=10)
    ] = None
    professional_license_number: Annotated[str | None, Field(max_length=100)] = None

    @field_validator(
        "legal_name",
        "doing_business_as",
        "organization_legal_type",
        "jurisdiction_of_incorporation",
        "website",
        "fein",
        "industry",
        "number_of_employees",
        "organization_contact",
        "billing_contact",
        "organization_physical_address",
        "billing_address",
        mode="before",
    )
    @classmethod
    def _reject_null(cls, value: Any) -> Any:
        # These fields are required on create; only the optional ones can be
        # cleared with null.
        if value is None:
            raise ValueError(
                "null is not allowed for this field; omit it to keep the current value."
            )
        return value


# Server-assigned or immutable fields that a PUT body may not carry (400).
IMMUTABLE_FIELDS = (
    "id",
    "record_type",
    "created_at",
    "updated_at",
    "organization_type",
    "country_code",
    "role_type",
    "number_reputation_enabled",
    "branded_calling_enabled",
    "bpo_verification_status",
    "bpo_verification_rejection_reason",
)

# Fields vetted for number reputation; they are locked while it is enabled.
VETTED_FIELDS = (
    "legal_name",
    "doing_business_as",
    "website",
    "fein",
    "industry",
    "number_of_employees",
    "organization_physical_address",
    "organization_contact",
    "dun_bradstreet_number",
)


class EnterprisePublic(BaseModel):
    """``EnterprisePublic``: an enterprise as every endpoint returns it."""

    id: str
    record_type: str
    legal_name: str
    doing_business_as: str
    organization_type: str
    organization_legal_type: str
    country_code: str
    jurisdiction_of_incorporation: str
    website: str
    fein: str
    industry: str
    number_of_employees: str
    organization_contact: dict[str, Any]
    billing_contact: dict[str, Any]
    organization_physical_address: dict[str, Any]
    billing_address: dict[str, Any]
    corporate_registration_number: str | None
    customer_reference: str | None
    dun_bradstreet_number: str | None
    primary_business_domain_sic_code: str | None
    professional_license_number: str | None
    role_type: str
    bpo_verification_status: str | None
    bpo_verification_rejection_reason: str | None
    branded_calling_enabled: bool
    number_reputation_enabled: bool
    created_at: datetime
    updated_at: datetime


class EnterpriseResponse(BaseModel):
    data: EnterprisePublic


class EnterpriseList(BaseModel):
    data: list[EnterprisePublic]
    meta: PaginationMeta
