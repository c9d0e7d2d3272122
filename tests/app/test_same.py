"""The "Same?" page, run by AppTest through the real entry file: no exception on the defaults
and after every kind of change; every count shown equals ``cnn_core.compare``'s, and the
opening numbers show the deck's point (pooling matches more non-zero values than pixels).

Drawing is simulated as the browser does it, by setting a drawing component's state
(``{"grid": {"rev", "seq", "cells"}}``); painting with the mouse is tested in tests/e2e.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import grids, kernels
from cnn_core.compare import CopyRecipe, PipelineSettings, compare_drawings, transformed_copy
from tests.app.helpers import figure, metrics, run, z

APP = "../../playground/app.py"  # AppTest resolves it against this file's folder
PAGE = "views/same/same.py"
DECK_KERNEL = kernels.preset("deck diagonal /")
DECK_POOLED_O = [[0, 0, 1, 1], [1, 3, 0, 1], [1, 0, 2, 1], [1, 1, 0, 0]]


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page(PAGE)
    return run(app)


def grid(at: AppTest, key: str) -> np.ndarray:
    return np.asarray(at.session_state[key])


def button(at: AppTest, key: str):
    return at.button(key=key)


def draw(at: AppTest, which: str, cells) -> AppTest:
    """The browser's report at the end of a stroke on drawing A or B."""
    rev = at.session_state[f"same_{which}_rev"]
    state = {"grid": {"rev": rev, "seq": 1, "cells": np.asarray(cells, dtype=int).tolist()}}
    at.session_state[f"same_grid_{which}"] = state
    return run(at)


def page_settings(at: AppTest) -> PipelineSettings:
    return PipelineSettings(
        padding=at.segmented_control(key="same_padding").value,
        t=float(at.number_input(key="same_t").value),
        pool_size=int(at.number_input(key="same_pool_size").value),
        pool_mode=at.segmented_control(key="same_pool_mode").value,
    )


def page_kernels(at: AppTest) -> list[np.ndarray]:
    choice = at.selectbox(key="same_kernels").value
    if choice in kernels.PRESETS:
        return [kernels.preset(choice)]
    found = []
    for n in range(1, 5):
        if f"lab_k{n}_last_good" not in at.session_state:
            break
        found.append(np.asarray(at.session_state[f"lab_k{n}_last_good"]))
    return found or [DECK_KERNEL]


def assert_counts_follow_cnn_core(at: AppTest) -> None:
    """Every number on the page equals cnn_core.compare's for the page's drawings."""
    a, b = grid(at, "same_a"), grid(at, "same_b")
    result = compare_drawings(a, b, page_kernels(at), page_settings(at))
    shown = metrics(at)
    for label, match in (
        ("Pixels", result.pixels),
        ("After convolution + threshold", result.thresholded),
        ("After pooling", result.pooled),
    ):
        percent = "–" if match.ratio is None else f"{round(100 * match.ratio)} %"
        assert shown[label] == f"{match.both} / {match.either} = {percent}"
    np.testing.assert_array_equal(z(at, "same_thr_a"), result.maps_a.thresholded[0])
    np.testing.assert_array_equal(z(at, "same_thr_b"), result.maps_b.thresholded[0])
    np.testing.assert_array_equal(z(at, "same_pool_a"), result.maps_a.pooled[0])
    np.testing.assert_array_equal(z(at, "same_pool_b"), result.maps_b.pooled[0])


# --- the opening: the deck's O and a copy one pixel to the right ------------------------------


def test_opens_on_the_decks_o_and_its_shifted_copy(at: AppTest) -> None:
    np.testing.assert_array_equal(grid(at, "same_a"), grids.DECK_O_8x8)
    np.testing.assert_array_equal(grid(at, "same_b"), grids.shift(grids.DECK_O_8x8, 0, 1))
    # Counted by hand: the O has 14 ink pixels, its copy too, 4 of them coincide.
    shown = metrics(at)
    assert shown["Pixels"] == "4 / 24 = 17 %"
    assert_counts_follow_cnn_core(at)
    assert shown["After pooling"] == "5 / 10 = 50 %"  # the deck's point, in numbers
    assert z(at, "same_pool_a").tolist() == DECK_POOLED_O  # the deck's subsampled map
    assert "More non-zero values are matched" in at.success[0].value
    assert any("**B** = A shifted 1 right" in m.value for m in at.markdown)
    assert not at.error and not at.warning


def test_matching_cells_are_framed_in_both_pooled_maps(at: AppTest) -> None:
    a, b = z(at, "same_pool_a"), z(at, "same_pool_b")
    both = {(r, c) for r, c in zip(*np.nonzero((a != 0) & (b != 0)), strict=True)}
    for key in ("same_pool_a", "same_pool_b"):
        frames = figure(at, key)["layout"]["shapes"]
        # heatmap_figure labels rows and columns from 1: a frame spans r+1 ± 0.5.
        framed = {(round(s["y0"] + 0.5) - 1, round(s["x0"] + 0.5) - 1) for s in frames}
        assert framed == both
    overlay = z(at, "same_pool_overlay")
    assert int((overlay == 3).sum()) == len(both) == 5


def test_without_a_model_the_page_says_how_to_get_one(at: AppTest) -> None:
    assert any("No trained model yet" in c.value for c in at.caption)
    assert not [m for m in at.metric if m.label.startswith("The trained model")]


# --- the transform buttons ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clicks", "recipe"),
    [
        (["same_shift_right"], CopyRecipe(dc=2)),
        (["same_shift_down", "same_shift_down"], CopyRecipe(dr=2, dc=1)),
        (["same_shift_left", "same_shift_up"], CopyRecipe(dr=-1, dc=0)),
        (["same_turn"], CopyRecipe(dc=1, turns=1)),
        (["same_bigger"], CopyRecipe(dc=1, factor=1.25)),
        (["same_smaller", "same_smaller"], CopyRecipe(dc=1, factor=0.5)),
        (["same_thicker"], CopyRecipe(dc=1, heavier=1)),
    ],
)
def test_transform_buttons_make_b_from_a(at: AppTest, clicks, recipe) -> None:
    for key in clicks:
        at = run(button(at, key).click())
    expected = transformed_copy(grids.DECK_O_8x8, recipe)
    np.testing.assert_array_equal(grid(at, "same_b"), expected)
    assert any(f"**B** = A {recipe.describe()}" in m.value for m in at.markdown)
    assert_counts_follow_cnn_core(at)


def test_an_exact_copy_matches_everywhere(at: AppTest) -> None:
    at = run(button(at, "same_reset").click())
    np.testing.assert_array_equal(grid(at, "same_b"), grids.DECK_O_8x8)
    shown = metrics(at)
    assert shown["Pixels"] == "14 / 14 = 100 %"
    assert shown["After pooling"].endswith("= 100 %")
    assert_counts_follow_cnn_core(at)
    # Equal, not more: the page does not claim pooling helped.
    assert not at.success and "does not help" in at.info[0].value


def test_shift_far_enough_and_nothing_matches(at: AppTest) -> None:
    for _ in range(7):
        at = run(button(at, "same_shift_right").click())
    assert at.session_state["same_recipe"].dc == 7  # clamped: 8 would leave an empty grid
    at = run(button(at, "same_shift_right").click())
    assert at.session_state["same_recipe"].dc == 7
    assert_counts_follow_cnn_core(at)


def test_clear_b_then_an_empty_pair_has_nothing_to_match(at: AppTest) -> None:
    at = run(button(at, "same_clear_b").click())
    assert grid(at, "same_b").sum() == 0
    assert at.session_state["same_b_free"] is True
    at = run(button(at, "same_a_tools_clear").click())  # the shared toolbar's Clear
    shown = metrics(at)
    assert shown["Pixels"] == "0 / 0 = –"
    assert "Nothing to compare" in at.info[0].value


# --- drawing ----------------------------------------------------------------------------------


def test_drawing_on_b_makes_it_free(at: AppTest) -> None:
    b = grid(at, "same_b").copy()
    b[7, 0] = 1
    at = draw(at, "b", b)
    np.testing.assert_array_equal(grid(at, "same_b"), b)
    assert at.session_state["same_b_free"] is True
    assert any("**B** = drawn by hand" in m.value for m in at.markdown)
    assert_counts_follow_cnn_core(at)
    # A button makes B a copy of A again.
    at = run(button(at, "same_shift_left").click())
    np.testing.assert_array_equal(grid(at, "same_b"), grids.DECK_O_8x8)


def test_drawing_on_a_moves_its_copy_along(at: AppTest) -> None:
    a = np.zeros((8, 8), dtype=int)
    a[2:6, 3] = 1
    at = draw(at, "a", a)
    np.testing.assert_array_equal(grid(at, "same_a"), a)
    np.testing.assert_array_equal(grid(at, "same_b"), grids.shift(a, 0, 1))
    assert_counts_follow_cnn_core(at)


def test_a_stale_edit_of_b_is_ignored_after_a_button(at: AppTest) -> None:
    old_rev = at.session_state["same_b_rev"]
    at = run(button(at, "same_shift_right").click())
    stale = {"grid": {"rev": old_rev, "seq": 1, "cells": np.ones((8, 8), dtype=int).tolist()}}
    at.session_state["same_grid_b"] = stale
    at = run(at)
    np.testing.assert_array_equal(grid(at, "same_b"), grids.shift(grids.DECK_O_8x8, 0, 2))


# --- settings and kernels ---------------------------------------------------------------------


def test_settings_change_the_counts_as_cnn_core_does(at: AppTest) -> None:
    at = run(at.segmented_control(key="same_padding").set_value("valid"))
    assert_counts_follow_cnn_core(at)
    assert z(at, "same_thr_a").shape == (6, 6)
    at = run(at.number_input(key="same_pool_size").set_value(3))
    assert z(at, "same_pool_a").shape == (2, 2)
    assert_counts_follow_cnn_core(at)
    at = run(at.segmented_control(key="same_pool_mode").set_value("avg"))
    at = run(at.number_input(key="same_t").set_value(-1.0))
    assert_counts_follow_cnn_core(at)


def test_a_preset_kernel(at: AppTest) -> None:
    at = run(at.selectbox(key="same_kernels").set_value("horizontal line"))
    assert_counts_follow_cnn_core(at)


def test_an_even_kernel_with_same_padding_gives_a_message(at: AppTest) -> None:
    at = run(at.selectbox(key="same_kernels").set_value("deck 2×2"))
    assert "padding 'same' needs odd kernel sizes" in at.error[0].value
    at = run(at.segmented_control(key="same_padding").set_value("valid"))
    assert not at.error
    assert_counts_follow_cnn_core(at)


def test_the_labs_kernels_are_used_and_counted_together(at: AppTest) -> None:
    at.session_state["lab_k1_last_good"] = kernels.preset("vertical line")
    at.session_state["lab_k2_last_good"] = kernels.preset("horizontal line")
    at.session_state["lab_n_kernels"] = 2  # the learner chose two kernels in the lab
    at = run(at)
    assert len(page_kernels(at)) == 2
    assert_counts_follow_cnn_core(at)
    result = compare_drawings(grid(at, "same_a"), grid(at, "same_b"), page_kernels(at))
    shown = metrics(at)["After pooling"]
    assert shown.startswith(f"{result.pooled.both} / {result.pooled.either}")
    # The second kernel's maps are one click away.
    at = run(at.segmented_control(key="same_map_kernel").set_value(1))
    np.testing.assert_array_equal(z(at, "same_pool_a"), result.maps_a.pooled[1])


def test_the_labs_drawing_can_be_loaded(at: AppTest) -> None:
    drawing = grids.DECK_X_8x8.copy()
    at.session_state["lab_grid"] = drawing
    at = run(at)
    at = run(button(at, "same_from_lab").click())
    np.testing.assert_array_equal(grid(at, "same_a"), drawing)
    np.testing.assert_array_equal(grid(at, "same_b"), grids.shift(drawing, 0, 1))
    at = run(button(at, "same_deck").click())
    np.testing.assert_array_equal(grid(at, "same_a"), grids.DECK_O_8x8)


def test_a_bigger_grid_from_the_toolbar(at: AppTest) -> None:
    at = run(at.selectbox(key="same_a_tools_size").set_value(10))
    assert grid(at, "same_a").shape == grid(at, "same_b").shape == (10, 10)
    assert_counts_follow_cnn_core(at)


# --- with a trained model ---------------------------------------------------------------------


def test_the_trained_model_says_what_a_and_b_are(at: AppTest, trained_run) -> None:
    at.session_state["train_run"] = trained_run
    at = run(at)
    model = trained_run.model
    shown = {m.label: m for m in at.metric}
    for side, key in (("A", "same_a"), ("B", "same_b")):
        element = shown[f"The trained model says {side} is"]
        drawing = grid(at, key).astype(float)
        assert element.value == model.predict(drawing)
        proba = model.predict_proba(drawing)
        expected = " · ".join(
            f"{c} {round(100 * p)} %" for c, p in zip(model.classes_, proba, strict=True)
        )
        assert element.proto.delta == expected
    at = run(button(at, "same_turn").click())
    element = {m.label: m for m in at.metric}["The trained model says B is"]
    assert element.value == model.predict(grid(at, "same_b").astype(float))


def test_a_model_of_another_size_says_so(at: AppTest, trained_run) -> None:
    at.session_state["train_run"] = trained_run
    at = run(at.selectbox(key="same_a_tools_size").set_value(10))
    assert any("the model cannot read this drawing" in w.value for w in at.warning)
