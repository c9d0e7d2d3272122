"""The learning curves component (SVG, playground/ui/components/curves) and the Train page's
kernels drawn as maps: what Python sends the browser. How the browser draws the curves is
checked in tests/e2e/test_train.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.train_charts import TEST_COLOUR, TRAIN_COLOUR, kernel_maps, learning_curves
from playground.ui.components.curves import Series, curves_data
from playground.ui.components.maps import GAP_PX, row_width_px


def test_the_learning_curves_carry_every_point_on_fixed_axes():
    x = [0.2, 0.4, 0.6]
    data = learning_curves(
        loss=(x, [0.7, 0.5, 0.3]),
        test_loss=(x, [0.8, 0.6, 0.4]),
        accuracy=(x, [0.5, 0.75, 0.9]),
        test_accuracy=(x, [0.45, 0.7, 0.95]),
        x_max=3,
    )
    assert data["x_max"] == 3.0 and data["x_title"] == "epoch"
    loss, accuracy = data["panels"]
    assert (loss["title"], loss["percent"], loss["y_range"]) == ("loss", False, None)
    assert (accuracy["title"], accuracy["percent"]) == ("accuracy", True)
    assert accuracy["y_range"] == [0.0, 1.02]  # 100% sits just under the top, not on it
    assert [s["y"] for s in accuracy["series"]] == [[0.5, 0.75, 0.9], [0.45, 0.7, 0.95]]
    assert all(s["x"] == x for p in data["panels"] for s in p["series"])
    # The legend names each curve once: train solid blue, test dashed vermillion.
    assert data["legend"] == [
        {"name": "train", "colour": TRAIN_COLOUR, "dash": False},
        {"name": "test (held out)", "colour": TEST_COLOUR, "dash": True},
    ]


def test_a_diverged_loss_is_a_gap_not_invalid_json():
    s = Series("train", "#000000", False, [1, 2, 3, 4], [0.5, math.nan, math.inf, 0.25])
    (panel,) = curves_data([("loss", [s], False, None)], x_max=4, x_title="epoch", height=200)[
        "panels"
    ]
    assert panel["series"][0]["y"] == [0.5, None, None, 0.25]


def test_kernels_as_maps_share_one_colour_scale_and_keep_their_numbers():
    tiles = np.array([[[0.5, -0.25], [0.0, 0.1]], [[2.5, 0.0], [-1.0, 0.0]]])
    panels = kernel_maps(tiles, titles=["kernel 1", "kernel 2"], cell_px=30, key="k")
    assert [p["key"] for p in panels] == ["k_1", "k_2"]
    assert [p["title"] for p in panels] == ["kernel 1", "kernel 2"]
    np.testing.assert_array_equal([p["z"] for p in panels], tiles)
    # One scale for both (|2.5| is the strongest anywhere): the same 0.5 would get the same
    # colour in either kernel, and the first kernel's 0.5 is pale, not the full red of 2.5.
    assert panels[0]["bg"][0][0] != panels[1]["bg"][0][0]
    same = kernel_maps(np.array([[[0.5]], [[2.5]]]), titles=["a", "b"], cell_px=30, key="s")
    assert same[0]["bg"][0][0] == panels[0]["bg"][0][0]
    # No row or column numbers: a kernel's cells are weights, not places in a drawing.
    assert not any(any(p["row_ticks"]) or any(p["col_ticks"]) for p in panels)


def test_a_row_of_kernels_is_as_wide_as_its_maps_and_their_gaps():
    panels = kernel_maps(np.zeros((5, 3, 3)), titles=list("abcde"), cell_px=30, key="k")
    width = panels[0]["width"]
    assert row_width_px(panels, 3) == 3 * width + 2 * GAP_PX
    assert row_width_px(panels, 1) == width


def test_kernels_must_be_square_and_titled():
    with pytest.raises(ValueError, match="shape"):
        kernel_maps(np.zeros((2, 3, 4)), titles=["a", "b"], cell_px=30, key="k")
    with pytest.raises(ValueError, match="titles"):
        kernel_maps(np.zeros((2, 3, 3)), titles=["a"], cell_px=30, key="k")
