"""The demo's numbers, the sandbox scenario that fixes their outcomes, and bodies.

Each demo number follows one remediation path. The scenario file fixes the
sandbox networks' results so that each path ends in its intended bucket, and
the demo then checks the buckets that the server reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BUCKETS = ("remediated", "not_flagged", "requires_review", "ineligible", "refused")
NETWORKS = ("hiya", "first_orion", "tns")

# The request from the Telnyx reference page of the submit endpoint.
EXAMPLE_NUMBERS = ("+19493253498", "+12134445566")
EXAMPLE_CALL_PURPOSE = "Appointment reminders for our dental clinic."
EXAMPLE_CONTACT_EMAIL = "ops@example.com"

SECOND_CALL_PURPOSE = "Outbound calls of the numrep demo, one path per result bucket."
SECOND_CONTACT_EMAIL = "demo@example.com"

# Simulated minutes before a sandbox network decides a review.
TIER1_DELAY_MINUTES = 30
TIER2_DELAY_MINUTES = 120


@dataclass(frozen=True, slots=True)
class Path:
    """The sandbox networks' treatment of one number, and its expected bucket."""

    name: str
    bucket: str
    networks: dict[str, dict[str, Any]]
    # The decision the demo records, as an operator, on this number's tier-2
    # cases at networks without an escalation API.
    operator_decision: str | None = None


def _flag(label: str, tier1: str, tier2: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"flagged": True, "label": label, "tier1": tier1}
    if tier2 is not None:
        answer["tier2"] = tier2
    return answer


# first_orion has no escalation API, so a number it keeps flagged after tier 1
# waits for an operator. Only the operator path lets it reach tier 2.
PATHS = (
    Path("not flagged anywhere", "not_flagged", {}),
    Path(
        "cleared at tier 1",
        "remediated",
        {name: _flag("Spam Likely", "cleared") for name in NETWORKS},
    ),
    Path(
        "upheld at tier 1, cleared at tier 2",
        "remediated",
        {
            "hiya": _flag("Telemarketer", "upheld", "cleared"),
            "tns": _flag("Telemarketer", "upheld", "cleared"),
        },
    ),
    Path(
        "upheld at both tiers",
        "refused",
        {"hiya": _flag("Scam Likely", "upheld", "upheld")},
    ),
    Path(
        "more information asked at both tiers",
        "requires_review",
        {"tns": _flag("Survey", "needs_more_information", "needs_more_information")},
    ),
    Path(
        "upheld at tier 1, cleared by an operator",
        "remediated",
        {"first_orion": _flag("Debt Collector", "upheld")},
        operator_decision="cleared",
    ),
)
PATHS_BY_NAME = {path.name: path for path in PATHS}
CLEARED_AT_TIER1 = PATHS_BY_NAME["cleared at tier 1"]
NOT_FLAGGED = PATHS_BY_NAME["not flagged anywhere"]


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """The registered numbers, the two batches and each number's path."""

    paths: dict[str, Path]
    first_batch: tuple[str, ...]
    second_batch: tuple[str, ...]

    @property
    def registered(self) -> list[str]:
        return list(self.paths)

    def expected_bucket(self, number: str, *, second_batch: bool) -> str:
        """Return the bucket the number should reach in the given batch.

        A number of the first batch that the second batch repeats was just
        reviewed, so the second request accepts it as ``ineligible``.
        """
        if second_batch and number in self.first_batch:
            return "ineligible"
        return self.paths[number].bucket


def build_plan(second_batch_size: int = 28) -> DemoPlan:
    """Assign a path to every demo number, cycling through ``PATHS``.

    The second batch repeats the first example number, which the first request
    remediates, so the cooldown makes it ``ineligible`` there.
    """
    paths = {EXAMPLE_NUMBERS[0]: CLEARED_AT_TIER1, EXAMPLE_NUMBERS[1]: NOT_FLAGGED}
    # Area code 312 with the 555-01xx lines, which are reserved for fiction.
    generated = [f"+1312555{100 + index:04d}" for index in range(second_batch_size)]
    for index, number in enumerate(generated):
        paths[number] = PATHS[index % len(PATHS)]
    return DemoPlan(
        paths=paths,
        first_batch=EXAMPLE_NUMBERS,
        second_batch=(*generated, EXAMPLE_NUMBERS[0]),
    )


def scenario(plan: DemoPlan) -> dict[str, Any]:
    """Return the sandbox scenario file that gives each number its path."""
    numbers: dict[str, Any] = {}
    for number, path in plan.paths.items():
        if path.networks:
            numbers[number] = {"networks": path.networks}
    return {
        "description": "numrep demo: each number follows one remediation path.",
        "rules": [
            {
                "match": {"prefix": "+1"},
                "flagged": False,
                "tier1_delay_minutes": TIER1_DELAY_MINUTES,
                "tier2_delay_minutes": TIER2_DELAY_MINUTES,
            }
        ],
        "numbers": numbers,
    }


def first_request_body(webhook_url: str) -> dict[str, Any]:
    """Return the example request, with the demo's receiver as ``webhook_url``."""
    return {
        "call_purpose": EXAMPLE_CALL_PURPOSE,
        "phone_numbers": list(EXAMPLE_NUMBERS),
        "contact_email": EXAMPLE_CONTACT_EMAIL,
        "webhook_url": webhook_url,
    }


def second_request_body(plan: DemoPlan, webhook_url: str) -> dict[str, Any]:
    return {
        "call_purpose": SECOND_CALL_PURPOSE,
        "phone_numbers": list(plan.second_batch),
        "contact_email": SECOND_CONTACT_EMAIL,
        "webhook_url": webhook_url,
    }


def enterprise_body() -> dict[str, Any]:
    """Return a ``POST /v2/enterprises`` body for the example dental clinic."""
    address = {
        "street_address": "600 Congress Ave",
        "city": "Austin",
        "administrative_area": "TX",
        "postal_code": "78701",
        "country": "US",
    }
    return {
        "legal_name": "Bright Smile Dental LLC",
        "doing_business_as": "Bright Smile Dental",
        "organization_type": "commercial",
        "organization_legal_type": "llc",
        "country_code": "US",
        "jurisdiction_of_incorporation": "Texas",
        "website": "https://brightsmile.example.com",
        "fein": "12-3456789",
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
