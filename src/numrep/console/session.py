"""Console sign-in: a signed session cookie, its CSRF token and the operator.

The cookie contains the operator key's id (never the key), the account id and a
random CSRF token, signed with the server secret by ``itsdangerous``. Every
request checks that the key still exists, is not revoked and is an operator key,
so revoking the key ends its console sessions.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from numrep.account.models import ApiKey, KeyRole
from numrep.core.deps import get_services

COOKIE_NAME = "numrep_console"
COOKIE_PATH = "/console"
SESSION_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SALT = "numrep.console.session"


class SignInRequiredError(Exception):
    """Raised when a request has no valid console session; the handler redirects."""


class CsrfRejectedError(Exception):
    """Raised when a POST lacks the CSRF token of its session."""


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    csrf: str
    key_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}"


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_services(request).secret_key, salt=_SALT)


def read_session(request: Request) -> ConsoleSession | None:
    """Return the session of a cookie with a valid signature and age, else None."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data: dict[str, Any] = _serializer(request).loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    csrf = data.get("csrf")
    if not isinstance(csrf, str) or not csrf:
        return None
    try:
        key_id = uuid.UUID(data["key"]) if data.get("key") else None
        account_id = uuid.UUID(data["account"]) if data.get("account") else None
    except (ValueError, TypeError):
        return None
    return ConsoleSession(csrf=csrf, key_id=key_id, account_id=account_id)


def anonymous_session() -> ConsoleSession:
    return ConsoleSession(csrf=secrets.token_urlsafe(32))


def write_session(request: Request, response: Response, value: ConsoleSession) -> None:
    data = {
        "csrf": value.csrf,
        "key": str(value.key_id) if value.key_id else None,
        "account": str(value.account_id) if value.account_id else None,
    }
    response.set_cookie(
        COOKIE_NAME,
        _serializer(request).dumps(data),
        max_age=SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="lax")


def _key_is_active_operator(request: Request, key_id: uuid.UUID) -> bool:
    with get_services(request).db.unit_of_work(write=False) as session:
        key = session.get(ApiKey, key_id)
        return (
            key is not None
            and key.revoked_at is None
            and key.role == KeyRole.OPERATOR.value
        )


def require_operator(request: Request) -> ConsoleSession:
    """Return the signed-in operator's session or raise ``SignInRequiredError``."""
    value = read_session(request)
    if value is None or value.key_id is None:
        raise SignInRequiredError
    if not _key_is_active_operator(request, value.key_id):
        raise SignInRequiredError
    return value


def csrf_matches(value: ConsoleSession | None, sent: object) -> bool:
    """Compare a submitted token with the session's in constant time."""
    if value is None or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(sent, value.csrf)


async def check_csrf(
    request: Request, operator: Annotated[ConsoleSession, Depends(require_operator)]
) -> ConsoleSession:
    """Reject a POST whose form field or header does not carry the session token."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not csrf_matches(operator, sent):
        raise CsrfRejectedError
    return operator


OperatorSession = Annotated[ConsoleSession, Depends(require_operator)]
CheckedSession = Annotated[ConsoleSession, Depends(check_csrf)]
