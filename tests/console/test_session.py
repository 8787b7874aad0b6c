"""Console sign-in, session cookies and CSRF checks, in process."""

from __future__ import annotations

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from numrep.console.session import COOKIE_NAME, COOKIE_PATH
from tests.conftest import TEST_SECRET, AccountKeys
from tests.console.helpers import csrf_of, sign_in


def test_operator_key_signs_in(app_client: TestClient, account: AccountKeys) -> None:
    response = sign_in(app_client, account.operator_key)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert f"Path={COOKIE_PATH}" in cookie
    assert account.operator_key not in cookie
    dashboard = app_client.get("/console/")
    assert dashboard.status_code == 200
    assert "Requests by status" in dashboard.text


def test_customer_key_rejected(app_client: TestClient, account: AccountKeys) -> None:
    response = sign_in(app_client, account.api_key)
    assert response.status_code == 403
    assert "operator API keys only" in response.text
    after = app_client.get("/console/", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"] == "/console/signin"


def test_unknown_key_rejected(app_client: TestClient) -> None:
    response = sign_in(app_client, "KEY-not-a-real-key")
    assert response.status_code == 403
    assert "invalid or has been revoked" in response.text


def test_pages_need_sign_in(app_client: TestClient) -> None:
    for path in (
        "/console/",
        "/console/queue",
        "/console/approvals",
        "/console/webhooks",
    ):
        response = app_client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/console/signin", path


def test_post_without_csrf_rejected(
    app_client: TestClient, account: AccountKeys
) -> None:
    assert sign_in(app_client, account.operator_key).status_code == 303
    for path, data in (
        ("/console/queue/decide", {"decision": "cleared"}),
        ("/console/signout", {}),
        (
            "/console/approvals/00000000-0000-0000-0000-000000000001",
            {"action": "approve"},
        ),
    ):
        response = app_client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403, path
        assert "CSRF token" in response.text, path
    assert app_client.get("/console/", follow_redirects=False).status_code == 200


def test_post_with_wrong_csrf_rejected(
    app_client: TestClient, account: AccountKeys
) -> None:
    assert sign_in(app_client, account.operator_key).status_code == 303
    token = csrf_of(app_client.get("/console/queue").text)
    response = app_client.post(
        "/console/queue/decide",
        data={"decision": "cleared", "csrf_token": token[::-1]},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_signin_without_csrf_rejected(
    app_client: TestClient, account: AccountKeys
) -> None:
    app_client.get("/console/signin")
    response = app_client.post(
        "/console/signin",
        data={"api_key": account.operator_key},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")


def test_cookie_of_other_secret_rejected(
    app_client: TestClient, account: AccountKeys
) -> None:
    assert sign_in(app_client, account.operator_key).status_code == 303
    genuine = app_client.cookies.get(COOKIE_NAME)
    assert genuine is not None
    payload = URLSafeTimedSerializer(TEST_SECRET, salt="numrep.console.session").loads(
        genuine
    )
    forged = URLSafeTimedSerializer(
        "another-secret", salt="numrep.console.session"
    ).dumps(payload)
    app_client.cookies.clear()
    app_client.cookies.set(COOKIE_NAME, forged, path=COOKIE_PATH)
    response = app_client.get("/console/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/signin"


def test_signout_ends_session(app_client: TestClient, account: AccountKeys) -> None:
    assert sign_in(app_client, account.operator_key).status_code == 303
    token = csrf_of(app_client.get("/console/").text)
    response = app_client.post(
        "/console/signout", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    after = app_client.get("/console/", follow_redirects=False)
    assert after.status_code == 303
