"""Scraping ``/metrics``, reading its samples, and submitting remediation work."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.remediation.test_pipeline import PURPOSE, wait_for_status

# Two sandbox networks: hiya flags every number, so each one gets a tier-1 case
# there, and tns fails every call, so its calls count as network errors.
NETWORKS = json.dumps(
    [
        {"name": "hiya", "kind": "sandbox", "flag_rate": 1.0},
        {"name": "tns", "kind": "sandbox", "error_rate": 1.0},
    ]
)
NETWORK_ERRORS = "numrep_network_errors_total"


@dataclass(frozen=True)
class Scrape:
    """The samples of one scrape, by sample name (``_total``, ``_bucket`` ...)."""

    samples: dict[str, list[Sample]]
    types: dict[str, str]

    def value(self, name: str, **labels: str) -> float:
        """Return the sample with exactly these labels, or 0.0 when absent."""
        for sample in self.samples.get(name, []):
            if sample.labels == labels:
                return sample.value
        return 0.0

    def matching(self, name: str, **labels: str) -> list[Sample]:
        """Return the samples whose labels include ``labels``."""
        return [
            sample
            for sample in self.samples.get(name, [])
            if labels.items() <= sample.labels.items()
        ]

    def total(self, name: str, **labels: str) -> float:
        return sum(sample.value for sample in self.matching(name, **labels))


def parse(text: str) -> Scrape:
    samples: dict[str, list[Sample]] = {}
    types: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return Scrape(samples, types)


def scrape(base_url: str, headers: Mapping[str, str] | None = None) -> Scrape:
    response = httpx.get(f"{base_url}/metrics", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def submit(
    http: httpx.Client,
    enterprise_id: str,
    numbers: list[str],
    *,
    webhook_url: str | None,
) -> str:
    """Submit a remediation request and wait until it has completed."""
    path = f"/v2/enterprises/{enterprise_id}/reputation/remediation"
    body: dict[str, Any] = {"phone_numbers": numbers, "call_purpose": PURPOSE}
    if webhook_url is not None:
        body["webhook_url"] = webhook_url
    created = http.post(path, json=body)
    assert created.status_code == 202, created.text
    request_id: str = created.json()["data"]["id"]
    wait_for_status(
        lambda: http.get(f"{path}/{request_id}").json()["data"], "completed"
    )
    return request_id
