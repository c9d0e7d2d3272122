"""The Convolution lab page, run by AppTest through the real entry file (the lab is the default
page): no exception on defaults and after every kind of change, the figures' numbers equal the
deck's tables and ``cnn_core``'s results, bad kernel cells give the message.

Drawing is simulated as the browser does it, by setting the drawing component's state
(``{"grid": {"rev", "seq", "cells"}}``); painting with the mouse is tested in tests/e2e.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import conv2d, conv_trace, pool2d, threshold
from tests.app.helpers import map_keys, map_panel, map_rows, run, z
from tests.deck import DIAGONAL as DECK_KERNEL
from tests.deck import O_IMAGE as DECK_O
from tests.deck import POOLED_4x4 as DECK_POOLED
from tests.deck import SAME_8x8 as DECK_SAME
from tests.deck import THRESHOLDED_8x8 as DECK_THRESHOLDED
from tests.deck import VALID_6x6 as DECK_VALID

APP = "../../playground/app.py"  # AppTest resolves it against this file's folder


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture
def at_open(at: AppTest) -> AppTest:
    """The page with the step-through and the 3-D convolution opened (both start closed)."""
    at.session_state["lab_show_step"] = True
    at.session_state["lab_show_3d"] = True
    return run(at)


def texts(at: AppTest, key: str) -> np.ndarray:
    return np.array(map_panel(at, key)["text"])


def title(at: AppTest, key: str) -> str:
    return map_panel(at, key)["title"]


def shapes(at: AppTest, key: str) -> list[tuple[float, float, float, float]]:
    """Highlight frames as (y0, y1, x0, x1) around the cells, in the map's row/column labels
    (the frame around row 3, column 3 alone is (2.5, 3.5, 2.5, 3.5))."""
    panel = map_panel(at, key)
    r0, c0 = panel["rows"][0], panel["cols"][0]
    return [
        (r0 + top - 0.5, r0 + top + h - 0.5, c0 + left - 0.5, c0 + left + w - 0.5)
        for top, left, h, w, _color, _line in panel["frames"]
    ]


def draw(at: AppTest, cells, seq: int = 1, rev: int | None = None) -> AppTest:
    """What the browser sends at the end of a stroke: the whole grid and its revision."""
    rev = at.session_state["lab_grid_rev"] if rev is None else rev
    cells = np.asarray(cells, dtype=int).tolist()
    at.session_state["lab_draw"] = {"grid": {"rev": rev, "seq": seq, "cells": cells}}
    return run(at)


def settings(at: AppTest) -> dict:
    """The page's settings as the widgets hold them, in cnn_core's terms."""
    kind = at.segmented_control(key="lab_pad_kind").value
    padding = int(at.number_input(key="lab_pad_n").value) if kind == "n" else kind
    pool_stride = at.selectbox(key="lab_pool_stride").value
    mode = at.segmented_control(key="lab_pool_mode").value
    return {
        "padding": padding,
        "stride": int(at.number_input(key="lab_stride").value),
        "t": float(at.slider(key="lab_t").value),
        "size": int(at.number_input(key="lab_pool_size").value),
        "pool_stride": None if pool_stride == "= size" else int(pool_stride),
        "mode": mode,
        "p": float(at.number_input(key="lab_p").value) if mode == "lp" else 2.0,
    }


def expected_maps(at: AppTest, n: int):
    """cnn_core's feature, thresholded and pooled maps for the page's current state."""
    s = settings(at)
    image = np.asarray(at.session_state["lab_grid"])
    kernel = np.asarray(at.session_state[f"lab_k{n}_last_good"])
    fm = conv2d(image, kernel, s["padding"], s["stride"])
    thr = threshold(fm, s["t"])
    return fm, thr, pool2d(thr, s["size"], s["pool_stride"], s["mode"], s["p"])


def assert_maps_follow_cnn_core(at: AppTest) -> None:
    n_kernels = int(at.segmented_control(key="lab_n_kernels").value)
    for n in range(1, n_kernels + 1):
        fm, thr, pooled = expected_maps(at, n)
        np.testing.assert_allclose(z(at, f"lab_fm{n}"), fm, atol=1e-12)
        np.testing.assert_allclose(z(at, f"lab_thr{n}"), thr, atol=1e-12)
        np.testing.assert_allclose(z(at, f"lab_pool{n}"), pooled, atol=1e-12)
        h, w = np.asarray(at.session_state["lab_grid"]).shape
        assert title(at, f"lab_fm{n}").endswith(f"{h}×{w} → {fm.shape[0]}×{fm.shape[1]}")
        ph, pw = pooled.shape
        assert title(at, f"lab_pool{n}").endswith(f"{fm.shape[0]}×{fm.shape[1]} → {ph}×{pw}")


# --- the deck's worked example on opening ------------------------------------------------------


def test_opens_on_the_decks_worked_example(at: AppTest) -> None:
    np.testing.assert_array_equal(np.asarray(at.session_state["lab_grid"]), DECK_O)
    kernel_cells = [[at.text_input(key=f"lab_k1_r{i}c{j}").value for j in range(3)]
                    for i in range(3)]  # fmt: skip
    assert kernel_cells == [["-1", "-1", "1"], ["-1", "1", "-1"], ["1", "-1", "-1"]]
    np.testing.assert_array_equal(z(at, "lab_fm1"), DECK_SAME)
    np.testing.assert_array_equal(z(at, "lab_thr1"), DECK_THRESHOLDED)
    np.testing.assert_array_equal(z(at, "lab_pool1"), DECK_POOLED)
    # Every number is written in its cell, the deck's way.
    assert texts(at, "lab_pool1").tolist() == [
        ["0", "0", "1", "1"],
        ["1", "3", "0", "1"],
        ["1", "0", "2", "1"],
        ["1", "1", "0", "0"],
    ]
    assert texts(at, "lab_fm1")[0].tolist() == ["0", "0", "-1", "-2", "0", "1", "0", "0"]
    assert title(at, "lab_fm1") == "Feature map 8×8 → 8×8"
    assert title(at, "lab_thr1") == "Threshold t=0: 8×8"
    assert title(at, "lab_pool1") == "Pooled 8×8 → 4×4"
    assert not at.error and not at.warning


def test_valid_padding_gives_the_decks_6x6_map(at: AppTest) -> None:
    run(at.segmented_control(key="lab_pad_kind").set_value("valid"))
    np.testing.assert_array_equal(z(at, "lab_fm1"), DECK_VALID)
    assert title(at, "lab_fm1") == "Feature map 8×8 → 6×6"
    # The deck's erratum: this window holds 1 0 1 / 0 0 0 / 0 0 0, so the cell is 0, not -2.
    assert texts(at, "lab_fm1")[2, 2] == "0"


def test_padding_1_equals_same_for_a_3x3_kernel(at: AppTest) -> None:
    at.segmented_control(key="lab_pad_kind").set_value("n")
    run(at)
    run(at.number_input(key="lab_pad_n").set_value(1))
    np.testing.assert_array_equal(z(at, "lab_fm1"), DECK_SAME)


# --- every kind of change --------------------------------------------------------------------


def _kernels(n):
    return lambda at: at.segmented_control(key="lab_n_kernels").set_value(n)


CHANGES = {
    "stride 2": lambda at: at.number_input(key="lab_stride").set_value(2),
    "padding valid": lambda at: at.segmented_control(key="lab_pad_kind").set_value("valid"),
    "threshold 1": lambda at: at.slider(key="lab_t").set_value(1.0),
    "threshold -1.5": lambda at: at.slider(key="lab_t").set_value(-1.5),
    "average pooling": lambda at: at.segmented_control(key="lab_pool_mode").set_value("avg"),
    "Lp pooling": lambda at: at.segmented_control(key="lab_pool_mode").set_value("lp"),
    "pool size 3": lambda at: at.number_input(key="lab_pool_size").set_value(3),
    "pool stride 1": lambda at: at.selectbox(key="lab_pool_stride").set_value(1),
    "2 kernels": _kernels(2),
    "4 kernels": _kernels(4),
    "kernel preset": lambda at: at.selectbox(key="lab_k1_preset").set_value("Sobel x"),
    "kernel flip": lambda at: at.button(key="lab_k1_flip_lr").click(),
    "kernel random": lambda at: at.button(key="lab_k1_random").click(),
    "kernel 5×5": lambda at: at.selectbox(key="lab_k1_size_pick").set_value(5),
    "kernel typed": lambda at: at.text_input(key="lab_k1_r1c1").set_value("2.5"),
    "grid clear": lambda at: at.button(key="lab_tools_clear").click(),
    "grid invert": lambda at: at.button(key="lab_tools_invert").click(),
    "grid shift": lambda at: at.button(key="lab_tools_right").click(),
    "grid X": lambda at: at.selectbox(key="lab_tools_preset").set_value("an X"),
    "grid 5×5 example": lambda at: at.selectbox(key="lab_tools_preset").set_value(
        "the 5×5 example"
    ),
    "grid random": lambda at: at.selectbox(key="lab_tools_preset").set_value("random"),
    "grid 5×5": lambda at: at.selectbox(key="lab_tools_size").set_value(5),
    "grid 16×16": lambda at: at.selectbox(key="lab_tools_size").set_value(16),
    "step pooling": lambda at: at.segmented_control(key="lab_step_what").set_value("pooling"),
    "step position": lambda at: at.select_slider(key="lab_step_pos_convolution").set_value(20),
    "3-D pooled": lambda at: at.segmented_control(key="lab_3d_source").set_value("pooled"),
    "3-D valid": lambda at: at.segmented_control(key="lab_3d_padding").set_value("valid"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_reruns_cleanly_and_the_maps_follow(at_open: AppTest, change: str) -> None:
    at = run(CHANGES[change](at_open))
    assert not at.error, [e.value for e in at.error]
    assert_maps_follow_cnn_core(at)


def test_the_explanations_open_on_demand(at: AppTest) -> None:
    assert map_keys(at) == ["lab_fm1", "lab_thr1", "lab_pool1"]
    at.session_state["lab_show_step"] = True
    assert {"lab_step_in", "lab_step_fm", "lab_step_prod"} <= set(map_keys(run(at)))
    assert "lab_3d_sum" not in map_keys(at)
    at.session_state["lab_show_3d"] = True
    assert "lab_3d_sum" in map_keys(run(at))


def test_changes_accumulate(at_open: AppTest) -> None:
    at = at_open
    """Several changes in a row, as a workshop would make them."""
    for change in (
        "4 kernels",
        "padding valid",
        "stride 2",
        "Lp pooling",
        "grid 16×16",
        "grid X",
        "pool stride 1",
        "kernel random",
        "step pooling",
        "3-D pooled",
    ):
        run(CHANGES[change](at))
        assert_maps_follow_cnn_core(at)
    assert not at.error


def test_lp_pooling_uses_p(at: AppTest) -> None:
    run(at.segmented_control(key="lab_pool_mode").set_value("lp"))
    run(at.number_input(key="lab_p").set_value(1.0))
    # p = 1: each pooled cell is the sum of its 2×2 window of the thresholded map.
    summed = DECK_THRESHOLDED.reshape(4, 2, 4, 2).sum(axis=(1, 3))
    np.testing.assert_allclose(z(at, "lab_pool1"), summed)
    assert title(at, "lab_pool1") == "Pooled 8×8 → 4×4"


def test_average_pooling_writes_decimals(at: AppTest) -> None:
    run(at.segmented_control(key="lab_pool_mode").set_value("avg"))
    # Window rows 3-4, columns 3-4 of the thresholded map holds 3, 0, 0, 0: average 0.75.
    assert texts(at, "lab_pool1")[1, 1] == "0.75"
    assert texts(at, "lab_pool1")[0, 2] == "0.25"


def test_several_kernels_each_get_their_maps(at: AppTest) -> None:
    run(at.segmented_control(key="lab_n_kernels").set_value(2))
    assert {"lab_fm2", "lab_thr2", "lab_pool2"} <= set(map_keys(at))
    # Kernel 2 is the mirror image "\": on the O it is the mirror image of kernel 1's map of
    # the mirrored O.
    mirrored = conv2d(DECK_O[:, ::-1], DECK_KERNEL, "same")[:, ::-1]
    np.testing.assert_array_equal(z(at, "lab_fm2"), mirrored)
    # Its heading names it, backslash included.
    headings = [row["heading"] for row in map_rows(at)]
    assert headings[1]["title"] == "Kernel 2"
    assert headings[1]["about"].startswith("deck diagonal \\ · ")
    run(at.segmented_control(key="lab_n_kernels").set_value(1))
    assert "lab_fm2" not in map_keys(at)


# --- drawing ---------------------------------------------------------------------------------


X8 = np.maximum(np.eye(8, dtype=int), np.eye(8, dtype=int)[:, ::-1])


def test_a_stroke_from_the_browser_updates_every_map(at: AppTest) -> None:
    draw(at, X8)
    np.testing.assert_array_equal(np.asarray(at.session_state["lab_grid"]), X8)
    fm = z(at, "lab_fm1")
    # Output cell (5, 5) (1-based) sees rows 4-6, columns 4-6 of the X: 1 1 0 / 1 1 0 / 0 0 1.
    # Against the "/" kernel: -1 -1 +0 / -1 +1 +0 / +0 +0 -1 = -3.
    assert fm[4, 4] == -3
    assert_maps_follow_cnn_core(at)


def test_clear_then_a_slider_does_not_bring_the_old_drawing_back(at: AppTest) -> None:
    draw(at, X8, seq=1)
    run(at.button(key="lab_tools_clear").click())
    assert np.asarray(at.session_state["lab_grid"]).sum() == 0
    # The browser keeps sending its last stroke (drawn on the old revision) with every rerun.
    run(at.slider(key="lab_t").set_value(0.5))
    assert np.asarray(at.session_state["lab_grid"]).sum() == 0
    assert not z(at, "lab_fm1").any()
    # A stroke drawn after the Clear (on the new revision) counts again.
    one = np.zeros((8, 8), dtype=int)
    one[2, 2] = 1
    draw(at, one, seq=2)
    assert np.asarray(at.session_state["lab_grid"]).sum() == 1
    # A single ink pixel under the kernel's centre gives the centre weight (1) there.
    assert z(at, "lab_fm1")[2, 2] == 1


def test_the_grid_size_changes_the_input_and_cell_size(at: AppTest) -> None:
    run(at.selectbox(key="lab_tools_size").set_value(16))
    assert np.asarray(at.session_state["lab_grid"]).shape == (16, 16)
    assert title(at, "lab_fm1") == "Feature map 16×16 → 16×16"
    cell = map_panel(at, "lab_fm1")["cell"]
    assert 18 <= cell < 34  # shrunk so the row of maps still fits a 1280-pixel projector


# --- bad kernels and settings that do not fit ------------------------------------------------


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "1e9"])
def test_a_bad_kernel_cell_is_named_and_the_last_good_kernel_kept(at: AppTest, bad: str) -> None:
    run(at.text_input(key="lab_k1_r2c0").set_value(bad))
    messages = [e.value for e in at.error]
    assert len(messages) == 1 and messages[0].startswith("Row 3, column 1 of kernel 1 is"), messages
    np.testing.assert_array_equal(z(at, "lab_fm1"), DECK_SAME)
    np.testing.assert_array_equal(z(at, "lab_pool1"), DECK_POOLED)


def test_a_bad_cell_in_kernel_2_names_kernel_2(at: AppTest) -> None:
    run(at.segmented_control(key="lab_n_kernels").set_value(2))
    before = z(at, "lab_fm2")
    run(at.text_input(key="lab_k2_r1c2").set_value("x"))
    assert [e.value for e in at.error][0].startswith("Row 2, column 3 of kernel 2 is not a number")
    np.testing.assert_array_equal(z(at, "lab_fm2"), before)
    np.testing.assert_array_equal(z(at, "lab_fm1"), DECK_SAME)


def test_an_even_kernel_with_same_padding_explains_itself(at: AppTest) -> None:
    run(at.selectbox(key="lab_k1_size_pick").set_value(2))
    warnings = " ".join(w.value for w in at.warning)
    assert "odd" in warnings and "same" in warnings
    assert "lab_fm1" not in map_keys(at)
    run(at.segmented_control(key="lab_pad_kind").set_value("valid"))
    assert not at.warning
    assert title(at, "lab_fm1") == "Feature map 8×8 → 7×7"


def test_a_pool_larger_than_the_map_explains_itself(at: AppTest) -> None:
    at.segmented_control(key="lab_pad_kind").set_value("valid")
    run(at.number_input(key="lab_stride").set_value(3))  # 8×8 → 2×2
    run(at.number_input(key="lab_pool_size").set_value(3))
    warnings = " ".join(w.value for w in at.warning)
    assert "Pooling" in warnings and "larger" in warnings
    assert "lab_fm1" in map_keys(at) and "lab_pool1" not in map_keys(at)


# --- step through the sliding window ---------------------------------------------------------


def _formula_line(at: AppTest) -> str:
    lines = [m.value for m in at.markdown if "`" in m.value and "column" in m.value]
    assert lines, [m.value for m in at.markdown]
    return lines[0]


def test_step_through_explains_one_output_cell(at_open: AppTest) -> None:
    at = at_open
    run(at.select_slider(key="lab_step_pos_convolution").set_value(2 * 8 + 2))
    # Row 3, column 3: the window is rows 2-4, columns 2-4 of the O (1-based).
    np.testing.assert_array_equal(z(at, "lab_step_win"), [[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(z(at, "lab_step_ker"), DECK_KERNEL)
    np.testing.assert_array_equal(z(at, "lab_step_prod"), [[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    line = _formula_line(at)
    assert line.startswith("**Row 3, column 3:**")
    trace = conv_trace(DECK_O, DECK_KERNEL, 2, 2, "same")
    assert f"`{trace.formula()}`" in line and line.rstrip("`").endswith("= 3")
    # The window is outlined on the padded input (labels: row/column 0 is padding) and the
    # output cell on the feature map.
    assert shapes(at, "lab_step_in") == [(1.5, 4.5, 1.5, 4.5)]
    assert shapes(at, "lab_step_fm") == [(2.5, 3.5, 2.5, 3.5)]
    assert map_panel(at, "lab_step_in")["rows"][0] == 0  # the padding row


def test_open_explanations_follow_a_stroke(at_open: AppTest) -> None:
    image = DECK_O.copy()
    image[0, 0] = 1
    at = draw(at_open, image)
    fm = conv2d(image, DECK_KERNEL, "same")
    np.testing.assert_array_equal(z(at, "lab_fm1"), fm)
    np.testing.assert_array_equal(z(at, "lab_step_fm"), fm)
    np.testing.assert_array_equal(z(at, "lab_step_in")[1:-1, 1:-1], image)  # inside the padding
    np.testing.assert_array_equal(z(at, "lab_3d_in0"), threshold(fm, 0.0))
    # The window at output cell (1, 1) now holds the new ink under the kernel's centre.
    np.testing.assert_array_equal(z(at, "lab_step_win"), [[0, 0, 0], [0, 1, 0], [0, 0, 0]])


def test_step_through_pooling_shows_the_window_and_the_winner(at_open: AppTest) -> None:
    at = at_open
    run(at.segmented_control(key="lab_step_what").set_value("pooling"))
    run(at.select_slider(key="lab_step_pos_pooling").set_value(1 * 4 + 1))
    assert "`max(3, 0, 0, 0) = 3`" in _formula_line(at)
    window, winner = shapes(at, "lab_pstep_thr")
    assert window == (2.5, 4.5, 2.5, 4.5)  # rows 3-4, columns 3-4
    assert winner == (2.5, 3.5, 2.5, 3.5)  # the 3 at row 3, column 3
    assert shapes(at, "lab_pstep_pool") == [(1.5, 2.5, 1.5, 2.5)]


def test_play_advances_the_window_and_pause_stops_it(at_open: AppTest) -> None:
    at = at_open
    key = "lab_step_pos_convolution"
    run(at.button(key="lab_step_play").click())
    assert at.session_state["lab_step_playing"]
    first = at.session_state[key]
    run(at)  # what run_every does in the browser: run again
    assert at.session_state[key] == first + 1
    assert at.button(key="lab_step_play").label.startswith("Pause")
    run(at.button(key="lab_step_play").click())
    assert not at.session_state["lab_step_playing"]
    stopped = at.session_state[key]
    run(at)
    assert at.session_state[key] == stopped


def test_the_step_position_survives_a_smaller_map(at_open: AppTest) -> None:
    at = at_open
    run(at.select_slider(key="lab_step_pos_convolution").set_value(63))
    run(at.segmented_control(key="lab_pad_kind").set_value("valid"))  # 8×8 → 6×6: 36 cells
    assert at.select_slider(key="lab_step_pos_convolution").value < 36


# --- 3-D convolution -------------------------------------------------------------------------


def test_3d_convolution_sums_the_channels(at_open: AppTest) -> None:
    at = at_open
    run(at.segmented_control(key="lab_n_kernels").set_value(2))
    thr1, thr2 = z(at, "lab_thr1"), z(at, "lab_thr2")
    # Each channel's kernel starts as the identity, so each contribution is its channel and
    # the 3-D convolution is their plain sum.
    np.testing.assert_array_equal(z(at, "lab_3d_part0"), thr1)
    np.testing.assert_array_equal(z(at, "lab_3d_part1"), thr2)
    np.testing.assert_array_equal(z(at, "lab_3d_sum"), thr1 + thr2)
    # Channel 2's kernel doubled: its contribution doubles.
    run(at.text_input(key="lab_3d_k1_r1c1").set_value("2"))
    np.testing.assert_array_equal(z(at, "lab_3d_sum"), thr1 + 2 * thr2)
    # The explanation of one cell lists each channel's sum and the total.
    run(at.select_slider(key="lab_3d_pos").set_value(2 * 8 + 2))
    text = " ".join(m.value for m in at.markdown if "(channel 1)" in m.value)
    a, b = thr1[2, 2], 2 * thr2[2, 2]
    assert re.search(rf"{a:g} \(channel 1\) \+ {b:g} \(channel 2\) = \*\*{a + b:g}\*\*", text)


def test_3d_convolution_of_pooled_maps_valid(at_open: AppTest) -> None:
    at = at_open
    run(at.segmented_control(key="lab_n_kernels").set_value(3))
    run(at.segmented_control(key="lab_3d_source").set_value("pooled"))
    run(at.segmented_control(key="lab_3d_padding").set_value("valid"))
    pooled = np.stack([z(at, f"lab_pool{n}") for n in (1, 2, 3)])
    # Identity 3×3 kernels, valid: the sum of the channels' centres (4×4 → 2×2).
    np.testing.assert_array_equal(z(at, "lab_3d_sum"), pooled.sum(axis=0)[1:3, 1:3])
    assert title(at, "lab_3d_sum") == "Sum over channels: 2×2"
