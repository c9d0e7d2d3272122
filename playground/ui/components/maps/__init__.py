"""Heatmaps drawn as HTML: a row of maps with a number in every cell (custom component v2).

The Convolution lab redraws its maps on every click on the drawing. Plotly needs 15–45 ms of
browser time per 8×8 heatmap with its numbers, whatever the update path (newPlot, react and
restyle were all measured); this component updates the cells of a map in place and costs
about a millisecond, so a click reaches every number about as fast as a bare Streamlit page.

A map is described once, by ``playground.ui.heatmap.describe`` (the pages that keep plotly draw
the same description with ``heatmap.to_plotly``). ``map_panel`` turns it into what the
browser needs, computing the colours exactly as plotly would:

* the cell colour: linear in RGB between the colour scale's stops, the value clipped to
  [zmin, zmax] (``scale_color``);
* the number's colour: plotly's ``Color.contrast`` rule, white on dark cells and dark grey on
  light ones (``text_color``).

The colour arithmetic itself is plain Python and NumPy, in playground/ui/colours.py.

    show_maps([map_panel(hm, "lab_fm1", caption_html="Convolution…")], key="lab_maps1")

Readers (tests, the benchmark) find a map by ``data-map-key`` in the page, or read its panel,
``z`` included, from the component's data (``panel["z"]`` holds the exact numbers; NaN is
``None``).
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import orjson

from playground.ui.colours import NAN_COLOR, cell_colors, scale_color, text_color
from playground.ui.components import assets
from playground.ui.heatmap import Heatmap

__all__ = [
    "COMPONENT_NAME",
    "GAP_PX",
    "NAN_COLOR",
    "cell_colors",
    "escape",
    "map_panel",
    "row_width_px",
    "scale_color",
    "show_maps",
    "text_color",
]

_HERE = Path(__file__).resolve().parent
GAP_PX = 16  # between two maps of a row: maps.css's .cnn-maps-row gap
COMPONENT_NAME = f"{assets.PACKAGE}.maps"

# Its JS and CSS are served as files, not sent with every stroke (see components/assets.py).
_component = assets.declare(
    _HERE,
    html="maps.html",
    css="maps.css",
    js="maps.js",
    # In the page's own DOM (no shadow root): the maps are read like any other text by
    # screen readers, tests and the benchmark's observer. The CSS is scoped by class names.
    isolate_styles=False,
)


def map_panel(
    hm: Heatmap,
    key: str,
    caption_html: str | None = None,
    colors: tuple[list[list[str]], list[list[str]]] | None = None,
) -> dict:
    """One map for ``show_maps``, from its description (``playground.ui.heatmap.describe``).

    key : names the map in the page (``data-map-key``) and in the component's data
    caption_html : a caption under the map; trusted HTML written by the page (not user text)
    colors : ``cell_colors(hm.z, hm.colorscale, hm.zmin, hm.zmax)`` if the caller has it
        already (many maps on one scale are coloured faster in one call)

    Returns the panel as plain JSON-able data: sizes, labels, the text, background and text
    colour of every cell, the highlight frames as [top, left, h, w, colour, line px] in cells,
    and ``z``, the exact numbers (NaN and ±inf as None).
    """
    bg, fg = colors or cell_colors(hm.z, hm.colorscale, hm.zmin, hm.zmax)
    row_ticks, col_ticks = set(hm.row_ticks), set(hm.col_ticks)
    return {
        "key": key,
        "title": hm.title,
        "title_px": hm.title_px,
        "width": hm.width,
        "height": hm.height,
        "margin": dict(hm.margin),
        "cell": hm.cell_px,
        "font_px": hm.font_px,
        "tick_px": hm.tick_px,
        "rows": list(hm.rows),
        "cols": list(hm.cols),
        "row_ticks": [y in row_ticks for y in hm.rows],
        "col_ticks": [x in col_ticks for x in hm.cols],
        "text": [[str(t) for t in row] for row in hm.text],
        "bg": bg,
        "fg": fg,
        "frames": [list(frame) for frame in hm.frames],
        "caption_html": caption_html,
        "z": [[v if math.isfinite(v) else None for v in row] for row in hm.z],
    }


def show_maps(
    panels: list[dict],
    key: str,
    heading: tuple[str, str] | None = None,
    width: int | str = "stretch",
) -> None:
    """Draw maps from ``map_panel`` side by side (they wrap when the row is too narrow).

    key : a unique key for the row; the element gets the CSS class ``st-key-{key}``
    heading : optional (title, about): a bold title and a short grey note above the row
    width : the row's width, "stretch" (the column's) or pixels (``row_width_px``)
    """
    title, about = heading if heading else (None, None)
    data = {
        "panels": panels,
        "heading": None if title is None else {"title": title, "about": about or ""},
    }
    # Sent as JSON bytes made by orjson: given a dict, Streamlit would scan it for data
    # frames and encode it with json.dumps, ten times slower, on every stroke.
    _component(key=key, data=orjson.dumps(data), width=width)


def row_width_px(panels: list[dict], per_row: int) -> int:
    """The width in pixels of a row that holds ``per_row`` of ``panels`` side by side (as
    wide as the widest ``per_row`` of them and the GAP_PX gaps between them)."""
    widths = sorted((p["width"] for p in panels), reverse=True)[: max(1, per_row)]
    return sum(widths) + GAP_PX * (len(widths) - 1)


def escape(text: str) -> str:
    """Plain text made safe for ``caption_html``."""
    return html.escape(text, quote=False)
