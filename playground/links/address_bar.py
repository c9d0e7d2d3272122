"""The address bar: ``st.query_params`` ⇄ the page's session state.

The app calls ``restore_from_url(url_path)`` once per session before the page runs (a link
opened in a new browser sets the page's session keys), and ``write_url(url_path)`` after the
page ran (the address bar follows every change; assigning only when something changed, so no
extra history entries).
"""

from __future__ import annotations

import streamlit as st

from playground.links.codec import MAX_PARAM_CHARS
from playground.links.pages import LINKED_PAGES, apply_params, session_params
from playground.ui.plain_text import md

NOTICE = "links_notice"  # list of messages about a link that could not be opened
_RESTORED = "links_restored"  # set once the first run of the session has read the URL


def current_params() -> dict[str, list[str]]:
    """``st.query_params`` as ``{key: [values]}``."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _raw_query_string() -> str:
    """The query string the browser sent, even one Streamlit refused to parse (too long)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # pragma: no cover - a Streamlit without it: nothing to report
        return ""
    ctx = get_script_run_ctx()
    return str(getattr(ctx, "query_string", "") or "")


def restore_from_url(url_path: str) -> None:
    """On the session's first run: open the link in the address bar, or say why not.

    A refused link leaves the defaults in place; its problems go to ``st.session_state
    [NOTICE]`` for ``show_notice`` to display, and ``write_url`` replaces the address.
    """
    ss = st.session_state
    if ss.get(_RESTORED):
        return
    ss[_RESTORED] = True
    params = current_params()
    if not params:
        raw = _raw_query_string()
        if len(raw) > MAX_PARAM_CHARS and url_path in LINKED_PAGES:
            # Streamlit drops a query string beyond its own limits before we see it.
            ss[NOTICE] = [f"the link's address is {len(raw):,} characters long; far too long"]
        return
    errors = apply_params(url_path, params, ss)
    if errors:
        ss[NOTICE] = errors


def show_notice() -> None:
    """A clear, dismissable message about a link that could not be opened."""
    errors = st.session_state.get(NOTICE)
    if not errors:
        return
    with st.container(border=True, key="links_notice_box"):
        st.warning(
            "**This link could not be opened**, so the page shows its defaults instead. "
            "What was wrong:\n\n" + "\n".join(f"- {md(e, 300)}" for e in errors[:8]),
            icon=":material/link_off:",
        )
        if st.button("OK", key="links_notice_ok"):
            del st.session_state[NOTICE]
            st.rerun()


def write_url(url_path: str) -> None:
    """Put the page's state into the address bar (only when it changed)."""
    wanted = session_params(url_path, st.session_state)
    if wanted != current_params():
        st.query_params.from_dict(wanted)
