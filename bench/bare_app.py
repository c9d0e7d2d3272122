"""The bare page the browser benchmark compares the lab with: the same drawing grid and one text
element that shows the new numbers (the inked cells) after each click.

Run by ``bench/browser.py``; not part of the app's navigation.
"""

import sys
from pathlib import Path

# Streamlit puts only this file's folder on sys.path; the project root holds `playground`.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from playground.ui.components.grid import draw_grid  # noqa: E402

st.session_state.setdefault("bare_grid", np.zeros((8, 8), dtype=int))
st.session_state.bare_grid = draw_grid(
    st.session_state.bare_grid, key="bare_draw", revision=0, cell_px=34
)
st.text(
    "ink "
    + " ".join(f"{r},{c}" for r, c in zip(*np.nonzero(st.session_state.bare_grid), strict=True))
)
