"""Console plumbing: templates, static files, sign-in and sign-out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import structlog
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from numrep.account.service import authenticate
from numrep.console.session import (
    CSRF_FIELD,
    ConsoleSession,
    CsrfRejectedError,
    SignInRequiredError,
    anonymous_session,
    clear_session,
    csrf_matches,
    read_session,
    write_session,
)
from numrep.core.clock import isoformat
from numrep.core.deps import get_services
from numrep.core.errors import NumrepError
from numrep.phone.e164 import mask

log = structlog.get_logger(__name__)

HERE = Path(__file__).parent
PREFIX = "/console"

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["iso"] = isoformat
templates.env.filters["mask"] = mask

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def render(
    request: Request,
    name: str,
    session: ConsoleSession,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    values = {
        "session": session,
        "csrf_field": CSRF_FIELD,
        "notice": request.query_params.get("notice"),
        "error": request.query_params.get("error"),
        **context,
    }
    return templates.TemplateResponse(request, name, values, status_code=status_code)


def redirect(path: str, **message: str) -> RedirectResponse:
    query = ""
    if message:
        query = ("&" if "?" in path else "?") + urlencode(message)
    return RedirectResponse(f"{PREFIX}{path}{query}", status_code=303)


def back_path(path: str, default: str) -> str:
    """Return a console page path for a redirect, relative to ``PREFIX``.

    Only paths inside the console are accepted, so a form cannot send the
    operator to another site.
    """
    if not path.startswith(f"{PREFIX}/") or path.startswith(f"{PREFIX}//"):
        return default
    parts = urlsplit(path.removeprefix(PREFIX))
    # The previous page's message must not come back with the next one.
    query_pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name not in ("notice", "error")
    ]
    if not query_pairs:
        return parts.path
    return f"{parts.path}?{urlencode(query_pairs)}"


def error_text(error: NumrepError) -> str:
    return " ".join(item.detail for item in error.items)


@router.get("/signin")
def signin_page(request: Request) -> Response:
    session = read_session(request) or anonymous_session()
    response = render(request, "signin.html", session, {})
    write_session(request, response, session)
    return response


@router.post("/signin")
def signin(
    request: Request,
    api_key: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    current = read_session(request)
    if current is None or not csrf_matches(current, csrf_token):
        raise CsrfRejectedError
    services = get_services(request)
    with services.db.unit_of_work(write=False) as db_session:
        principal = authenticate(db_session, services.secret_key, api_key.strip())
    if principal is None or not principal.is_operator:
        message = (
            "The API key is invalid or has been revoked."
            if principal is None
            else "This key is a customer key; the console accepts operator API "
            "keys only. Sign in with an operator key."
        )
        log.info("console.signin_rejected", operator=principal is not None)
        return render(
            request, "signin.html", current, {"signin_error": message}, status_code=403
        )
    signed_in = ConsoleSession(
        csrf=anonymous_session().csrf,
        key_id=principal.key_id,
        account_id=principal.account_id,
    )
    response = redirect("/")
    write_session(request, response, signed_in)
    log.info("console.signed_in", key_id=str(principal.key_id))
    return response


@router.post("/signout")
def signout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    current = read_session(request)
    if current is None or not csrf_matches(current, csrf_token):
        raise CsrfRejectedError
    response = redirect("/signin", notice="Signed out.")
    clear_session(response)
    return response


def _to_signin(request: Request, exc: Exception) -> Response:
    del request, exc
    return redirect("/signin")


def _csrf_rejected(request: Request, exc: Exception) -> Response:
    del exc
    log.warning("console.csrf_rejected", path=request.url.path)
    return PlainTextResponse(
        "The form's CSRF token is missing or does not match this session. Reload "
        "the page and submit the form again.",
        status_code=403,
    )


def install(app: FastAPI) -> None:
    """Mount the console pages, their static files and error handlers on ``app``."""
    from numrep.console import pages, review_pages, verification_pages

    app.include_router(router)
    app.include_router(pages.router)
    app.include_router(review_pages.router)
    app.include_router(verification_pages.router)
    app.mount(
        f"{PREFIX}/static",
        StaticFiles(directory=HERE / "static"),
        name="console-static",
    )
    app.add_exception_handler(SignInRequiredError, _to_signin)
    app.add_exception_handler(CsrfRejectedError, _csrf_rejected)
