"""Enterprises through the official Telnyx SDK against a live server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import enterprise_body


def test_sdk_creates_lists_and_deletes(sdk: Any) -> None:
    import telnyx

    created = sdk.enterprises.create(**enterprise_body())
    assert created.data.legal_name == "Bright Smile Dental LLC"
    listed = [item.id for item in sdk.enterprises.list()]
    assert created.data.id in listed
    sdk.enterprises.delete(created.data.id)
    with pytest.raises(telnyx.NotFoundError):
        sdk.enterprises.retrieve(created.data.id)
