"""The app's sign-in and sign-out: two small Starlette routes served beside Streamlit by
``app_server.py`` (``st.App(routes=...)``), because a Streamlit script cannot set an HttpOnly
cookie.

- ``POST /session/signin`` (form: user, password, next): the store's sign-in rule
  (:func:`gridgeo.store.identities.login`, throttled per client address and name), then a
  server-side session (:mod:`gridgeo.store.app_sessions`) and its signed id in an HttpOnly,
  SameSite=Strict cookie; 303 back to ``next`` (a path of this site only). A refusal goes back
  with ``?signin=wrong|locked|disabled`` (no secret in the URL).
- ``POST /session/signout``: ends the session in the store, deletes the cookie, 303 to ``/``.

The script reads the cookie from ``st.context.cookies`` (:mod:`gridgeo_app.session`).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gridgeo.access.session_cookie import COOKIE_NAME
from gridgeo.config import get_settings

SIGNIN_PATH = "/session/signin"
SIGNOUT_PATH = "/session/signout"
COOKIE_DAYS = 30  # the browser keeps the cookie this long; the server ends the session sooner
ACTIVE = False  # set by app_server.py when these routes are served (else the script's own form)


def _next(raw: object) -> str:
    """A path of this site to go back to ("/" for anything else: no open redirect)."""
    text = str(raw or "/")
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text


def _same_origin(request: Request) -> bool:
    """A form posted from this site (Origin, when the browser sends it, names this host)."""
    origin = request.headers.get("origin")
    return origin is None or origin == "null" or urlsplit(origin).netloc == request.headers.get("host")


def client(request: Request) -> str:
    """The browser's address (X-Forwarded-For only from GRIDGEO_TRUSTED_PROXIES)."""
    peer = request.client.host if request.client else ""
    return get_settings().client_of(peer, request.headers.getlist("x-forwarded-for"))


def _with_flag(path: str, flag: str) -> str:
    parts = urlsplit(path)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("signin="))
    return f"{parts.path}?{query + '&' if query else ''}signin={flag}"


def _sign_in(user: str, password: str, address: str) -> tuple[str | None, str]:
    """(cookie value, "ok") or (None, why) — blocking: runs on a worker thread."""
    from gridgeo.store import app_sessions, identities
    from gridgeo_app import event_source as data

    if not user or "\x00" in user or "\x00" in password or len(user) > 200 or len(password) > 1000:
        return None, "wrong"
    try:
        who = identities.login(data.store(), user, password, client=address)
    except identities.LoginRefused as refused:
        return None, {"locked": "locked", "disabled": "disabled"}.get(refused.reason, "wrong")
    return app_sessions.start(data.store(), who, address), "ok"


async def sign_in(request: Request) -> Response:
    """Check the form's user and password; on success set the session cookie and go back."""
    form = await request.form()
    back = _next(form.get("next"))
    if not _same_origin(request):
        return Response("cross-site sign-in refused", status_code=403)
    cookie, why = await asyncio.to_thread(_sign_in, str(form.get("user") or "").strip(),
                                          str(form.get("password") or ""), client(request))
    if cookie is None:
        return RedirectResponse(_with_flag(back, why), status_code=303)
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(COOKIE_NAME, cookie, max_age=COOKIE_DAYS * 86400, path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


async def sign_out(request: Request) -> Response:
    """End this browser's session in the store and delete its cookie."""
    from gridgeo.store import app_sessions
    from gridgeo_app import event_source as data

    if not _same_origin(request):
        return Response("cross-site sign-out refused", status_code=403)
    await asyncio.to_thread(app_sessions.end, data.store(), request.cookies.get(COOKIE_NAME))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


ROUTES = [Route(SIGNIN_PATH, sign_in, methods=["POST"]), Route(SIGNOUT_PATH, sign_out, methods=["POST"])]
