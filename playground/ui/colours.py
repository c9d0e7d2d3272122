"""Colours as plotly draws a heatmap, computed in plain Python and NumPy (no Streamlit):
the maps component writes them into its cells, and its tests compare them with plotly's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NAN_COLOR = "#e0e0e0"
_DARK_TEXT, _LIGHT_TEXT = "#444444", "#ffffff"  # plotly's defaultLine and background


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
    finite = np.isfinite(z)
    span = zmax - zmin
    pos = np.clip((np.where(finite, z, zmin) - zmin) / span, 0.0, 1.0) if span > 0 else z * 0.0
    stops = np.array([float(p) for p, _ in scale])
    rgb = np.array([_hex_to_rgb(c) for _, c in scale], dtype=float)  # (stops, 3)
    channels = np.stack([np.interp(pos, stops, rgb[:, i]) for i in range(3)], axis=-1)
    channels = np.round(channels).astype(int)
    channels[~finite] = _hex_to_rgb(NAN_COLOR)
    dark = _is_dark(channels)
    hex_of = "#{:02x}{:02x}{:02x}".format
    background = [[hex_of(*cell) for cell in row] for row in channels.tolist()]
    text = np.where(dark, _LIGHT_TEXT, _DARK_TEXT).tolist()
    return background, text


def scale_color(value: float, scale: Sequence[Sequence], zmin: float, zmax: float) -> str:
    """The colour plotly gives one ``value`` on ``scale`` (see ``cell_colors``)."""
    return cell_colors([[value]], scale, zmin, zmax)[0][0][0]


def text_color(background: str) -> str:
    """White numbers on a dark cell colour ("#rrggbb"), dark grey on a light one (see
    ``cell_colors``)."""
    return _LIGHT_TEXT if _is_dark(np.array(_hex_to_rgb(background))) else _DARK_TEXT


def _is_dark(rgb: np.ndarray):
    """(..., 3) RGB 0–255 → (...) bool: tinycolor's isDark, as plotly's ``Color.contrast``."""
    return rgb @ np.array([299, 587, 114]) / 1000 < 128
