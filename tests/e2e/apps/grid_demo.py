"""A tiny app that exercises the drawing grid, for its AppTest and browser tests only.

It writes what Python receives (pixel count, revision, how many edits arrived, the grid as
text) so the tests can check the Python side, not only the picture.
"""

import sys
import time
from pathlib import Path

# Streamlit puts only this file's folder on sys.path; the project root holds `playground`.
_ROOT = Path(__file__).resolve().parents[3]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from playground.ui.components.grid import draw_grid  # noqa: E402

GRID_KEY = "demo_grid"
MIRROR_KEY = "demo_mirror"


def x_pattern(size: int) -> np.ndarray:
    """Both diagonals: the preset the tests load."""
    grid = np.eye(size, dtype=int)
    return np.maximum(grid, grid[:, ::-1])


def clear() -> None:
    st.session_state.grid = np.zeros_like(st.session_state.grid)
    st.session_state.grid_rev += 1


def load_x() -> None:
    st.session_state.grid = x_pattern(st.session_state.grid.shape[0])
    st.session_state.grid_rev += 1


def resize() -> None:
    """Keep the top-left part of the drawing in the new size."""
    size = st.session_state.size
    old = st.session_state.grid
    new = np.zeros((size, size), dtype=int)
    n = min(size, old.shape[0])
    new[:n, :n] = old[:n, :n]
    st.session_state.grid = new
    st.session_state.grid_rev += 1


st.set_page_config(page_title="Grid demo", layout="wide")
st.session_state.setdefault("grid", np.zeros((8, 8), dtype=int))
st.session_state.setdefault("grid_rev", 0)
st.session_state.setdefault("edits", 0)

left, right = st.columns(2)
with left:
    st.slider("Grid size", 5, 16, value=8, key="size", on_change=resize)
    # A slider that changes nothing about the grid: moving it reruns the script, which is
    # where a stale component state would bring an old drawing back.
    st.slider("Unrelated", 0, 10, value=0, key="unrelated")
    show_window = st.checkbox("Show window", key="show_window")
    # Stands in for a page whose rerun takes a while (many heatmaps), so a test can draw
    # while Python is still busy with the previous stroke.
    slow = st.checkbox("Slow reruns", key="slow")
    window_top = st.number_input("Window top", -2, 16, value=1, key="window_top")
    c1, c2 = st.columns(2)
    c1.button("Clear", key="clear", on_click=clear)
    c2.button("Preset X", key="preset_x", on_click=load_x)

with right:
    highlight = (int(window_top), 2, 3, 3) if show_window else None
    before = st.session_state.grid
    grid = draw_grid(
        before,
        key=GRID_KEY,
        revision=st.session_state.grid_rev,
        highlight=highlight,
        label="Draw here",
    )
    if not np.array_equal(grid, before):
        st.session_state.edits += 1
    if slow:
        time.sleep(0.5)
    st.session_state.grid = grid
    draw_grid(
        grid[:, ::-1],
        key=MIRROR_KEY,
        revision=st.session_state.grid_rev,
        readonly=True,
        cell_px=20,
        label="Mirror (read-only)",
    )

with st.container(key="report"):
    st.text(
        f"pixels={int(grid.sum())} rev={st.session_state.grid_rev} "
        f"edits={st.session_state.edits} shape={grid.shape[0]}x{grid.shape[1]} "
        f"unrelated={st.session_state.unrelated} slow={slow}"
    )
    st.code("\n".join("".join(str(v) for v in row) for row in grid), language=None)
