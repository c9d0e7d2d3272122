"""The maps component (HTML heatmaps, playground/ui/components/maps): its colours against plotly's
own colour-scale sampling, the panel it builds from a ``heatmap``, and the element a
page sends. How the browser lays the panels out is checked in tests/e2e/test_lab.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.colors
import pytest
from streamlit.testing.v1 import AppTest

from playground.ui import widgets
from playground.ui.colours import NUMPY_FROM
from playground.ui.components.maps import (
    COMPONENT_NAME,
    NAN_COLOR,
    cell_colors,
    map_panel,
    scale_color,
    text_color,
)


def _rgb(color: str) -> tuple[float, ...]:
    """'#rrggbb' or plotly's 'rgb(r, g, b)' as three numbers."""
    if color.startswith("#"):
        return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(float(v) for v in color[color.index("(") + 1 : -1].split(","))


SCALES = {
    "signed": widgets.SIGNED_SCALE,
    "positive": widgets.POSITIVE_SCALE,
    "ink": widgets.INK_SCALE,
}


@pytest.mark.parametrize("name", list(SCALES))
@pytest.mark.parametrize("position", [0.0, 0.03, 0.1, 0.37, 0.5, 0.55, 0.81, 0.99, 1.0])
def test_the_cell_colour_is_plotlys(name: str, position: float) -> None:
    scale = SCALES[name]
    # A map coloured from -4 to 4: the value at this position of the scale.
    value = -4 + 8 * position
    (expected,) = plotly.colors.sample_colorscale(scale, [position])
    got = _rgb(scale_color(value, scale, -4.0, 4.0))
    # Within one level of 255: a channel that lands on x.5 may round either way.
    assert all(abs(g - e) <= 1 for g, e in zip(got, _rgb(expected), strict=True)), (got, expected)


def _numpy_cell_colors(z, scale, zmin: float, zmax: float):
    """The slow, obvious colouring: every cell through NumPy's interp, as plotly samples."""
    z = np.asarray(z, dtype=float)
    finite = np.isfinite(z)
    span = zmax - zmin
    pos = np.clip((np.where(finite, z, zmin) - zmin) / span, 0, 1) if span > 0 else 0 * z
    stops = [float(p) for p, _ in scale]
    rgb = np.array([_rgb(c) for _, c in scale])
    channels = np.round([np.interp(pos, stops, rgb[:, i]) for i in range(3)]).astype(int)
    channels = np.moveaxis(channels, 0, -1)
    channels[~finite] = _rgb(NAN_COLOR)
    dark = channels @ np.array([299, 587, 114]) / 1000 < 128
    background = [["#{:02x}{:02x}{:02x}".format(*cell) for cell in row] for row in channels]
    return background, np.where(dark, "#ffffff", "#444444").tolist()


@pytest.mark.parametrize("name", list(SCALES))
def test_every_cell_is_coloured_as_numpy_interpolates(name: str) -> None:
    rng = np.random.default_rng(7)
    for trial in range(60):
        z = rng.integers(-9, 10, size=(rng.integers(1, 9), rng.integers(1, 9))).astype(float)
        if trial % 3 == 1:
            z = z * rng.random(z.shape)  # fractions: positions between the scale's stops
        if trial % 5 == 2:
            z[0, 0] = [math.nan, math.inf, -math.inf][trial % 3]
        zmin, zmax = sorted(rng.integers(-6, 7, size=2).astype(float))
        got = cell_colors(z, SCALES[name], zmin, zmax)
        assert got == _numpy_cell_colors(z, SCALES[name], zmin, zmax), (z, zmin, zmax)


@pytest.mark.parametrize("name", list(SCALES))
def test_many_distinct_values_get_the_same_colours_as_few(name: str) -> None:
    # Learned kernels: every weight a different number. Above NUMPY_FROM distinct values
    # cell_colors takes its vectorised path; each row alone (5 values) takes the plain one.
    rng = np.random.default_rng(11)
    z = rng.normal(0, 1.5, size=(80, 5))
    z[3, 2], z[40, 0], z[41, 4] = math.nan, math.inf, -math.inf
    assert len(set(z.ravel().tolist())) > NUMPY_FROM >= z.shape[1]
    whole = cell_colors(z, SCALES[name], -2.5, 2.5)
    assert whole == _numpy_cell_colors(z, SCALES[name], -2.5, 2.5)
    rows = [cell_colors(row[None], SCALES[name], -2.5, 2.5) for row in z]
    assert [bg[0] for bg, _ in rows] == whole[0]
    assert [fg[0] for _, fg in rows] == whole[1]


def test_values_outside_the_range_take_the_end_colours_and_nan_is_grey() -> None:
    scale = widgets.SIGNED_SCALE
    assert scale_color(-9, scale, -3, 3) == scale_color(-3, scale, -3, 3) == "#053061"
    assert scale_color(9, scale, -3, 3) == scale_color(3, scale, -3, 3) == "#67001f"
    assert scale_color(0, scale, -3, 3) == "#f7f7f7"  # white at 0, as the deck's tables
    assert scale_color(math.nan, scale, -3, 3) == NAN_COLOR
    assert scale_color(math.inf, scale, -3, 3) == NAN_COLOR


def test_numbers_are_white_on_dark_cells_and_dark_on_light_ones() -> None:
    assert text_color("#053061") == "#ffffff"  # the darkest blue
    assert text_color("#67001f") == "#ffffff"  # the darkest red
    assert text_color("#f7f7f7") == "#444444"  # white at 0
    assert text_color("#ffffff") == "#444444"
    # tinycolor's threshold: brightness (299 R + 587 G + 114 B) / 1000 below 128 is dark.
    assert text_color("#7f7f7f") == "#ffffff"  # 127
    assert text_color("#808080") == "#444444"  # 128


def test_a_panel_carries_the_figures_numbers_text_and_colours() -> None:
    z = np.array([[-4.0, 0.0, 1 / 3], [2.0, np.nan, 4.0]])
    hm = widgets.heatmap(z, title="Feature map 2×3", cell_px=30)
    fig = widgets.to_plotly(hm)  # the other renderer of the same description
    panel = map_panel(hm, "fm", caption_html="<i>I</i>")
    assert panel["key"] == "fm" and panel["title"] == "Feature map 2×3"
    assert panel["z"] == [[-4.0, 0.0, 1 / 3], [2.0, None, 4.0]]
    assert panel["text"] == fig["data"][0]["text"]
    assert panel["text"][0] == ["-4", "0", "0.333"]
    trace = fig["data"][0]
    for r in range(2):
        for c in range(3):
            want = scale_color(z[r, c], trace["colorscale"], trace["zmin"], trace["zmax"])
            assert panel["bg"][r][c] == want
            assert panel["fg"][r][c] == text_color(want)
    assert panel["bg"][1][1] == NAN_COLOR
    assert panel["cell"] == 30  # the pitch the figure was built with
    assert (panel["width"], panel["height"]) == (fig["layout"]["width"], fig["layout"]["height"])
    assert panel["rows"] == [1, 2] and panel["cols"] == [1, 2, 3]
    assert panel["caption_html"] == "<i>I</i>"
    json.dumps(panel, allow_nan=False)  # plain JSON, no NaN


def test_frames_are_in_cells_of_the_array_whatever_the_labels() -> None:
    # A zero-padded 10×10 input labelled from 0, the window at rows/columns 2–4 (labels),
    # the max-pool winner in green.
    hm = widgets.heatmap(
        np.zeros((10, 10)),
        title="t",
        highlight=(2, 2, 3, 3),
        second_highlight=(3, 4, 1, 1),
        origin=(0, 0),
    )
    panel = map_panel(hm, "in")
    assert panel["rows"][0] == 0 and panel["cols"][-1] == 9
    assert panel["frames"] == [
        [2, 2, 3, 3, widgets.HIGHLIGHT_COLOR, 3],
        [3, 4, 1, 1, widgets.SECOND_HIGHLIGHT_COLOR, 3],
    ]


def test_large_maps_label_every_other_row_and_column() -> None:
    small = map_panel(widgets.heatmap(np.zeros((8, 8)), title="t", cell_px=20), "s")
    large = map_panel(widgets.heatmap(np.zeros((16, 16)), title="t", cell_px=20), "l")
    assert all(small["row_ticks"]) and all(small["col_ticks"])
    assert large["row_ticks"] == [i % 2 == 0 for i in range(16)] == large["col_ticks"]


def _page() -> None:
    import numpy as np

    from playground.ui import widgets

    widgets.show_map(widgets.heatmap(np.array([[1, -1], [0, 2]]), title="t"), key="one")


def test_show_map_sends_one_component_with_its_panel() -> None:
    at = AppTest.from_function(_page).run()
    assert not at.exception, at.exception
    (element,) = at.get("bidi_component")
    assert element.proto.component_name == COMPONENT_NAME
    data = json.loads(element.proto.bytes)
    assert data["heading"] is None
    (panel,) = data["panels"]
    assert panel["key"] == "one" and panel["text"] == [["1", "-1"], ["0", "2"]]
