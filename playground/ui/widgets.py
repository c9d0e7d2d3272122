"""Shared widgets: heatmaps with a number in every cell, the kernel editor, grid controls.

Every page draws its maps with these, so a 3 looks like a 3 everywhere:

* ``heatmap(z, title=...)`` describes a map (``playground.ui.heatmap``); ``show_map(hm, key)``
  draws it as HTML (``components.maps``: a millisecond to update, for maps that change on
  every click), and ``show_heatmap(heatmap_figure(z, ...), key)`` with plotly, with the same
  colours, numbers and frames.
* ``kernel_editor(key, default)`` is a grid of text boxes; a bad cell is named in a message and
  the last good kernel is kept, so the page never computes with garbage.
* ``init_grid`` / ``set_grid`` / ``grid_toolbar`` keep a drawing in session state with the
  revision number the drawing component needs (the component's docstring says why: without
  it, the browser's last stroke would come back after Clear).

Nothing here computes a convolution: the numbers come from ``cnn_core``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st
from plotly.basedatatypes import BaseFigure

from cnn_core import grids, kernels
from cnn_core.trace import format_number
from cnn_core.untrusted import shorten
from playground.links import codec
from playground.ui.components.maps import map_panel, show_maps
from playground.ui.heatmap import (  # noqa: F401  (re-exported: the pages name them as widgets.…)
    HIGHLIGHT_COLOR,
    INK_SCALE,
    POSITIVE_SCALE,
    SECOND_HIGHLIGHT_COLOR,
    SIGNED_SCALE,
    Heatmap,
    Rect,
    cell_text,
    describe,
    to_plotly,
)
from playground.ui.plain_text import md

# --- heatmaps --------------------------------------------------------------------------------
# A map is described once (playground.ui.heatmap); the pages draw it with plotly (show_heatmap)
# or as HTML (show_map). The scales and colours are re-exported for the pages that name them.


def heatmap(z, **kwargs) -> Heatmap:
    """``playground.ui.heatmap.describe``: the map of ``z`` for ``show_map`` (its keywords)."""
    return describe(z, **kwargs)


def heatmap_figure(z, **kwargs) -> dict:
    """The map of ``z`` as a plain-dict plotly figure for ``show_heatmap`` (no ``go.Figure``:
    dicts are about twice as fast to build and send). Keywords as ``heatmap.describe``."""
    return to_plotly(describe(z, **kwargs))


# The toolbar shows on hover with only the PNG download (plotly.js is bundled by Streamlit,
# so it works offline); zoom and pan make no sense on a grid of fixed cells.
PLOTLY_CONFIG = {
    "displayModeBar": "hover",
    "displaylogo": False,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "scrollZoom": False,
    "doubleClick": False,
    "showTips": False,
    "responsive": False,
}


def _unvalidated(fig: dict):
    """The dict as a plotly figure that Streamlit sends as it is, without plotly's work.

    ``st.plotly_chart`` validates a dict by building a ``go.Figure`` from it, and even a
    Figure built with ``_validate=False`` is converted back to a dict property by property:
    tens of ms for a kernel mosaic, on every redraw of every trainer in the room. The figures
    here are built the same way each time (and tests check them), so they are taken as valid:
    Streamlit asks a figure only for ``to_dict()`` and sends that as JSON, the same JSON as
    before at a fraction of the cost (measured: mosaic 36 → 5 ms, curves 6 → 1 ms).
    """
    return _PlainFigure(fig)


class _PlainFigure(BaseFigure):
    """A plain plotly dict wearing a Figure's type (see ``_unvalidated``)."""

    def __init__(self, spec: dict) -> None:  # BaseFigure's own __init__ is what we skip
        object.__setattr__(self, "_plain_spec", spec)

    def to_dict(self) -> dict:
        return self._plain_spec


def show_heatmap(fig: dict, key: str) -> None:
    """Put a figure from ``heatmap_figure`` on the page at its own size (cells stay square).

    Any plain-dict plotly figure works; one without ``layout.width``/``height`` gets
    Streamlit's default size.

    key : a unique widget key; it also names the downloaded PNG and gives the element the CSS
        class ``st-key-{key}`` (tests find the figure by it)
    """
    config = {
        **PLOTLY_CONFIG,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": key},
    }
    layout = fig.get("layout", {})
    st.plotly_chart(
        _unvalidated(fig),
        key=key,
        width=int(layout["width"]) if layout.get("width") else "content",
        height=int(layout["height"]) if layout.get("height") else "content",
        config=config,
    )


def show_plotly(fig: dict, key: str, config: dict | None = None) -> None:
    """Put any plain-dict plotly figure built here on the page, without plotly's validation
    (see ``_unvalidated``), at Streamlit's default size."""
    st.plotly_chart(_unvalidated(fig), key=key, config=config or {})


def show_map(hm: Heatmap, key: str) -> None:
    """Put a map from ``heatmap`` on the page drawn as HTML (``components.maps``).

    Looks like ``show_heatmap``'s plotly chart, cell for cell, and costs the browser about a
    millisecond to update: the lab uses it for every map that changes with a click. No
    toolbar and no zoom; hovering a cell names it ("row 3, column 3: 3").

    key : a unique key; the element gets the CSS class ``st-key-{key}``, the map
        ``data-map-key="{key}"``
    """
    show_maps([map_panel(hm, key)], key=key)


def heatmap_values(fig: dict) -> np.ndarray:
    """The numbers a figure from ``heatmap_figure`` colours (for tests and other pages)."""
    return np.asarray(fig["data"][0]["z"], dtype=float)


# The pooling modes (links.codec.POOL_MODES) as the pages name them.
POOL_MODE_NAMES = {"max": "max", "avg": "average", "lp": "Lᵖ"}


def pool_mode_control(parent, key: str) -> str:
    """The "Pooling" choice (max, average, Lᵖ) in ``parent`` (the sidebar, a row), its value
    kept under ``key`` across pages."""
    return parent.segmented_control(
        "Pooling",
        list(POOL_MODE_NAMES),
        required=True,
        key=key,
        format_func=POOL_MODE_NAMES.get,
        persist_state="session",
    )


def shape_text(shape: Sequence[int]) -> str:
    """``(8, 6)`` → ``"8×6"``."""
    return "×".join(str(int(n)) for n in shape)


# --- the kernel editor -----------------------------------------------------------------------

# The bounds a link, a file and the editor share, declared once in playground.links.codec.
KERNEL_SIZES = tuple(range(codec.KERNEL_MIN, codec.KERNEL_MAX + 1))
MAX_KERNEL_ABS = codec.MAX_ABS  # larger numbers only make every map one colour: a typo
CUSTOM = "(custom)"


@dataclass(frozen=True)
class KernelEditResult:
    """What the kernel editor gives the page.

    values : (k, k) float — the kernel to compute with: what is typed if every cell is good,
        otherwise the last good kernel
    error : None, or a message naming the first bad cell ("row 2, column 3 of kernel 1 is
        empty …"); ``errors`` lists them all as (row, column, problem), 1-based
    name : the preset this kernel was loaded from, or ``"(custom)"`` once edited
    """

    values: np.ndarray
    error: str | None
    errors: tuple[tuple[int, int, str], ...]
    name: str

    @property
    def ok(self) -> bool:
        return self.error is None


def kernel_to_texts(values) -> list[list[str]]:
    """A kernel as the strings its cells show (``-1`` not ``-1.0``)."""
    return [[format_number(v) for v in row] for row in np.asarray(values, float).tolist()]


def parse_cell(text: str | None) -> tuple[float | None, str | None]:
    """One typed cell → (value, None) or (None, what is wrong with it).

    Accepts a typographic minus (−) and a decimal comma (0,5), which people type.
    """
    cleaned = (text or "").strip().replace("−", "-").replace(",", ".")
    if not cleaned:
        return None, "is empty"
    try:
        value = float(cleaned)
    except ValueError:
        return None, f"is not a number ({shorten(repr(text.strip()))})"
    if not math.isfinite(value):
        return None, f"is not a finite number ({shorten(repr(text.strip()))})"
    if abs(value) > MAX_KERNEL_ABS:
        limit = f"{MAX_KERNEL_ABS:g}"
        return (
            None,
            f"is too large ({shorten(text.strip())}; use numbers between −{limit} and {limit})",
        )
    return value, None


def parse_kernel(texts: Sequence[Sequence[str]]):
    """Rows of typed cells → ((k, k) values or None, [(row, column, problem), …] 1-based)."""
    values = np.zeros((len(texts), len(texts[0])))
    errors = []
    for i, row in enumerate(texts):
        for j, text in enumerate(row):
            value, problem = parse_cell(text)
            if problem:
                errors.append((i + 1, j + 1, problem))
            else:
                values[i, j] = value
    return (None if errors else values), errors


def _k(key: str, name: str) -> str:
    return f"{key}_{name}"


def _cell_key(key: str, i: int, j: int) -> str:
    return f"{key}_r{i}c{j}"


def _load_kernel(key: str, values: np.ndarray, name: str) -> None:
    """Write a kernel into the editor's cells (call before the cells are drawn, or from a
    callback). The exact values are kept beside the texts so 1/9 stays 1/9, not 0.111."""
    values = np.array(values, dtype=float)
    k = values.shape[0]
    texts = kernel_to_texts(values)
    ss = st.session_state
    ss[_k(key, "size")] = k
    for i in range(k):
        for j in range(k):
            ss[_cell_key(key, i, j)] = texts[i][j]
    ss[_k(key, "exact")] = (texts, values)
    ss[_k(key, "last_good")] = values
    ss[_k(key, "name")] = name


def set_kernel(key: str, values, name: str = CUSTOM) -> None:
    """Load ``values`` (k, k) into the editor ``key`` from outside (another page, a lesson step).

    Call it before ``kernel_editor(key, ...)`` runs in this script run, or from a callback.
    """
    _load_kernel(key, np.asarray(values, dtype=float), name)
    st.session_state[_k(key, "preset")] = name if name in kernels.PRESETS else CUSTOM


def _on_preset(key: str) -> None:
    name = st.session_state[_k(key, "preset")]
    if name in kernels.PRESETS:
        _load_kernel(key, kernels.preset(name), name)


def kernel_value(ss: Mapping, key: str) -> np.ndarray | None:
    """The last good kernel (k, k) of the editor ``key`` in session state ``ss`` (a dict
    works too), or None before that editor was shown or loaded. The one way other pages and
    links read an editor, whose other keys are its own."""
    values = ss.get(_k(key, "last_good"))
    return None if values is None else np.array(values, dtype=float)


def put_kernel_value(ss, key: str, values) -> None:
    """Store ``values`` (k, k) as the editor ``key``'s kernel without touching its cells: the
    editor shows it the next time it is drawn (``set_kernel`` also fills its cells)."""
    ss[_k(key, "last_good")] = np.asarray(values, dtype=float)


def kernel_name(ss: Mapping, key: str) -> str | None:
    """The preset the editor ``key`` holds (or ``CUSTOM``), None before it was shown."""
    return ss.get(_k(key, "name"))


def kernel_side(ss: Mapping, key: str, default: int) -> int:
    """The side k of the editor ``key``'s kernel, or ``default`` before it was shown."""
    return int(ss.get(_k(key, "size"), default))


def _current(key: str) -> np.ndarray:
    """The editor's kernel, from its own callbacks (where it always has one)."""
    return kernel_value(st.session_state, key)


def _on_size(key: str) -> None:
    """Grow or shrink the kernel about its centre, keeping the numbers that still fit."""
    ss = st.session_state
    _load_kernel(key, grids.resize_centred(_current(key), int(ss[_k(key, "size_pick")])), CUSTOM)
    ss[_k(key, "preset")] = CUSTOM


def _on_cell_edit(key: str) -> None:
    """A typed number makes the kernel the user's own, no longer the preset."""
    st.session_state[_k(key, "name")] = CUSTOM
    st.session_state[_k(key, "preset")] = CUSTOM


def _on_flip(key: str, axis: int) -> None:
    _load_kernel(key, np.flip(_current(key), axis=axis), CUSTOM)
    st.session_state[_k(key, "preset")] = CUSTOM


def _on_random(key: str) -> None:
    # A new seed each click, from a per-editor counter: reproducible within a session.
    ss = st.session_state
    ss[_k(key, "seed")] = ss.get(_k(key, "seed"), 0) + 1
    rng = np.random.default_rng(ss[_k(key, "seed")])
    k = _current(key).shape[0]
    _load_kernel(key, rng.integers(-1, 2, size=(k, k)).astype(float), CUSTOM)
    ss[_k(key, "preset")] = CUSTOM


def kernel_editor(
    key: str,
    default,
    *,
    label: str = "kernel",
    sizes: Sequence[int] = KERNEL_SIZES,
    show_error: bool = True,
    cell_width: int = 58,
    compact: bool = False,
) -> KernelEditResult:
    """A k×k grid of text boxes for a kernel, with presets, size, flip and random buttons.

    key : prefix of every widget key of this editor (e.g. ``"lab_k1"``); its session state
        lives under ``f"{key}_…"`` (``{key}_last_good`` holds the last good (k, k) kernel)
    default : the first kernel shown: a preset name from ``cnn_core.kernels.PRESETS`` or a
        (k, k) array
    label : how messages name it, e.g. ``"kernel 2"``
    sizes : the sizes offered (2×2 to 5×5 by default)
    show_error : show the bad-cell message under the grid (the result carries it anyway)
    compact : the flip and random buttons beside the cells instead of under them (presenter
        mode: one row less, so the maps fit on the screen)

    Each cell accepts a number (``-1``, ``0.5``, ``0,5``, ``−2``). An empty cell, text, NaN,
    inf or a number beyond ±1000 makes ``error`` name it ("row 2, column 3 of kernel 1 is
    empty") and ``values`` stay the last good kernel.
    """
    ss = st.session_state
    if _k(key, "last_good") not in ss:
        if isinstance(default, str):
            _load_kernel(key, kernels.preset(default), default)
            ss[_k(key, "preset")] = default
        else:
            _load_kernel(key, np.asarray(default, dtype=float), CUSTOM)
            ss[_k(key, "preset")] = CUSTOM
    k = int(ss[_k(key, "size")])
    if any(_cell_key(key, i, j) not in ss for i in range(k) for j in range(k)):
        # Streamlit forgets a widget's value after a run that did not draw it (e.g. fewer
        # kernels chosen for a while): show the last good kernel again.
        _load_kernel(key, _current(key), ss[_k(key, "name")])
    if _k(key, "preset") not in ss:
        name = ss[_k(key, "name")]
        ss[_k(key, "preset")] = name if name in kernels.PRESETS else CUSTOM
    ss[_k(key, "size_pick")] = k

    options = [CUSTOM, *kernels.PRESETS]
    box = st.container(gap="xsmall")  # tight rows: the editor must fit beside the drawing
    top = box.container(horizontal=True, gap="xsmall")
    top.selectbox(
        f"Preset for {label}",
        options,
        key=_k(key, "preset"),
        on_change=_on_preset,
        args=(key,),
        label_visibility="collapsed",
        width=184,
    )
    top.selectbox(
        f"Size of {label}",
        list(sizes),
        key=_k(key, "size_pick"),
        format_func=lambda n: f"{n}×{n}",
        on_change=_on_size,
        args=(key,),
        label_visibility="collapsed",
        width=74,
    )

    if compact:
        body = box.container(horizontal=True, gap="small")
        cells, buttons = body.container(gap="xsmall", width="content"), body.container(gap="xsmall")
    else:
        cells = box
        buttons = box.container(horizontal=True, gap="xsmall")
    texts = []
    for i in range(k):
        row = cells.container(horizontal=True, gap="xsmall")
        texts.append(
            [
                row.text_input(
                    f"{label}, row {i + 1}, column {j + 1}",
                    key=_cell_key(key, i, j),
                    label_visibility="collapsed",
                    width=cell_width,
                    on_change=_on_cell_edit,
                    args=(key,),
                )
                for j in range(k)
            ]
        )

    buttons.button(
        "Flip ↔",
        key=_k(key, "flip_lr"),
        on_click=_on_flip,
        args=(key, 1),
        help="Mirror left–right: turns the deck's / diagonal into \\",
    )
    buttons.button(
        "Flip ↕",
        key=_k(key, "flip_ud"),
        on_click=_on_flip,
        args=(key, 0),
        help="Mirror top–bottom",
    )
    buttons.button(
        "Random",
        key=_k(key, "random"),
        on_click=_on_random,
        args=(key,),
        help="Random −1, 0, 1 in every cell",
    )

    values, errors = parse_kernel(texts)
    exact_texts, exact_values = ss.get(_k(key, "exact"), (None, None))
    if values is not None:
        if texts == exact_texts:
            values = np.array(exact_values, dtype=float)  # a preset's 1/9 stays exact
        ss[_k(key, "last_good")] = values
        return KernelEditResult(values.copy(), None, (), ss[_k(key, "name")])

    row, col, problem = errors[0]
    more = f" ({len(errors) - 1} more bad cells)" if len(errors) > 1 else ""
    error = (
        f"Row {row}, column {col} of {label} {problem}{more}. "
        f"Still computing with the last good {label}."
    )
    if show_error:
        st.error(md(error, 300), icon="⚠️")
    return KernelEditResult(_current(key), error, tuple(errors), ss[_k(key, "name")])


# --- the drawing in session state ------------------------------------------------------------


def init_grid(grid_key: str, default) -> None:
    """Put a drawing (H, W) of 0/1 into ``st.session_state[grid_key]`` once per session, with
    its revision ``st.session_state[grid_key + "_rev"]`` (what ``draw_grid`` needs)."""
    ss = st.session_state
    if grid_key not in ss:
        ss[grid_key] = np.array(default, dtype=int)
        ss[grid_key + "_rev"] = 0


def set_grid(grid_key: str, grid) -> None:
    """Replace the drawing from Python (a button, a preset) and bump its revision, so the
    drawing component shows it and ignores the browser's older copy."""
    ss = st.session_state
    ss[grid_key] = np.array(grid, dtype=int)
    ss[grid_key + "_rev"] = ss.get(grid_key + "_rev", 0) + 1


def grid_revision(grid_key: str) -> int:
    """The revision of the drawing under ``grid_key`` (``init_grid`` starts it, ``set_grid``
    bumps it): what ``draw_grid`` and ``current_grid`` are given with the drawing."""
    return st.session_state.get(grid_key + "_rev", 0)


GRID_PRESETS = {
    "the deck's O": lambda size: grids.resize_canvas(grids.DECK_O_8x8, size),
    "an X": lambda size: grids.resize_canvas(grids.DECK_X_8x8, size),
    "the 5×5 example": lambda size: grids.resize_canvas(grids.DECK_5x5, size),
    "random": None,  # filled at click time from a seeded generator
}


def _on_grid_action(grid_key: str, action: str) -> None:
    ss = st.session_state
    grid = np.array(ss[grid_key], dtype=int)
    if action == "clear":
        new = np.zeros_like(grid)
    elif action == "invert":
        new = grids.invert(grid)
    else:
        dr, dc = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}[action]
        new = grids.shift(grid, dr, dc)
    set_grid(grid_key, new)


def _on_grid_preset(grid_key: str, picker_key: str) -> None:
    ss = st.session_state
    name = ss[picker_key]
    size = np.asarray(ss[grid_key]).shape[0]
    if name == "random":
        ss[grid_key + "_seed"] = ss.get(grid_key + "_seed", 0) + 1
        rng = np.random.default_rng(ss[grid_key + "_seed"])
        set_grid(grid_key, grids.random_grid(size, 0.3, rng))
    elif name in GRID_PRESETS:
        set_grid(grid_key, GRID_PRESETS[name](size))
    ss[picker_key] = None  # so choosing the same preset again loads it again


def _on_grid_size(grid_key: str, size_key: str) -> None:
    ss = st.session_state
    set_grid(grid_key, grids.resize_canvas(ss[grid_key], int(ss[size_key])))


def grid_toolbar(
    grid_key: str, *, key: str, sizes: Sequence[int] = range(5, 17), compact: bool = False
) -> None:
    """Buttons that change the drawing in ``st.session_state[grid_key]``: clear, invert, shift
    by one cell (← ↑ ↓ →), load a preset (the deck's O, an X, the 5×5 example, random) and
    change the grid size. Each bumps the revision, so the change shows at once and stays.

    key : prefix of this toolbar's widget keys (e.g. ``"lab_tools"``)
    compact : the two pickers without their labels (presenter mode: less height)
    """
    labels = "collapsed" if compact else "visible"
    ss = st.session_state
    size_key = _k(key, "size")
    ss[size_key] = int(np.asarray(ss[grid_key]).shape[0])
    box = st.container(gap="xsmall")
    rows = [box.container(horizontal=True, gap="xxsmall") for _ in range(2)]
    for row, action, text, tip in (
        (0, "clear", "Clear", "All cells to 0"),
        (0, "invert", "Invert", "0 ↔ 1"),
        (1, "left", "←", "Shift left by one cell"),
        (1, "up", "↑", "Shift up by one cell"),
        (1, "down", "↓", "Shift down by one cell"),
        (1, "right", "→", "Shift right by one cell"),
    ):
        rows[row].button(
            text, key=_k(key, action), on_click=_on_grid_action, args=(grid_key, action), help=tip
        )
    picker_key = _k(key, "preset")
    box.selectbox(
        "Load a drawing",
        list(GRID_PRESETS),
        index=None,
        placeholder="the deck's O, an X, …",
        key=picker_key,
        on_change=_on_grid_preset,
        args=(grid_key, picker_key),
        width=170,
        label_visibility=labels,
    )
    box.selectbox(
        "Grid size",
        list(sizes),
        key=size_key,
        format_func=lambda n: f"{n}×{n}",
        on_change=_on_grid_size,
        args=(grid_key, size_key),
        width=100,
        label_visibility=labels,
    )
