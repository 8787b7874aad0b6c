"""Terms of service through the official Telnyx SDK against a live server."""

from __future__ import annotations

from typing import Any

import httpx


def test_sdk_agrees_and_reads_terms(sdk: Any) -> None:
    before = sdk.terms_of_service.retrieve_status(product_type="number_reputation")
    assert before.data.agreement_required is True
    assert before.data.has_agreed is False

    first = sdk.terms_of_service.number_reputation.agree().data
    second = sdk.terms_of_service.number_reputation.agree().data
    assert second.id == first.id
    assert first.product_type == "number_reputation"
    assert first.version == first.terms_version

    after = sdk.terms_of_service.retrieve_status(product_type="number_reputation")
    assert after.data.has_agreed is True
    assert after.data.agreement_required is False
    assert after.data.agreed_version == first.terms_version
    assert after.data.current_terms_version == first.terms_version

    agreements = list(sdk.terms_of_service.agreements.list())
    assert [agreement.id for agreement in agreements] == [first.id]
    fetched = sdk.terms_of_service.agreements.retrieve(first.id).data
    assert fetched.agreed_at == first.agreed_at


def test_sdk_terms_url_serves_the_terms(sdk: Any) -> None:
    info = sdk.terms_of_service.retrieve_info(product_type="number_reputation")
    assert len(info.agreements) == 1
    published = info.agreements[0]
    assert published.product_type == "number_reputation"

    page = httpx.get(published.terms_url, timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    assert f"version {published.current_version}" in page.text
    assert published.effective_date.isoformat() in page.text
