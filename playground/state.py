"""Session-state keys and defaults shared by several pages.

Everything a participant draws or trains lives in `st.session_state`, which is private to one
browser session. Nothing per-user goes into `st.cache_resource`.
"""

import streamlit as st

PRESENTER = "presenter"  # bool: large cells and fonts for a projector

# Cell size in pixels for grids and heatmaps, normal and presenter mode.
CELL_PX = 36
CELL_PX_PRESENTER = 52

_PRESENTER_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 20px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.1rem; }
h1 { font-size: 2.4rem !important; }
</style>
"""


def presenter_toggle() -> None:
    """Sidebar switch for presenter mode; remembered for the session."""
    st.session_state.setdefault(PRESENTER, False)
    st.sidebar.toggle(
        "Presenter mode",
        key=PRESENTER,
        help="Large cells, numbers and fonts for a projector.",
    )
    if st.session_state[PRESENTER]:
        st.html(_PRESENTER_CSS)


def cell_px() -> int:
    """Cell size in pixels for grids and heatmaps on this session's pages."""
    return CELL_PX_PRESENTER if st.session_state.get(PRESENTER) else CELL_PX
