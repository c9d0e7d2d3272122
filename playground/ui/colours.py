"""Colours as plotly draws a heatmap, computed in plain Python and NumPy (no Streamlit):
the maps component writes them into its cells, and its tests compare them with plotly's.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np

NAN_COLOR = "#e0e0e0"
_DARK_TEXT, _LIGHT_TEXT = "#444444", "#ffffff"  # plotly's defaultLine and background
# More distinct values than this in one map: coloured with NumPy. Measured on a 2-core laptop:
# plain Python about 14 µs a value; NumPy about 250 µs a call and 3 µs a value.
NUMPY_FROM = 24


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def cell_colors(z, scale: Sequence[Sequence], zmin: float, zmax: float):
    """The colour plotly gives each value of ``z`` on ``scale``, and the colour of its number.

    z : (H, W) numbers; scale : [[position 0–1, "#rrggbb"], ...] as in a plotly figure
    Returns two (H, W) lists of "#rrggbb": the cells' colours and their numbers' colours.

    A value's position on the scale is (value - zmin) / (zmax - zmin), clipped to [0, 1];
    between two stops the colour is interpolated linearly in RGB, as plotly does. NaN and ±inf
    get a neutral grey. Numbers are white on dark cells and dark grey on light ones: plotly's
    ``Color.contrast`` (tinycolor calls a colour dark when (299 R + 587 G + 114 B) / 1000 < 128).
    """
    z = np.asarray(z, dtype=float)
    stops = [float(p) for p, _ in scale]
    rgb = [_hex_to_rgb(c) for _, c in scale]
    span = zmax - zmin
    channel_stops = [[c[i] for c in rgb] for i in range(3)]

    def colour(value: float) -> tuple[str, str]:
        if math.isfinite(value):
            pos = min(max((value - zmin) / span, 0.0), 1.0) if span > 0 else 0.0
            channels = tuple(round(_interp(pos, stops, fp)) for fp in channel_stops)
        else:
            channels = _hex_to_rgb(NAN_COLOR)
        background = "#{:02x}{:02x}{:02x}".format(*channels)
        return background, _LIGHT_TEXT if _dark(channels) else _DARK_TEXT

    # A map has a few distinct values (small integers, mostly): each is coloured once, in
    # plain Python, several times faster for a small map than NumPy's per-call overhead.
    # Learned weights are all distinct: many of them are coloured at once with NumPy.
    rows = z.tolist()
    distinct = {v for row in rows for v in row}
    if len(distinct) > NUMPY_FROM:
        return _cell_colors_numpy(z, stops, channel_stops, zmin, span)
    table = {value: colour(value) for value in distinct}
    nan = colour(math.nan)  # NaN is never equal to itself, so never found in the table
    cells = [[table.get(v, nan) for v in row] for row in rows]
    return [[c[0] for c in row] for row in cells], [[c[1] for c in row] for row in cells]


def _cell_colors_numpy(z: np.ndarray, stops, channel_stops, zmin: float, span: float):
    """``cell_colors`` for a map of many distinct values: the same arithmetic, vectorised
    (``np.interp``, then rounding half to even as Python's ``round``)."""
    finite = np.isfinite(z)
    if span > 0:
        pos = np.clip((np.where(finite, z, 0.0) - zmin) / span, 0.0, 1.0)
    else:
        pos = np.zeros_like(z)
    channels = np.stack([np.round(np.interp(pos, stops, fp)) for fp in channel_stops], axis=-1)
    channels[~finite] = _hex_to_rgb(NAN_COLOR)
    channels = channels.astype(int)
    dark = _dark(np.moveaxis(channels, -1, 0))  # (H, W) bool, by the same rule as one cell
    backgrounds = [
        ["#" + _HEX[r] + _HEX[g] + _HEX[b] for r, g, b in row] for row in channels.tolist()
    ]
    texts = [[_LIGHT_TEXT if d else _DARK_TEXT for d in row] for row in dark.tolist()]
    return backgrounds, texts


_HEX = [f"{v:02x}" for v in range(256)]


def _interp(x: float, xp: list[float], fp: list[float]) -> float:
    """``np.interp(x, xp, fp)`` for one x, with NumPy's arithmetic (the same float result)."""
    if x >= xp[-1]:
        return float(fp[-1])
    if x <= xp[0]:
        return float(fp[0])
    j = bisect.bisect_right(xp, x) - 1  # xp[j] <= x < xp[j + 1]
    if x == xp[j]:
        return float(fp[j])
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return slope * (x - xp[j]) + fp[j]


def _dark(rgb):
    """tinycolor's isDark for (R, G, B) 0–255, as plotly's ``Color.contrast``: a bool for
    one colour, or a bool array for three channel arrays."""
    return (299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2]) / 1000 < 128


def scale_color(value: float, scale: Sequence[Sequence], zmin: float, zmax: float) -> str:
    """The colour plotly gives one ``value`` on ``scale`` (see ``cell_colors``)."""
    return cell_colors([[value]], scale, zmin, zmax)[0][0][0]


def text_color(background: str) -> str:
    """White numbers on a dark cell colour ("#rrggbb"), dark grey on a light one (see
    ``cell_colors``)."""
    return _LIGHT_TEXT if _dark(_hex_to_rgb(background)) else _DARK_TEXT
