"""Request bodies and rows that tests build again and again."""

from __future__ import annotations

import itertools
from typing import Any

_fein_counter = itertools.count(100_000_001)


def enterprise_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``POST /enterprises`` body with a FEIN unique in the test run."""
    address = {
        "street_address": "600 Congress Ave",
        "city": "Austin",
        "administrative_area": "TX",
        "postal_code": "78701",
        "country": "US",
    }
    body: dict[str, Any] = {
        "legal_name": "Bright Smile Dental LLC",
        "doing_business_as": "Bright Smile Dental",
        "organization_type": "commercial",
        "organization_legal_type": "llc",
        "country_code": "US",
        "jurisdiction_of_incorporation": "Texas",
        "website": "https://brightsmile.example.com",
        "fein": str(next(_fein_counter)),
        "industry": "healthcare",
        "number_of_employees": "11-50",
        "organization_contact": {
            "first_name": "Ana",
            "last_name": "Reyes",
            "email": "ana@example.com",
            "job_title": "Operations Manager",
            "phone_number": "+15125550143",
        },
        "billing_contact": {
            "first_name": "Sam",
            "last_name": "Ortiz",
            "email": "billing@example.com",
            "phone_number": "+15125550144",
        },
        "organization_physical_address": dict(address),
        "billing_address": dict(address),
    }
    body.update(overrides)
    return body
