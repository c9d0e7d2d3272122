"""What the AppTest tests of every page share: running the app and reading its figures."""

from __future__ import annotations

import json

import numpy as np
from streamlit.testing.v1 import AppTest


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


def z(at: AppTest, key: str) -> np.ndarray:
    """The numbers of the heatmap shown with ``key``."""
    return np.array(figure(at, key)["data"][0]["z"], dtype=float)


def metrics(at: AppTest) -> dict[str, str]:
    """Every st.metric on the page: label → shown value."""
    return {m.label: m.value for m in at.metric}
