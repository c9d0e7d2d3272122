"""Learning curves drawn as SVG: loss and accuracy side by side (custom component v2).

The Train page and the Room's teacher view redraw their curves several times a second while a
network trains, for every trainer in the room. A plotly chart of the same curves cost the
browser about 250 ms per redraw (most of a short run's wall time went to it) and the server
a figure to build and validate each time; this component gets plain points and writes two
small SVGs, about a millisecond in the browser.

    show_curves(curves(panels=[...], legend=[...], x_max=5), key="train_curves")

Readers (tests, the benchmark) read the points from the component's data
(``data["panels"][i]["series"][j]["y"]``), or, in the page, the root's ``data-points``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from playground.ui.components import assets

__all__ = ["COMPONENT_NAME", "Series", "curves_data", "show_curves"]

_HERE = Path(__file__).resolve().parent
COMPONENT_NAME = f"{assets.PACKAGE}.curves"

# Its JS and CSS are served as files, not sent with every redraw (see components/assets.py).
_component = assets.declare(
    _HERE,
    html="curves.html",
    css="curves.css",
    js="curves.js",
    isolate_styles=False,  # in the page's DOM: read as text by tests and screen readers
)


@dataclass(frozen=True)
class Series:
    """One curve: its name in the legend and the hover, its colour, dashed or solid, and its
    points (x, y), x ascending. A non-finite y (a diverged loss) leaves a gap."""

    name: str
    colour: str
    dash: bool
    x: Sequence[float]
    y: Sequence[float]


def curves_data(
    panels: Sequence[tuple[str, Sequence[Series], bool, tuple[float, float] | None]],
    *,
    x_max: float,
    x_title: str,
    height: int,
    font_px: int = 14,
) -> dict:
    """What ``show_curves`` draws, as plain JSON-able data.

    panels : (y title, its curves, percent?, y range or None: from 0 to above the largest y)
    x_max : every x axis runs over [0, x_max]
    height : of each panel in px (a legend line sits above them)
    font_px : the labels' size (the margins around the curves grow with it)
    The legend lists each curve name once, in the order first met.
    """
    legend: dict[str, dict] = {}
    out = []
    for title, series, percent, y_range in panels:
        out.append(
            {
                "title": title,
                "percent": percent,
                "y_range": list(y_range) if y_range is not None else None,
                "series": [
                    {
                        "name": s.name,
                        "colour": s.colour,
                        "dash": s.dash,
                        "x": [float(v) for v in s.x],
                        "y": [float(v) if math.isfinite(v) else None for v in s.y],
                    }
                    for s in series
                ],
            }
        )
        for s in series:
            legend.setdefault(s.name, {"name": s.name, "colour": s.colour, "dash": s.dash})
    return {
        "height": int(height),
        "font_px": int(font_px),
        "x_max": float(x_max),
        "x_title": x_title,
        "legend": list(legend.values()),
        "panels": out,
    }


def show_curves(data: dict, key: str) -> None:
    """Draw curves from ``curves_data`` across the column.

    key : a unique key; the element gets the CSS class ``st-key-{key}``
    """
    # JSON bytes made by orjson: given a dict, Streamlit would scan it and use json.dumps.
    _component(key=key, data=orjson.dumps(data), width="stretch")
