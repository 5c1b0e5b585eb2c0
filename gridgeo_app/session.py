"""Who is using the app: a login form, a wall key, and what the role allows on each page.

While the store holds no user and no API key the app runs open, as before (the local demo:
`make run`); the first ``gridgeo users add`` turns login on. The wall display can run
unattended with a viewer key given as ``?key=gg_…`` in its URL or ``GRIDGEO_WALL_KEY``.

Served by ``app_server.py`` (``make run``) the login form posts to ``/session/signin``
(:mod:`gridgeo_app.auth_routes`), which sets an HttpOnly session cookie: every run reads it from
``st.context.cookies`` and asks the store whether its session still lives
(:func:`gridgeo.store.app_sessions.identity`), so a sign-in survives a reload, a new tab and a
bookmark until sign-out, the idle limit or the account's change. Under ``streamlit run app.py``
(and AppTest) the form is Streamlit's own and the sign-in lasts as long as the tab.
"""

from __future__ import annotations

import contextlib
import html
import time
from urllib.parse import urlencode

import streamlit as st

from gridgeo.access import Action, Identity
from gridgeo.access.roles import roles_for
from gridgeo.access.session_cookie import COOKIE_NAME
from gridgeo.config import get_settings
from gridgeo.i18n import t
from gridgeo_app import auth_routes
from gridgeo_app import event_source as data
from gridgeo_app.scope import WHO_KEY

OPEN_IDENTITY = Identity(name="local", role="admin", kind="open")


def _accounts_exist() -> bool:
    from gridgeo.store import identities

    store = data.store()
    return not (identities.list_users(store).empty and identities.list_keys(store).empty)


def _key_identity(key: str) -> Identity | None:
    from gridgeo.store import identities

    return identities.key_identity(data.store(), key)


RECHECK_S = 10.0  # a cookie session is asked again of the store at most this often per tab


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except (AttributeError, RuntimeError):  # no browser request
        return None
    return value if isinstance(value, str) else None  # (AppTest's context is a mock)


def _cookie_identity(cookie: str) -> Identity | None:
    """The user of this browser's session cookie, if the store says it still lives."""
    from datetime import timedelta

    from gridgeo.config import get_settings
    from gridgeo.store import app_sessions

    idle = timedelta(hours=get_settings().app_session_idle_h)
    return app_sessions.identity(data.store(), cookie, idle)


def _from_cookie() -> Identity | None:
    """The identity of the session cookie, checked with the store every RECHECK_S (so sign-out
    elsewhere, the idle limit or a disabled account ends this tab's session too)."""
    cookie = _cookie()
    if not cookie:
        return None
    held = st.session_state.get("_cookie_check")
    if held and held[0] == cookie and time.monotonic() - held[1] < RECHECK_S:
        return held[2]
    who = _cookie_identity(cookie)
    st.session_state["_cookie_check"] = (cookie, time.monotonic(), who)
    return who


def client_address() -> str:
    """The browser's address (for the sign-in throttle and the audit log)."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return "app"
    return address if isinstance(address, str) and address else "app"  # (AppTest's context is a mock)


def app_identity() -> Identity | None:
    """The session's identity: signed in (cookie or this tab), a wall key, open mode, or None
    (login needed)."""
    held = st.session_state.get("identity")
    if held is not None and held.kind == "user" and st.session_state.get("_via_cookie"):
        who = _from_cookie()
        if who is None:  # signed out elsewhere, idle, disabled: this tab is signed out too
            st.session_state.pop("identity", None)
            st.session_state.pop("_via_cookie", None)
            return app_identity()
        st.session_state["identity"] = who
        return who
    if held is not None:
        return held
    who = _from_cookie()
    if who is not None:
        st.session_state["identity"], st.session_state["_via_cookie"] = who, True
        return who
    key = st.query_params.get("key") or get_settings().wall_key
    if key:
        who = _key_identity(key)
        if who is None:
            st.error(t("bad_wall_key"))
            st.stop()
        st.session_state["identity"] = who
        return who
    if not _accounts_exist():
        return OPEN_IDENTITY
    return None


def _refusal(reason: str, lang: str) -> str:
    from gridgeo.store import identities

    if reason == "locked":
        return t("login_locked", lang).format(minutes=int(identities.LOCKOUT.total_seconds() // 60))
    return t("login_wrong", lang)


def _here() -> str:
    """This page's path and query (without the sign-in flag): where the sign-in comes back to."""
    path = "/"
    with contextlib.suppress(AttributeError, RuntimeError):
        path = "/" + (st.context.url or "").split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    query = urlencode({k: v for k, v in st.query_params.to_dict().items() if k not in ("signin", "key")})
    return path + (f"?{query}" if query else "")


def _cookie_login_form(lang: str) -> None:
    """The sign-in form posted to /session/signin (no Streamlit rerun; the cookie is HttpOnly)."""
    flag = st.query_params.get("signin")
    if flag in ("wrong", "locked", "disabled"):
        st.error(_refusal(flag, lang))
    user, password, submit = (html.escape(t(k, lang)) for k in ("login_user", "login_password", "login_submit"))
    st.html(f"""<form method="post" action="{auth_routes.SIGNIN_PATH}" class="gg-signin">
  <input type="hidden" name="next" value="{html.escape(_here())}">
  <label>{user}<br><input name="user" autocomplete="username" required autofocus></label>
  <label>{password}<br><input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">{submit}</button>
</form>""")
    # a style apart: the pages hide element containers holding a <style> (gridgeo_app.screen)
    st.html("""<style>
.gg-signin { display: flex; flex-direction: column; gap: 0.8rem; max-width: 24rem; }
.gg-signin input { width: 100%; padding: 0.5rem; font-size: 1rem; box-sizing: border-box;
  border: 1px solid rgba(49, 51, 63, 0.3); border-radius: 0.5rem; }
.gg-signin button { align-self: flex-start; padding: 0.45rem 1.2rem; font-size: 1rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.3); background: transparent; cursor: pointer; }
</style>""")


def _login_form(lang: str) -> None:
    from gridgeo.store import identities

    st.title(t("login_title", lang))
    st.caption(t("login_intro", lang))
    if auth_routes.ACTIVE:
        _cookie_login_form(lang)
        return
    with st.form("login"):
        user = st.text_input(t("login_user", lang))
        password = st.text_input(t("login_password", lang), type="password")
        if not st.form_submit_button(t("login_submit", lang)):
            return
    try:
        st.session_state["identity"] = identities.login(data.store(), user.strip(), password, client=client_address())
    except identities.LoginRefused as refused:
        st.error(_refusal(refused.reason, lang))
        return
    st.rerun()


def login_gate(lang: str) -> Identity:
    """The identity to run the app as; shows the login form and stops the run when needed."""
    who = app_identity()
    st.session_state[WHO_KEY] = who  # what gridgeo_app.scope scopes this run to
    if who is None:
        _login_form(lang)
        st.stop()
    _sidebar(who, lang)
    return who


def _sidebar(who: Identity, lang: str) -> None:
    if who.kind == "open":
        st.sidebar.caption(t("open_mode", lang))
        return
    st.sidebar.caption(t("logged_in_as", lang).format(name=who.name, role=t(f"role_{who.role}", lang)))
    if who.kind == "user" and st.session_state.get("_via_cookie"):
        with st.sidebar:  # the cookie is HttpOnly: only the server can end it
            st.html(f"""<form method="post" action="{auth_routes.SIGNOUT_PATH}">
  <button type="submit" class="gg-signout">{html.escape(t("logout", lang))}</button></form>""")
            st.html("""<style>.gg-signout { padding: 0.3rem 1rem; border-radius: 0.5rem; border: 1px solid rgba(49, 51, 63, 0.3);
  background: transparent; cursor: pointer; font-size: 0.95rem; }</style>""")
    elif who.kind == "user" and st.sidebar.button(t("logout", lang)):
        st.session_state.pop("identity", None)
        st.rerun()


def signed_in() -> Identity | None:
    """The logged-in user or key of the session (None in open mode)."""
    who = st.session_state.get("identity")
    return who if who is not None and who.kind != "open" else None


def may(action: Action) -> bool:
    """True when the session's identity may do ``action`` (open mode may do everything)."""
    who = st.session_state.get("identity") or app_identity() or OPEN_IDENTITY
    return who.may(action)


def not_allowed_text(action: Action, lang: str) -> str:
    """Why the session's role may not do ``action``, in the page language."""
    who = st.session_state.get("identity") or OPEN_IDENTITY
    roles = ("、" if lang == "zh" else ", ").join(t(f"role_{r}", lang) for r in roles_for(action))
    return t("not_allowed", lang).format(role=t(f"role_{who.role}", lang), roles=roles)
