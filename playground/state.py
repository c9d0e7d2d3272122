"""Session-state keys and defaults shared by several pages, and presenter mode.

Everything a participant draws or trains lives in `st.session_state`, which is private to one
browser session. Nothing per-user goes into `st.cache_resource`.
"""

from collections.abc import Mapping

import streamlit as st

PRESENTER = "presenter"  # bool: large cells and fonts for a projector

# --- What pages share, named once ------------------------------------------------------------
# Each page documents its own keys at the top of its module; these are the ones another page
# (or a link, or the Save & load panel) reads too. Nobody else spells them.
LAB_GRID = "lab_grid"  # the lab's drawing (H, W) of 0/1; widgets.set_grid keeps its revision
LAB_N_KERNELS = "lab_n_kernels"  # how many kernels the lab shows, 1 to codec.MAX_KERNELS
TRAIN_RUN = "train_run"  # the Train page's TrainingRun (playground/train_run.py)
LOADED_MODEL = "train_loaded_model"  # a model loaded from a file (playground/save_load.py)
# The presets the lab's kernel editors 1–4 start from (the first is the lecture's); the pages
# that borrow the lab's kernels use the first before the lab was opened.
LAB_DEFAULT_KERNELS = ("deck diagonal /", "deck diagonal \\", "horizontal line", "vertical line")


def lab_kernel(n: int) -> str:
    """The key of the lab's kernel editor n (1 to links.codec.MAX_KERNELS). Its kernel is read with
    ``widgets.kernel_value(ss, lab_kernel(n))`` and loaded with ``widgets.set_kernel``."""
    return f"lab_k{n}"


# --- Widget values with their defaults (each page's session.py declares its own) ------------


def set_defaults(ss, defaults: Mapping[str, object]) -> None:
    """Give each widget key in ``defaults`` its default, once per session. Widgets then take
    their values from session state (never a value= argument), so a link, another page or a
    file may set these keys before the page runs."""
    for key, value in defaults.items():
        ss.setdefault(key, value)


def stored(ss: Mapping, key: str, defaults: Mapping[str, object]):
    """``ss[key]``, or ``defaults[key]`` while it is not set (or None)."""
    value = ss.get(key)
    return defaults[key] if value is None else value


# Cell size in pixels for grids and heatmaps, normal and presenter mode.
CELL_PX = 36
CELL_PX_PRESENTER = 52

# Every page: less empty space above the first line, so more of a page fits in 720 px.
_PAGE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>
"""

# Presenter mode: a projector at 1280×720 seen from the back of a room. Text is enlarged
# element by element, in px, rather than through the root font size: the pages give some
# widgets fixed pixel widths, and a larger root size would also grow their rem-based padding
# until their text no longer fits. Heatmap numbers follow the cell size (`cell_px`,
# `number_px`).
_PRESENTER_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }  /* clear of the header */
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stAlertContentWarning"] p, [data-testid="stAlertContentInfo"] p {
  font-size: 21px !important; line-height: 1.45 !important;
}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
.cnn-maps .hm-caption {
  font-size: 18px !important;
}
.cnn-maps .cnn-maps-heading { font-size: 21px !important; }
[data-testid="stWidgetLabel"] p, [data-testid="stSidebarNavLink"] span,
[data-testid="stBaseButton-secondary"] p, [data-testid="stBaseButton-primary"] p,
[data-testid="stBaseButton-segmented_control"] p, [data-testid="stBaseButton-pills"] p,
[data-testid="stExpander"] summary p { font-size: 19px !important; }
input, textarea { font-size: 19px !important; }
[data-testid="stSelectbox"] input { font-size: 17px !important; }
[data-testid="stSliderThumbValue"], [data-testid="stSliderTickBar"] { font-size: 17px !important; }
h1 { font-size: 46px !important; }
h2 { font-size: 38px !important; }
h3 { font-size: 32px !important; }
[data-testid="stCode"] code,
[data-testid="stMarkdownContainer"] code { font-size: 18px !important; }
[data-testid="stMetricValue"] { font-size: 44px !important; }
[data-testid="stMetricLabel"] p { font-size: 19px !important; }
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
    st.html(_PAGE_CSS)
    if st.session_state[PRESENTER]:
        st.html(_PRESENTER_CSS)


def presenter() -> bool:
    """True when this session is in presenter mode."""
    return bool(st.session_state.get(PRESENTER))


def cell_px() -> int:
    """Cell size in pixels for grids and heatmaps on this session's pages."""
    return CELL_PX_PRESENTER if presenter() else CELL_PX


def fit_cell_px(
    cells_across: int, budget_px: int, *, fixed_px: int = 0, smallest: int, largest: int
) -> int:
    """The one rule every page sizes its cells by: the largest side that puts ``cells_across``
    cells and ``fixed_px`` of other things (margins, gaps) in ``budget_px``, kept between
    ``smallest`` (numbers still readable) and ``largest`` (usually ``cell_px()``)."""
    fit = (budget_px - fixed_px) // max(cells_across, 1)
    return int(max(smallest, min(largest, fit)))


def number_px(cell: int) -> int | None:
    """Size of the numbers written in heatmap cells of side ``cell``: large on a projector,
    None (the heatmap's own default) otherwise."""
    return max(12, round(cell * 0.46)) if presenter() else None
