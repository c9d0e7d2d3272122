"""A map of numbers as the pages show it, described once, in no drawing library's terms.

    hm = describe(z, title="feature map 8×8", cell_px=36, highlight=(2, 3, 3, 3))
    to_plotly(hm)                     # a plain-dict plotly figure (widgets.show_heatmap)
    components.maps.map_panel(hm, k)  # the same map as HTML (the lab's maps)

A ``Heatmap`` holds everything either renderer needs: the exact numbers and the text in every
cell, the colour scale and its range, the frames (the sliding window, the pooling winner),
the row and column labels with the ones that get a tick, and the sizes in pixels. So a 3
looks like a 3 on every page, whichever renderer draws it. Pure Python and NumPy: no
Streamlit, no plotly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnn_core.trace import format_number

# ColorBrewer RdBu (colour-blind safe), 11 classes: blue for negative, white at 0, red for
# positive. The non-negative scale is its upper half, so a 3 has the same red in a signed
# feature map and in the thresholded map beside it.
_RDBU = (
    "#053061",
    "#2166ac",
    "#4393c3",
    "#92c5de",
    "#d1e5f0",
    "#f7f7f7",
    "#fddbc7",
    "#f4a582",
    "#d6604d",
    "#b2182b",
    "#67001f",
)
SIGNED_SCALE = [[i / 10, c] for i, c in enumerate(_RDBU)]
POSITIVE_SCALE = [[i / 5, c] for i, c in enumerate(_RDBU[5:])]
# Drawings: white paper, black ink (the deck's 0/1 images).
INK_SCALE = [[0.0, "#ffffff"], [1.0, "#1a1a1a"]]

HIGHLIGHT_COLOR = "#ffb000"  # amber: stands out on blue, white and red, and for CVD viewers
SECOND_HIGHLIGHT_COLOR = "#00a651"  # green: the max-pool winner inside the amber window
FRAME_PX = 3  # the frames' line width

# Space around the cells: row numbers on the left, column numbers below, the title on top.
MARGIN = {"l": 26, "r": 6, "t": 30, "b": 22}

Rect = tuple[int, int, int, int]  # (top, left, height, width) in array indices
Frame = tuple[int, int, int, int, str, int]  # a Rect, then its colour and line width in px


@dataclass(frozen=True)
class Heatmap:
    """One map: z (H, W) as rows of floats, and how to draw it."""

    z: list[list[float]]  # the exact numbers (NaN and ±inf kept)
    text: list[list[str]]  # what each cell says
    title: str
    colorscale: list  # [[position 0–1, "#rrggbb"], ...]
    zmin: float  # the values that get the scale's two ends
    zmax: float
    frames: tuple[Frame, ...]  # in array indices of z
    rows: list[int]  # the label of each row (1 on top, as the deck counts; 0 for padding)
    cols: list[int]
    row_ticks: list[int]  # the labels that are written (every one, or every other)
    col_ticks: list[int]
    cell_px: int
    font_px: int  # the numbers in the cells
    tick_px: int  # the row and column labels
    title_px: int
    margin: dict[str, int]  # l, r, t, b around the cells

    @property
    def width(self) -> int:
        return len(self.cols) * self.cell_px + self.margin["l"] + self.margin["r"]

    @property
    def height(self) -> int:
        return len(self.rows) * self.cell_px + self.margin["t"] + self.margin["b"]


def cell_text(z: np.ndarray, fmt: str | Callable[[float], str] | None = None) -> list[list[str]]:
    """The number written in each cell of ``z`` (H, W), as rows of strings.

    fmt : None (the deck's way, ``cnn_core.trace.format_number``: ``-1`` not ``-1.0``, at most
        3 decimals, never ``-0``), a format spec such as ``".2f"``, or a function of one float.
    """
    rows = z.tolist()
    if callable(fmt):  # a function of its own may tell -0.0 from 0.0: ask it for every cell
        return [[fmt(v) for v in row] for row in rows]
    if fmt is None:
        to_text = format_number
    else:

        def to_text(v: float) -> str:
            return format(v + 0.0, fmt)  # + 0.0 turns -0.0 into 0.0

    # Each distinct value is written once (a map repeats a few small integers; -0.0 and 0.0
    # both read "0" here). NaN, never equal to itself, is written where it stands.
    known = {v: to_text(v) for v in {v for row in rows for v in row} if v == v}
    return [[known[v] if v in known else to_text(v) for v in row] for row in rows]


def _as_rects(highlight) -> list[Rect]:
    """None, one (top, left, h, w) or a sequence of them, as a list."""
    if highlight is None:
        return []
    if len(highlight) == 4 and all(isinstance(v, (int, np.integer)) for v in highlight):
        return [tuple(highlight)]
    return [tuple(r) for r in highlight]


def describe(
    z,
    *,
    title: str,
    signed: bool | None = None,
    highlight=None,
    cell_px: int = 36,
    fmt: str | Callable[[float], str] | None = None,
    zmax: float | None = None,
    colorscale: list | str | None = None,
    second_highlight=None,
    origin: tuple[int, int] = (1, 1),
    font_px: int | None = None,
) -> Heatmap:
    """The map of ``z`` with its number written in every cell.

    z : (H, W) numbers (a feature map, a kernel, a drawing)
    title : shown above the cells; put the shape in it, e.g. ``"feature map 8×8 → 6×6"``
    signed : True → diverging blue–white–red scale centred on 0 (ColorBrewer RdBu, colour-blind
        safe); False → white-to-red for non-negative maps; None → signed iff ``z`` has a
        negative value
    highlight : None, one ``(top, left, h, w)`` rectangle in array indices of ``z``, or a
        sequence of them: drawn as thick amber frames (the sliding window, the output cell)
    second_highlight : the same, drawn in green (e.g. the max-pooling winner)
    cell_px : side of one cell in pixels; maps drawn with the same ``cell_px`` line up cell
        for cell
    fmt : how numbers are written, see ``cell_text``
    zmax : the value that gets the strongest colour (default: max |z|, at least 1); pass the
        same zmax to several maps to make their colours comparable
    colorscale : overrides the scale (e.g. ``INK_SCALE`` for a 0/1 drawing)
    origin : the row and column label of ``z[0, 0]`` (default 1, 1 as the deck counts; a
        zero-padded input uses ``(1 - pad, 1 - pad)`` so the padding is row/column 0)
    font_px : size of the numbers (default: about 40% of the cell)
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"z must be 2-D (H, W), got shape {z.shape}")
    h, w = z.shape
    finite = z[np.isfinite(z)]
    if signed is None:
        signed = bool(finite.size and finite.min() < 0)
    if zmax is None:
        zmax = float(np.abs(finite).max()) if finite.size else 1.0
    zmax = max(float(zmax), 1.0)
    text = cell_text(z, fmt)
    if font_px is None:
        # About 40% of the cell, smaller when the longest number ("0.333") would not fit.
        longest = max((len(t) for row in text for t in row), default=1)
        fits = (cell_px - 3) / (0.58 * max(longest, 2))
        font_px = int(max(8, min(18, round(cell_px * 0.42), fits)))
    title_px = max(14, round(cell_px * 0.38))  # larger cells (presenter mode), larger title
    frames = [(*map(int, r), HIGHLIGHT_COLOR, FRAME_PX) for r in _as_rects(highlight)]
    second = _as_rects(second_highlight)
    frames += [(*map(int, r), SECOND_HIGHLIGHT_COLOR, FRAME_PX) for r in second]
    r0, c0 = origin
    rows, cols = list(range(r0, r0 + h)), list(range(c0, c0 + w))
    # Tick labels: every cell up to 12 cells, then every other one so they do not collide.
    step = 1 if max(h, w) <= 12 or cell_px >= 30 else 2
    return Heatmap(
        z=(z + 0.0).tolist(),
        text=text,
        title=title,
        colorscale=colorscale if colorscale is not None else (
            SIGNED_SCALE if signed else POSITIVE_SCALE
        ),
        zmin=-zmax if signed else 0.0,
        zmax=zmax,
        frames=tuple(frames),
        rows=rows,
        cols=cols,
        row_ticks=rows[::step],
        col_ticks=cols[::step],
        cell_px=int(cell_px),
        font_px=font_px,
        tick_px=max(8, min(12, round(cell_px * 0.32))),
        title_px=title_px,
        margin={**MARGIN, "t": title_px + 16},
    )  # fmt: skip


# --- plotly --------------------------------------------------------------------------------------

_PLOT_BG = "#bdbdbd"  # shows through the 1-px gaps between cells as grid lines


def to_plotly(hm: Heatmap) -> dict:
    """The map as a plain-dict plotly figure (cells exactly ``cell_px``; row 1 on top).

    The text colour is chosen by plotly per cell to contrast with the cell's colour, so
    numbers stay readable on dark and light cells.
    """
    r0, c0 = hm.rows[0], hm.cols[0]
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": c0 + left - 0.5,
            "x1": c0 + left + w - 0.5,
            "y0": r0 + top - 0.5,
            "y1": r0 + top + h - 0.5,
            "line": {"color": colour, "width": line_px},
            "fillcolor": "rgba(0,0,0,0)",
            "layer": "above",
        }
        for top, left, h, w, colour, line_px in hm.frames
    ]
    trace = {
        "type": "heatmap",
        "z": hm.z,
        "x": hm.cols,
        "y": hm.rows,
        "text": hm.text,
        "texttemplate": "%{text}",
        "textfont": {"size": hm.font_px},
        "hovertemplate": "row %{y}, column %{x}: %{text}<extra></extra>",
        "colorscale": hm.colorscale,
        "zmin": hm.zmin,
        "zmax": hm.zmax,
        "showscale": False,
        "xgap": 1,
        "ygap": 1,
    }
    axis = {"showgrid": False, "zeroline": False, "fixedrange": True, "ticks": ""}
    n_rows, n_cols = len(hm.rows), len(hm.cols)
    layout = {
        "title": {
            "text": hm.title,
            "font": {"size": hm.title_px},
            "x": 0,
            "xref": "paper",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 6},
        },
        "width": hm.width,
        "height": hm.height,
        "margin": {**hm.margin, "pad": 0},
        "plot_bgcolor": _PLOT_BG,
        "xaxis": {
            **axis,
            "range": [c0 - 0.5, c0 + n_cols - 0.5],
            "tickvals": hm.col_ticks,
            "tickfont": {"size": hm.tick_px},
            "side": "bottom",
        },
        "yaxis": {
            **axis,
            "range": [r0 + n_rows - 0.5, r0 - 0.5],
            "tickvals": hm.row_ticks,
            "tickfont": {"size": hm.tick_px},
        },
        "shapes": shapes,
        "dragmode": False,
    }
    return {"data": [trace], "layout": layout}
