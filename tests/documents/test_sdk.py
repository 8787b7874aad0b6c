"""Documents and the LOA through the official Telnyx SDK against a live server."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.documents.samples import b64, pdf_text, sample_image, sample_pdf
from tests.support.factories import enterprise_body


def test_sdk_uploads_retrieves_and_downloads(sdk: Any) -> None:
    pdf = sample_pdf("signed by hand")
    png = sample_image("PNG")

    from_json = sdk.documents.upload_json(
        document={"file": b64(pdf), "filename": "loa.pdf", "customer_reference": "e1"}
    ).data
    from_multipart = sdk.documents.upload(
        document={"file": b64(png), "filename": "loa-page.png"}
    ).data

    assert from_json.filename == "loa.pdf"
    assert from_json.content_type == "application/pdf"
    assert from_json.sha256 == hashlib.sha256(pdf).hexdigest()
    assert from_json.size.amount == len(pdf)
    assert from_json.customer_reference == "e1"
    assert from_multipart.content_type == "image/png"
    assert from_multipart.size.amount == len(png)

    retrieved = sdk.documents.retrieve(from_json.id).data
    assert retrieved.id == from_json.id
    assert retrieved.sha256 == from_json.sha256
    assert sdk.documents.download(from_json.id).read() == pdf
    assert sdk.documents.download(from_multipart.id).read() == png

    listed = {
        item.id for item in sdk.documents.list(filter={"filename": {"contains": "loa"}})
    }
    assert listed == {from_json.id, from_multipart.id}
    renamed = sdk.documents.update(from_json.id, filename="loa-signed.pdf").data
    assert renamed.filename == "loa-signed.pdf"


def test_sdk_delete_then_retrieve_is_not_found(sdk: Any) -> None:
    import telnyx

    created = sdk.documents.upload_json(
        document={"file": b64(sample_pdf()), "filename": "old.pdf"}
    ).data
    deleted = sdk.documents.delete(created.id).data
    assert deleted.id == created.id
    with pytest.raises(telnyx.NotFoundError):
        sdk.documents.retrieve(created.id)


def test_sdk_upload_rejects_text_file(sdk: Any) -> None:
    import telnyx

    with pytest.raises(telnyx.UnprocessableEntityError) as caught:
        sdk.documents.upload_json(
            document={"file": b64(b"plain text"), "filename": "letter.pdf"}
        )
    error = caught.value.body["errors"][0]
    assert error["source"]["pointer"] == "/file"
    assert list(sdk.documents.list()) == []


def test_sdk_renders_loa(sdk: Any) -> None:
    enterprise = sdk.enterprises.create(**enterprise_body()).data

    unsigned = sdk.enterprises.reputation.loa.render(enterprise.id).read()
    signed = sdk.enterprises.reputation.loa.render(
        enterprise.id,
        signature={
            "image_base64": b64(sample_image("PNG")),
            "signer_name": "Ana Reyes",
        },
    ).read()

    assert unsigned.startswith(b"%PDF")
    assert signed.startswith(b"%PDF")
    assert enterprise.legal_name in pdf_text(unsigned)
    assert enterprise.legal_name in pdf_text(signed)
    assert len(signed) > len(unsigned)
