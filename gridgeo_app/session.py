"""Who is using the app: a login form, a wall key, and what the role allows on each page.

While the store holds no user and no API key the app runs open, as before (the local demo:
`make run`); the first ``gridgeo users add`` turns login on. The wall display can run
unattended with a viewer key given as ``?key=gg_…`` in its URL or ``GRIDGEO_WALL_KEY``.
"""

from __future__ import annotations

import streamlit as st

from gridgeo.access import Action, Identity
from gridgeo.access.roles import roles_for
from gridgeo.config import get_settings
from gridgeo.i18n import t
from gridgeo_app import event_source as data

OPEN_IDENTITY = Identity(name="local", role="admin", kind="open")


def _accounts_exist() -> bool:
    from gridgeo.store import identities

    store = data.store()
    return not (identities.list_users(store).empty and identities.list_keys(store).empty)


def _key_identity(key: str) -> Identity | None:
    from gridgeo.store import identities

    return identities.key_identity(data.store(), key)


def app_identity() -> Identity | None:
    """The session's identity: logged in, a wall key, open mode, or None (login needed)."""
    if "identity" in st.session_state:
        return st.session_state["identity"]
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


def _login_form(lang: str) -> None:
    from gridgeo.store import identities

    st.title(t("login_title", lang))
    st.caption(t("login_intro", lang))
    with st.form("login"):
        user = st.text_input(t("login_user", lang))
        password = st.text_input(t("login_password", lang), type="password")
        if not st.form_submit_button(t("login_submit", lang)):
            return
    try:
        st.session_state["identity"] = identities.login(data.store(), user.strip(), password)
    except identities.LoginRefused as refused:
        if refused.reason == "locked":
            st.error(t("login_locked", lang).format(minutes=int(identities.LOCKOUT.total_seconds() // 60)))
        else:
            st.error(t("login_wrong", lang))
        return
    st.rerun()


def login_gate(lang: str) -> Identity:
    """The identity to run the app as; shows the login form and stops the run when needed."""
    who = app_identity()
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
    if who.kind == "user" and st.sidebar.button(t("logout", lang)):
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
