"""The drawing grid: a Streamlit custom component (v2, no iframe, works offline).

Python owns the grid. A page keeps the grid and a revision number in session state and calls

    st.session_state.grid = draw_grid(
        st.session_state.grid, key="lab_grid", revision=st.session_state.grid_rev
    )

The browser draws on its own copy and sends the whole grid back once per stroke, tagged with the
revision it was drawn on. Whenever Python replaces the grid (Clear, a preset, a new size, a
shift...), it bumps the revision *before* calling `draw_grid`, best in the button's `on_click`
callback:

    def clear():
        st.session_state.grid = np.zeros_like(st.session_state.grid)
        st.session_state.grid_rev += 1

Why the revision: Streamlit keeps the component's last reported state and the browser sends it
again on every rerun. Without a revision, moving any slider after Clear would bring the old
drawing back. With it, an edit drawn on an older revision is ignored, and the new grid reaches
the browser through `data`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import streamlit as st

from playground.ui.components import assets

__all__ = ["current_grid", "draw_grid", "resolve_grid"]

_HERE = Path(__file__).resolve().parent

# Grids from 1×1 to 32×32; the pages use 5–16.
MAX_SIDE = 32
MIN_CELL_PX, MAX_CELL_PX = 8, 120
_STATE = "grid"  # the component's state key: {"rev": int, "seq": int, "cells": [[0/1...]...]}

# Its JS and CSS are served as files, not sent with every stroke (see components/assets.py).
_component = assets.declare(_HERE, html="grid.html", css="grid.css", js="grid.js")


def draw_grid(
    grid: np.ndarray,
    *,
    key: str,
    revision: int,
    cell_px: int = 36,
    readonly: bool = False,
    highlight: Sequence[int] | None = None,
    label: str | None = None,
) -> np.ndarray:
    """Show a 0/1 grid the user can draw on, and return the grid as it is now.

    Parameters
    ----------
    grid : (H, W) array of 0/1
        The grid as the caller holds it (the source of truth), 1 ≤ H, W ≤ 32.
    key : str
        Unique key of this grid on the page (several grids may share a page).
    revision : int
        Bump it whenever the caller replaces the grid. The user's edit is used only when it was
        drawn on this revision; edits drawn on another one are stale and ignored.
    cell_px : int
        Side of one cell in CSS pixels (8–120), the same as heatmaps it should line up with.
        The drawing is W × cell_px + 6 px wide (frame and room for the highlight); in a
        narrower column it scrolls sideways rather than shrinking its cells.
    readonly : bool
        Show the grid without editing (e.g. a transformed copy). Always shows `grid`.
    highlight : (top, left, h, w) or None
        A rectangle to outline, in cells, e.g. the sliding window; parts outside the grid are
        clipped away. It may change on every rerun without disturbing drawing.
    label : str or None
        Text shown above the grid; also its accessible name.

    Returns
    -------
    (H, W) int array of 0/1: the user's latest edit when it belongs to `revision`, otherwise a
    copy of `grid`. Store it back in session state.
    """
    cells = _check_grid(grid)
    _check_args(key, revision, cell_px, highlight)

    # Resolve the browser's edit before mounting, so `data` carries the grid Python will use
    # and the browser shows exactly that. The component's state is in session state already:
    # it arrived with the rerun this edit caused.
    stroke = _stroke_in_session(key)
    current = cells if readonly else resolve_grid(cells, revision, stroke)
    # Sent as JSON bytes made by orjson: given a dict, Streamlit scans it for data frames
    # (a typing-Protocol check per value) and encodes it with json.dumps, on every stroke.
    result = _component(
        key=key,
        data=orjson.dumps(
            {
                "grid": current.tolist(),
                "rev": int(revision),
                "ack": _seq(stroke),
                "readonly": bool(readonly),
                "cell_px": int(cell_px),
                "highlight": None if highlight is None else [int(v) for v in highlight],
                "label": label,
                "key": key,
            }
        ),
        default={_STATE: None},
        width="stretch",
        on_grid_change=_ignore,
    )
    reported = result.get(_STATE) if result is not None else None
    if not readonly and reported is not None and reported != stroke:
        # Not expected (the mount returns the same state we read); trust the mount.
        return resolve_grid(cells, revision, reported)
    return current


def resolve_grid(grid: np.ndarray, revision: int, stroke: Any) -> np.ndarray:
    """The grid to use now: the browser's edit if it was drawn on `revision`, else `grid`.

    `stroke` is the component's state, `{"rev": int, "seq": int, "cells": [[0/1...]...]}` or
    None. An edit drawn on another revision, of another shape, or malformed, is ignored: the
    caller replaced the grid after the user drew it (Clear, preset, resize).

    grid : (H, W) int array of 0/1 -> (H, W) int array of 0/1 (always a new array)
    """
    grid = np.array(grid, dtype=int)
    if not isinstance(stroke, Mapping) or stroke.get("rev") != revision:
        return grid
    try:
        cells = np.array(stroke.get("cells"), dtype=int)
    except (TypeError, ValueError):
        return grid
    if cells.shape != grid.shape or not np.isin(cells, (0, 1)).all():
        return grid
    return cells


def current_grid(grid: np.ndarray, *, key: str, revision: int) -> np.ndarray:
    """What ``draw_grid(grid, key=key, revision=revision)`` will return on this run, without
    drawing anything yet.

    A page that computes from the drawing can then prepare everything first and send the
    grid and its results together (see the lab: elements sent close together reach the
    browser in one go).
    """
    return resolve_grid(_check_grid(grid), revision, _stroke_in_session(key))


def _ignore() -> None:
    """Streamlit exposes a component's state only when it has an `on_<name>_change` callback."""


def _stroke_in_session(key: str) -> Any:
    """The last state the browser reported for this component, if any."""
    try:
        value = st.session_state[key]
    except (KeyError, AttributeError):
        return None
    return value.get(_STATE) if isinstance(value, Mapping) else None


def _seq(stroke: Any) -> int:
    """The stroke number of a reported state, telling the browser which strokes Python saw."""
    if isinstance(stroke, Mapping):
        seq = stroke.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
            return seq
    return 0


def _check_grid(grid: Any) -> np.ndarray:
    try:
        cells = np.asarray(grid)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"grid must be a 2-D array of 0/1, got {type(grid).__name__}") from exc
    if cells.ndim != 2:
        raise ValueError(f"grid must be a 2-D array of 0/1, got an array of shape {cells.shape}")
    h, w = cells.shape
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise ValueError(f"grid must be between 1×1 and {MAX_SIDE}×{MAX_SIDE} cells, got {h}×{w}")
    if cells.dtype == bool:
        return cells.astype(int)
    if not np.issubdtype(cells.dtype, np.number) or not np.isin(cells, (0, 1)).all():
        bad = sorted({str(v) for v in np.unique(cells) if v not in (0, 1)})[:5]
        raise ValueError(f"grid must hold only 0 and 1, found {', '.join(bad)}")
    return cells.astype(int)


def _check_args(key: Any, revision: Any, cell_px: Any, highlight: Any) -> None:
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty string, got {key!r}")
    if not _is_int(revision):
        raise ValueError(f"revision must be an integer, got {revision!r}")
    if not _is_int(cell_px) or not MIN_CELL_PX <= cell_px <= MAX_CELL_PX:
        raise ValueError(
            f"cell_px must be an integer from {MIN_CELL_PX} to {MAX_CELL_PX}, got {cell_px!r}"
        )
    if highlight is not None:
        if (
            isinstance(highlight, str | bytes)
            or not isinstance(highlight, Sequence | np.ndarray)
            or len(highlight) != 4
            or not all(_is_int(v) for v in highlight)
        ):
            raise ValueError(
                f"highlight must be None or four integers (top, left, h, w), got {highlight!r}"
            )
        if highlight[2] < 1 or highlight[3] < 1:
            raise ValueError(
                f"highlight height and width must be at least 1, got {tuple(highlight)}"
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)
