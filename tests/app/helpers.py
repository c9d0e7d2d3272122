"""What the AppTest tests of every page share: running the app and reading its figures.

A page shows a heatmap either as a plotly chart (``widgets.show_heatmap``) or drawn as HTML by
the maps component (``widgets.show_map``, the lab). ``z`` reads either; ``map_panel`` reads
what the maps component received for one map: its numbers, texts, title, frames and sizes.
"""

from __future__ import annotations

import json
import re

import numpy as np
from streamlit.testing.v1 import AppTest

from playground.ui.components.curves import COMPONENT_NAME as CURVES
from playground.ui.components.maps import COMPONENT_NAME


def displayed(markdown: str) -> str:
    """The text a reader sees for Markdown source with backslash escapes (user text is
    escaped so that it shows literally: ``kernel\\_size`` reads ``kernel_size``)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")  # WORD JOINER: invisible


def run(target) -> AppTest:
    """Run the app after an interaction: ``target`` is the AppTest or a widget just changed
    (a widget's run() reruns its app and returns the AppTest). Fails on any exception."""
    at = target.run()
    assert not at.exception, at.exception
    return at


def figure_keys(at: AppTest) -> list[str]:
    """The keys of every plotly figure on the page, in order."""
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]


def figure(at: AppTest, key: str) -> dict:
    """The plotly figure shown with ``key``, as the browser receives it."""
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no figure {key!r}; figures: {figure_keys(at)}")


def map_rows(at: AppTest) -> list[dict]:
    """What each maps component on the page received: ``{"panels": [...], "heading": ...}``."""
    return [
        json.loads(element.proto.bytes)
        for element in at.get("bidi_component")
        if element.proto.component_name == COMPONENT_NAME
    ]


def curves_shown(at: AppTest, key: str) -> dict:
    """What the curves component shown with ``key`` received (see ``curves_data``): its
    ``panels``, each with its ``series`` (``name``, ``x``, ``y``), ``x_max``, ``legend``."""
    for element in at.get("bidi_component"):
        if element.proto.component_name == CURVES and element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.bytes)
    raise AssertionError(f"no curves {key!r} on the page")


def map_panels(at: AppTest) -> list[dict]:
    """Every map drawn by the maps component on the page, in order (see ``map_panel``)."""
    return [panel for row in map_rows(at) for panel in row["panels"]]


def map_keys(at: AppTest) -> list[str]:
    """The keys of the maps drawn by the maps component, in order."""
    return [panel["key"] for panel in map_panels(at)]


def map_panel(at: AppTest, key: str) -> dict:
    """The map shown with ``key`` as the browser receives it: ``z`` (numbers, NaN as None),
    ``text``, ``title``, ``rows``/``cols`` (labels), ``frames`` ([top, left, h, w, colour,
    line px] in cells), ``width``/``height``/``margin``/``cell`` in px, ``caption_html``."""
    for panel in map_panels(at):
        if panel["key"] == key:
            return panel
    raise AssertionError(f"no map {key!r}; maps: {map_keys(at)}")


def z(at: AppTest, key: str) -> np.ndarray:
    """The numbers of the heatmap shown with ``key`` (a maps-component map or a plotly one)."""
    if key in map_keys(at):
        return np.array(map_panel(at, key)["z"], dtype=float)
    return np.array(figure(at, key)["data"][0]["z"], dtype=float)


def metrics(at: AppTest) -> dict[str, str]:
    """Every st.metric on the page: label → shown value."""
    return {m.label: m.value for m in at.metric}
