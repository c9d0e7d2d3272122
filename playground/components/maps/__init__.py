"""Heatmaps drawn as HTML: a row of maps with a number in every cell (custom component v2).

The Convolution lab redraws its maps on every click on the drawing. Plotly needs 15–45 ms of
browser time per 8×8 heatmap with its numbers, whatever the update path (newPlot, react and
restyle were all measured); this component updates the cells of a map in place and costs
about a millisecond, so a click reaches every number about as fast as a bare Streamlit page.

A map is described once, by ``widgets.heatmap_figure`` (a plotly figure as a dict: the pages
that keep plotly and this component read the same description). ``map_panel`` turns it into
what the browser needs, computing the colours here exactly as plotly would:

* the cell colour: linear in RGB between the colour scale's stops, the value clipped to
  [zmin, zmax] (``scale_color``);
* the number's colour: plotly's ``Color.contrast`` rule, white on dark cells and dark grey on
  light ones (``text_color``).

The colour arithmetic itself is plain Python and NumPy, in playground/colours.py.

    show_maps([map_panel(fig, "lab_fm1", caption_html="Convolution…")], key="lab_maps1")

Readers (tests, the benchmark) find a map by ``data-map-key`` in the page, or read its panel,
``z`` included, from the component's data (``panel["z"]`` holds the exact numbers; NaN is
``None``).
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import streamlit as st

from playground.colours import NAN_COLOR, cell_colors, scale_color, text_color

__all__ = [
    "COMPONENT_NAME",
    "NAN_COLOR",
    "cell_colors",
    "escape",
    "map_panel",
    "scale_color",
    "show_maps",
    "text_color",
]

_HERE = Path(__file__).resolve().parent
COMPONENT_NAME = "cnn_playground_maps"

_component = st.components.v2.component(
    COMPONENT_NAME,
    html=(_HERE / "maps.html").read_text(encoding="utf-8"),
    css=(_HERE / "maps.css").read_text(encoding="utf-8"),
    js=(_HERE / "maps.js").read_text(encoding="utf-8"),
    # In the page's own DOM (no shadow root): the maps are read like any other text by
    # screen readers, tests and the benchmark's observer. The CSS is scoped by class names.
    isolate_styles=False,
)


def map_panel(fig: dict, key: str, caption_html: str | None = None) -> dict:
    """One map for ``show_maps``, from a figure that ``widgets.heatmap_figure`` built.

    fig : {"data": [one heatmap trace], "layout": {...}} as ``heatmap_figure`` returns it
    key : names the map in the page (``data-map-key``) and in the component's data
    caption_html : a caption under the map; trusted HTML written by the page (not user text)

    Returns the panel as plain JSON-able data: sizes, labels, the text, background and text
    colour of every cell, the highlight frames as [top, left, h, w, colour, line px] in cells,
    and ``z``, the exact numbers (NaN and ±inf as None).
    """
    trace, layout = fig["data"][0], fig["layout"]
    xs, ys = list(trace["x"]), list(trace["y"])
    margin = {side: int(layout["margin"][side]) for side in ("l", "r", "t", "b")}
    width, height = int(layout["width"]), int(layout["height"])
    zmin, zmax, scale = float(trace["zmin"]), float(trace["zmax"]), trace["colorscale"]
    z = [[float(v) for v in row] for row in trace["z"]]
    bg, fg = cell_colors(z, scale, zmin, zmax)
    frames = []
    for shape in layout.get("shapes", []):
        frames.append(
            [
                round(shape["y0"] + 0.5) - ys[0],
                round(shape["x0"] + 0.5) - xs[0],
                round(shape["y1"] - shape["y0"]),
                round(shape["x1"] - shape["x0"]),
                shape["line"]["color"],
                shape["line"]["width"],
            ]
        )
    row_ticks, col_ticks = set(layout["yaxis"]["tickvals"]), set(layout["xaxis"]["tickvals"])
    return {
        "key": key,
        "title": layout["title"]["text"],
        "title_px": layout["title"]["font"]["size"],
        "width": width,
        "height": height,
        "margin": margin,
        "cell": (width - margin["l"] - margin["r"]) / len(xs),
        "font_px": trace["textfont"]["size"],
        "tick_px": layout["xaxis"]["tickfont"]["size"],
        "rows": ys,
        "cols": xs,
        "row_ticks": [y in row_ticks for y in ys],
        "col_ticks": [x in col_ticks for x in xs],
        "text": [[str(t) for t in row] for row in trace["text"]],
        "bg": bg,
        "fg": fg,
        "frames": frames,
        "caption_html": caption_html,
        "z": [[v if math.isfinite(v) else None for v in row] for row in z],
    }


def show_maps(panels: list[dict], key: str, heading: tuple[str, str] | None = None) -> None:
    """Draw maps from ``map_panel`` side by side (they wrap on a narrow screen).

    key : a unique key for the row; the element gets the CSS class ``st-key-{key}``
    heading : optional (title, about): a bold title and a short grey note above the row
    """
    title, about = heading if heading else (None, None)
    _component(
        key=key,
        data={
            "panels": panels,
            "heading": None if title is None else {"title": title, "about": about or ""},
        },
        width="stretch",
    )


def escape(text: str) -> str:
    """Plain text made safe for ``caption_html``."""
    return html.escape(text, quote=False)
