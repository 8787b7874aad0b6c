"""Document endpoints through the in-process app."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from numrep.app import build_services, create_app
from numrep.core.errors import NotFoundError
from numrep.documents import service
from numrep.settings import Settings
from tests.conftest import AccountKeys, make_settings
from tests.documents.samples import b64, sample_image, sample_pdf, stored_document_rows

SMALL_LIMIT = 2048


def upload_json(api: TestClient, data: bytes, **fields: Any) -> Any:
    return api.post("/v2/documents", json={"file": b64(data), **fields})


def assert_invalid(response: Any, *, status: int, code: str, pointer: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["code"] == code
    assert error["source"]["pointer"] == pointer
    assert error["detail"]


@pytest.fixture
def small_limit_api(
    database_url: str, tmp_path: Path, account: AccountKeys
) -> Iterator[TestClient]:
    """The app with a document size limit of ``SMALL_LIMIT`` bytes."""
    settings = make_settings(
        database_url, tmp_path / "small", document_max_bytes=SMALL_LIMIT
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers.update(account.headers())
        yield client


def test_upload_json_stores_pdf(api: TestClient, settings: Settings) -> None:
    pdf = sample_pdf()
    response = upload_json(
        api, pdf, filename="loa.pdf", customer_reference="enterprise-7"
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["record_type"] == "document"
    assert data["filename"] == "loa.pdf"
    assert data["content_type"] == "application/pdf"
    assert data["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert data["size"] == {"amount": len(pdf), "unit": "bytes"}
    assert data["status"] == "verified"
    assert data["customer_reference"] == "enterprise-7"
    assert data["created_at"].endswith("Z")
    assert stored_document_rows(settings.resolved_database_url) == (1, 1)


def test_upload_json_accepts_nested_document(api: TestClient) -> None:
    png = sample_image("PNG")
    response = api.post(
        "/v2/documents", json={"document": {"file": b64(png), "filename": "s.png"}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["content_type"] == "image/png"


def test_upload_json_accepts_data_url_and_line_breaks(api: TestClient) -> None:
    jpeg = sample_image("JPEG")
    encoded = b64(jpeg)
    wrapped = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    response = api.post(
        "/v2/documents", json={"file": f"data:image/jpeg;base64,{wrapped}"}
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["content_type"] == "image/jpeg"
    assert data["filename"] == "document.jpg"
    assert data["sha256"] == hashlib.sha256(jpeg).hexdigest()


def test_upload_multipart_stores_file_part(api: TestClient) -> None:
    png = sample_image("PNG")
    response = api.post(
        "/v2/documents?content-type=multipart",
        files={"file": ("signature scan.png", png, "application/octet-stream")},
        data={"customer_reference": "ref-9"},
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["filename"] == "signature scan.png"
    assert data["content_type"] == "image/png"
    assert data["customer_reference"] == "ref-9"
    download = api.get(f"/v2/documents/{data['id']}/download")
    assert download.content == png


def test_upload_rejects_text_named_pdf(api: TestClient, settings: Settings) -> None:
    response = upload_json(api, b"just some notes\n", filename="letter.pdf")
    assert_invalid(response, status=422, code="10005", pointer="/file")
    assert "letter.pdf" in response.json()["errors"][0]["detail"]
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


def test_upload_rejects_text_named_pdf_in_multipart(
    api: TestClient, settings: Settings
) -> None:
    response = api.post(
        "/v2/documents",
        files={"file": ("letter.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert_invalid(response, status=422, code="10005", pointer="/file")
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


@pytest.mark.parametrize(
    "encoded",
    ["not base64 at all!", "JVBERi0xLjQ", "JVBERi0x*jQ="],
    ids=["symbols", "missing-padding", "bad-character"],
)
def test_upload_rejects_invalid_base64(
    api: TestClient, settings: Settings, encoded: str
) -> None:
    response = api.post("/v2/documents", json={"file": encoded, "filename": "a.pdf"})
    assert_invalid(response, status=422, code="10005", pointer="/file")
    assert "base64" in response.json()["errors"][0]["detail"]
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


def test_upload_points_into_nested_document(api: TestClient) -> None:
    response = api.post("/v2/documents", json={"document": {"file": "%%%"}})
    assert_invalid(response, status=422, code="10005", pointer="/document/file")


def test_upload_rejects_file_over_limit(
    small_limit_api: TestClient, settings: Settings
) -> None:
    oversized = b"%PDF-1.4\n" + b"0" * SMALL_LIMIT
    response = upload_json(small_limit_api, oversized, filename="big.pdf")
    assert_invalid(response, status=413, code="10012", pointer="/file")
    assert str(SMALL_LIMIT) in response.json()["errors"][0]["detail"]
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


def test_upload_rejects_body_over_limit_before_decoding(
    small_limit_api: TestClient, settings: Settings
) -> None:
    huge = b"%PDF-1.4\n" + b"0" * (200 * 1024)
    json_response = upload_json(small_limit_api, huge)
    multipart_response = small_limit_api.post(
        "/v2/documents", files={"file": ("big.pdf", huge, "application/pdf")}
    )
    assert_invalid(json_response, status=413, code="10012", pointer="/file")
    assert_invalid(multipart_response, status=413, code="10012", pointer="/file")
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


def test_upload_accepts_file_at_limit(small_limit_api: TestClient) -> None:
    exact = b"%PDF-1.4\n" + b"0" * (SMALL_LIMIT - 9)
    response = upload_json(small_limit_api, exact)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["size"]["amount"] == SMALL_LIMIT


def test_upload_rejects_url(api: TestClient, settings: Settings) -> None:
    response = api.post("/v2/documents", json={"url": "https://example.com/loa.pdf"})
    assert_invalid(response, status=422, code="10005", pointer="/url")
    assert "URL" in response.json()["errors"][0]["detail"]
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"filename": "a.pdf"}, "/file"),
        ({"file": ""}, "/file"),
        ({"file": b64(b"%PDF-1.4"), "filename": "a\nb.pdf"}, "/filename"),
        ({"file": b64(b"%PDF-1.4"), "filename": "x" * 513}, "/filename"),
        (
            {"file": b64(b"%PDF-1.4"), "customer_reference": "r" * 256},
            "/customer_reference",
        ),
        ({"file": 12345}, "/file"),
    ],
    ids=[
        "missing",
        "empty",
        "control-character",
        "long-name",
        "long-reference",
        "number",
    ],
)
def test_upload_rejects_bad_fields(
    api: TestClient, settings: Settings, body: dict[str, Any], pointer: str
) -> None:
    response = api.post("/v2/documents", json=body)
    assert_invalid(response, status=422, code="10005", pointer=pointer)
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


def test_upload_rejects_malformed_json(api: TestClient) -> None:
    response = api.post(
        "/v2/documents",
        content=b'{"file": ',
        headers={"Content-Type": "application/json"},
    )
    assert_invalid(response, status=422, code="10005", pointer="/")


def test_upload_rejects_other_content_type(api: TestClient) -> None:
    response = api.post(
        "/v2/documents",
        content=sample_pdf(),
        headers={"Content-Type": "application/pdf"},
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "10008"


def test_upload_requires_api_key(app_client: TestClient, settings: Settings) -> None:
    response = app_client.post("/v2/documents", json={"file": b64(sample_pdf())})
    assert response.status_code == 401
    assert stored_document_rows(settings.resolved_database_url) == (0, 0)


def test_download_returns_bytes_and_type(api: TestClient) -> None:
    pdf = sample_pdf("download me")
    created = upload_json(api, pdf, filename="Lettre signée.pdf").json()["data"]
    response = api.get(f"/v2/documents/{created['id']}/download")
    assert response.status_code == 200
    assert response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Lettre%20sign%C3%A9e.pdf" in disposition


def test_retrieve_returns_stored_document(api: TestClient) -> None:
    created = upload_json(api, sample_pdf(), filename="a.pdf").json()["data"]
    response = api.get(f"/v2/documents/{created['id']}")
    assert response.status_code == 200
    assert response.json()["data"] == created


def test_update_changes_filename_and_reference(api: TestClient) -> None:
    created = upload_json(api, sample_pdf(), filename="a.pdf").json()["data"]
    response = api.patch(
        f"/v2/documents/{created['id']}",
        json={"filename": "renamed.pdf", "customer_reference": "ref-2"},
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["filename"] == "renamed.pdf"
    assert data["customer_reference"] == "ref-2"
    assert data["sha256"] == created["sha256"]
    fetched = api.get(f"/v2/documents/{created['id']}").json()["data"]
    assert fetched["filename"] == "renamed.pdf"


def test_update_rejects_null_filename(api: TestClient) -> None:
    created = upload_json(api, sample_pdf(), filename="a.pdf").json()["data"]
    response = api.patch(f"/v2/documents/{created['id']}", json={"filename": None})
    assert_invalid(response, status=422, code="10005", pointer="/filename")
    fetched = api.get(f"/v2/documents/{created['id']}").json()["data"]
    assert fetched["filename"] == "a.pdf"


def test_delete_hides_document_and_removes_bytes(
    api: TestClient, settings: Settings
) -> None:
    created = upload_json(api, sample_pdf(), filename="a.pdf").json()["data"]
    response = api.delete(f"/v2/documents/{created['id']}")
    assert response.status_code == 200
    assert response.json()["data"]["id"] == created["id"]
    assert api.get(f"/v2/documents/{created['id']}").status_code == 404
    assert api.get(f"/v2/documents/{created['id']}/download").status_code == 404
    assert api.delete(f"/v2/documents/{created['id']}").status_code == 404
    assert api.get("/v2/documents").json()["meta"]["total_results"] == 0
    assert stored_document_rows(settings.resolved_database_url) == (1, 0)


def test_list_paginates_newest_first(api: TestClient) -> None:
    ids = [
        upload_json(api, sample_pdf(), filename=f"doc-{i}.pdf").json()["data"]["id"]
        for i in range(3)
    ]
    first = api.get("/v2/documents", params={"page[size]": 2}).json()
    second = api.get(
        "/v2/documents", params={"page[size]": 2, "page[number]": 2}
    ).json()
    assert [item["id"] for item in first["data"]] == ids[::-1][:2]
    assert [item["id"] for item in second["data"]] == ids[::-1][2:]
    assert first["meta"] == {
        "page_number": 1,
        "page_size": 2,
        "total_pages": 2,
        "total_results": 3,
    }


def test_list_filters_and_sorts(api: TestClient) -> None:
    upload_json(api, sample_pdf(), filename="b-loa.pdf", customer_reference="r1")
    upload_json(api, sample_pdf(), filename="a-loa.pdf", customer_reference="r2")
    upload_json(api, sample_pdf(), filename="invoice.pdf", customer_reference="r3")

    by_name = api.get(
        "/v2/documents",
        params={"filter[filename][contains]": "LOA", "sort": "filename"},
    ).json()["data"]
    by_reference = api.get(
        "/v2/documents", params={"filter[customer_reference][eq]": "r3"}
    ).json()["data"]
    in_list = api.get(
        "/v2/documents", params={"filter[customer_reference][in]": "r1,r3"}
    ).json()["data"]

    assert [item["filename"] for item in by_name] == ["a-loa.pdf", "b-loa.pdf"]
    assert [item["filename"] for item in by_reference] == ["invoice.pdf"]
    assert sorted(item["customer_reference"] for item in in_list) == ["r1", "r3"]


def test_list_rejects_unknown_sort(api: TestClient) -> None:
    response = api.get("/v2/documents", params={"sort": "size"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["parameter"] == "sort"


def test_other_account_document_is_404(
    api: TestClient, other_account: AccountKeys
) -> None:
    created = upload_json(api, sample_pdf(), filename="a.pdf").json()["data"]
    path = f"/v2/documents/{created['id']}"
    other = other_account.headers()
    responses = [
        api.get(path, headers=other),
        api.get(f"{path}/download", headers=other),
        api.patch(path, json={"filename": "x.pdf"}, headers=other),
        api.delete(path, headers=other),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "10009"
    assert api.get("/v2/documents", headers=other).json()["data"] == []
    assert api.get(path).json()["data"]["filename"] == "a.pdf"


def test_get_owned_rejects_foreign_and_malformed_ids(
    api: TestClient,
    settings: Settings,
    account: AccountKeys,
    other_account: AccountKeys,
) -> None:
    created = upload_json(api, sample_pdf(), filename="a.pdf").json()["data"]
    services = build_services(settings)
    try:
        with services.db.unit_of_work(write=False) as session:
            found = service.get_owned(
                session, account_id=account.account_id, document_id=created["id"]
            )
            assert str(found.id) == created["id"]
            for account_id, document_id in [
                (other_account.account_id, created["id"]),
                (account.account_id, "not-a-uuid"),
            ]:
                with pytest.raises(NotFoundError):
                    service.get_owned(
                        session, account_id=account_id, document_id=document_id
                    )
    finally:
        services.db.dispose()
