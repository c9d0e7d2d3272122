"""The Lesson page, run by AppTest through the real entry file.

Every step renders without an exception and shows the deck's own numbers; Prev / Next walk the
whole lesson; a changed step is still changed after walking away and back; "Reset" and
"Open in …" load what they promise; presenter mode renders every step too.

Drawing is simulated as the browser does it, by setting the drawing component's state; painting
with the mouse is tested in tests/e2e/test_lesson_links.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import grids, kernels
from playground.links import codec
from playground.views.lesson import session as lesson_session
from playground.views.lesson.steps import STEPS
from tests.app.helpers import z
from tests.deck import THRESHOLDED_8x8 as DECK_THRESHOLDED

APP = "../../playground/app.py"  # AppTest resolves it against this file's folder
N = len(STEPS)
SLUG_NUMBER = {step.slug: n for n, step in enumerate(STEPS, start=1)}


def open_step(number: int, *, presenter: bool = False) -> AppTest:
    """A new session opened on the lesson at ``number`` (through its link, ``?step=``)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("views/lesson/lesson.py")
    at.query_params["step"] = str(number)
    if presenter:
        at.session_state["presenter"] = True
    return run(at)


def run(target) -> AppTest:
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.code)


def draw(at: AppTest, slug: str, i: int, cells) -> AppTest:
    """What the drawing component sends after a stroke: the whole grid, tagged with its revision."""
    key = lesson_session.drawing_key(slug, i)
    rev = at.session_state[key + "_rev"]
    at.session_state[key + "_draw"] = {
        "grid": {"rev": rev, "seq": 1, "cells": np.asarray(cells).tolist()}
    }
    return run(at)


# --- every step -------------------------------------------------------------------------------


@pytest.mark.parametrize("number", range(1, N + 1), ids=[s.slug for s in STEPS])
def test_every_step_renders_its_example(number):
    at = open_step(number)
    step = STEPS[number - 1]
    assert at.subheader[0].value == f"{number}. {step.title}"
    assert at.session_state[lesson_session.STEP] == number
    assert at.query_params == {"step": str(number)}  # pristine: the step alone is the link
    assert at.button(key="lesson_prev_top").disabled == (number == 1)
    assert at.button(key="lesson_next_top").disabled == (number == N)


@pytest.mark.parametrize("number", [1, 5, 7, 11, 14], ids=["xo", "conv", "erratum", "pool", "net"])
def test_steps_render_in_presenter_mode(number):
    at = open_step(number, presenter=True)
    assert at.session_state["presenter"] is True
    fig = at.get("plotly_chart")[0]
    layout = json.loads(fig.proto.spec)["layout"]
    assert layout["title"]["font"]["size"] == 20  # readable from the back of the room


def test_next_and_previous_walk_the_whole_lesson():
    at = open_step(1)
    for number in range(2, N + 1):
        at = run(at.button(key="lesson_next_top").click())
        assert at.subheader[0].value.startswith(f"{number}. ")
        assert at.query_params["step"] == str(number)
    assert at.button(key="lesson_next_bottom").disabled
    for number in range(N - 1, 0, -1):
        at = run(at.button(key="lesson_prev_bottom").click())
        assert at.subheader[0].value.startswith(f"{number}. ")


def test_the_step_picker_jumps():
    at = open_step(1)
    at = run(at.selectbox(key="lesson_pick").set_value(SLUG_NUMBER["network"]))
    assert at.subheader[0].value == f"{SLUG_NUMBER['network']}. A CNN is a neural network"


# --- the deck's numbers in the live views --------------------------------------------------------


def test_the_dot_product_step_sums_to_4():
    at = open_step(SLUG_NUMBER["dot"])
    np.testing.assert_array_equal(z(at, "lesson_dot_products"), [[1, 0, 1], [0, 1, 0], [1, 0, 0]])
    assert "Σ = 4" in text(at)
    # One more ink pixel under a kernel 1 makes it 5.
    at = draw(at, "dot", 0, [[1, 0, 1], [0, 1, 1], [1, 1, 1]])
    assert "Σ = 5" in text(at)


def test_the_convolution_step_slides_as_the_slides_do():
    at = open_step(SLUG_NUMBER["conv"])
    fmap = z(at, "lesson_conv_fmap")
    np.testing.assert_array_equal(fmap[0], [-1, -2, 0, -2, -1, 1])
    assert "= -1" in text(at)  # the first window
    at = run(at.button(key="lesson_conv_next").click())
    assert at.session_state[lesson_session.setting_key("conv", "r")] == 2
    assert "= -2" in text(at)  # the one below it, as the second frame
    at = run(at.button(key="lesson_conv_next").click())
    assert "= 1" in text(at)
    assert at.query_params["r"] == "3"  # a changed step is in the link


def test_the_padding_step_shows_the_10x10_input_and_the_8x8_map():
    at = open_step(SLUG_NUMBER["padding"])
    assert z(at, "lesson_padding_padded").shape == (10, 10)
    np.testing.assert_array_equal(z(at, "lesson_padding_fmap")[0], [0, 0, -1, -2, 0, 1, 0, 0])
    at = run(at.button_group(key=lesson_session.setting_key("padding", "pad")).set_value("valid"))
    assert z(at, "lesson_padding_fmap").shape == (6, 6)


def test_the_erratum_exercise_checks_the_answer_and_reveals_0():
    at = open_step(SLUG_NUMBER["erratum"])
    printed = z(at, "lesson_erratum_printed")
    assert printed[2, 2] == -2  # as the slides print it
    at = run(at.number_input(key="lesson_erratum_answer").set_value(-2))
    at = run(at.button(key="lesson_erratum_check").click())
    assert "what the slides print" in at.warning[0].value
    at = run(at.number_input(key="lesson_erratum_answer").set_value(0))
    at = run(at.button(key="lesson_erratum_check").click())
    assert "Right: the sum is 0" in at.success[0].value
    at = run(at.button(key="lesson_erratum_reveal").click())
    np.testing.assert_array_equal(z(at, "lesson_erratum_window"), [[1, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert z(at, "lesson_erratum_true")[2, 2] == 0
    assert "1×1" in text(at) and "= 0" in text(at)


def test_the_threshold_step_keeps_the_3_and_follows_the_slider():
    at = open_step(SLUG_NUMBER["threshold"])
    np.testing.assert_array_equal(z(at, "lesson_threshold_thr"), DECK_THRESHOLDED)
    at = run(at.slider(key=lesson_session.setting_key("threshold", "t")).set_value(1.5))
    thr = z(at, "lesson_threshold_thr")
    assert set(np.unique(thr)) == {0, 2, 3}
    assert at.query_params["t"] == "1.5"


def test_the_pooling_step_gives_the_subsampled_map_and_its_winner():
    at = open_step(SLUG_NUMBER["pool"])
    np.testing.assert_array_equal(
        z(at, "lesson_pool_pooled"), [[0, 0, 1, 1], [1, 3, 0, 1], [1, 0, 2, 1], [1, 1, 0, 0]]
    )
    assert "max(3, 0, 0, 0) = 3" in text(at)
    at = run(at.button_group(key=lesson_session.setting_key("pool", "pm")).set_value("avg"))
    assert z(at, "lesson_pool_pooled")[1, 1] == 0.75
    assert at.query_params["pm"] == "avg"


def test_the_network_step_shows_the_decks_tables_and_weights():
    at = open_step(SLUG_NUMBER["network"])
    np.testing.assert_array_equal(
        z(at, "lesson_network_out"), [[0, 2, 1, 0], [2, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    )
    np.testing.assert_array_equal(z(at, "lesson_network_pooled"), [[2, 1], [1, 0]])
    weights = z(at, "lesson_network_weights")
    assert weights.shape == (16, 25)
    assert int(np.count_nonzero(weights)) == 32  # two non-zero kernel values, 16 neurons
    assert "Of 400 possible weights, only 64" in text(at)


def test_the_3d_step_sums_both_channels():
    at = open_step(SLUG_NUMBER["conv3d"])
    total = z(at, "lesson_conv3d_total")
    parts = z(at, "lesson_conv3d_part0") + z(at, "lesson_conv3d_part1")
    np.testing.assert_array_equal(total, parts)


def test_the_shift_step_matches_more_after_pooling():
    at = open_step(SLUG_NUMBER["shift"])
    values = {m.label: m.value for m in at.metric}
    pixels = next(v for k, v in values.items() if k.startswith("Pixels"))
    pooled = next(v for k, v in values.items() if k.startswith("Pooled maps"))
    assert int(pooled.rstrip("%")) > int(pixels.rstrip("%"))


# --- changes are kept, and can be undone -------------------------------------------------------


def test_a_changed_step_is_kept_while_walking_away_and_back():
    number = SLUG_NUMBER["local"]
    at = open_step(number)
    assert at.button(key="lesson_reset_local").disabled  # nothing changed yet
    moved = grids.shift(grids.DECK_X_8x8, 1, 0)
    at = draw(at, "local", 0, moved)
    assert "g" in at.query_params  # the link now carries the drawing
    at = run(at.button(key="lesson_next_top").click())
    at = run(at.button(key="lesson_prev_top").click())
    np.testing.assert_array_equal(at.session_state[lesson_session.drawing_key("local", 0)], moved)
    assert at.query_params["g"] == codec.encode_grid(moved)
    at = run(at.button(key="lesson_reset_local").click())
    np.testing.assert_array_equal(
        at.session_state[lesson_session.drawing_key("local", 0)], grids.DECK_X_8x8
    )
    assert at.query_params == {"step": str(number)}


def test_kernel_and_settings_of_a_step_are_kept_while_walking_away_and_back():
    at = open_step(SLUG_NUMBER["threshold"])
    cell = lesson_session.kernel_key("threshold", 0) + "_r1c1"
    t_key = lesson_session.setting_key("threshold", "t")
    at = run(at.text_input(key=cell).set_value("2"))
    at = run(at.slider(key=t_key).set_value(1.0))
    shared = dict(at.query_params)
    at = run(at.button(key="lesson_next_top").click())
    at = run(at.button(key="lesson_prev_top").click())
    assert at.text_input(key=cell).value == "2"
    assert at.slider(key=t_key).value == 1.0
    assert at.session_state[lesson_session.kernel_key("threshold", 0) + "_last_good"][1, 1] == 2
    assert dict(at.query_params) == shared


def test_a_bad_kernel_cell_is_named_and_the_last_good_kernel_kept():
    at = open_step(SLUG_NUMBER["conv"])
    cell = lesson_session.kernel_key("conv", 0) + "_r0c0"
    at = at.text_input(key=cell).set_value("abc").run()
    assert not at.exception
    assert "Row 1, column 1 of kernel is not a number" in at.error[0].value
    np.testing.assert_array_equal(z(at, "lesson_conv_fmap")[0], [-1, -2, 0, -2, -1, 1])


# --- into the other pages ---------------------------------------------------------------------


def test_open_in_the_lab_loads_the_step_there():
    at = open_step(SLUG_NUMBER["conv"])
    at = run(at.button(key="lesson_conv_next").click())  # the window at row 2, column 1
    at = run(at.button(key="lesson_open_conv").click())
    ss = at.session_state
    np.testing.assert_array_equal(ss["lab_grid"], grids.DECK_O_8x8)
    np.testing.assert_array_equal(ss["lab_k1_last_good"], kernels.preset("deck diagonal /"))
    assert ss["lab_pad_kind"] == "valid" and ss["lab_n_kernels"] == 1
    assert ss["lab_step_pos_convolution"] == 6  # row 2, column 1 of the 6×6 map
    assert at.title[0].value == "Convolution lab"
    assert at.query_params["pad"] == "valid"


def test_open_in_same_loads_both_drawings():
    at = open_step(SLUG_NUMBER["shift"])
    at = run(at.button(key="lesson_open_shift").click())
    ss = at.session_state
    np.testing.assert_array_equal(ss["same_a"], grids.DECK_O_8x8)
    np.testing.assert_array_equal(ss["same_b"], grids.shift(grids.DECK_O_8x8, 1, 0))
    assert (ss["same_recipe"].dr, ss["same_recipe"].dc) == (1, 0)
    assert ss["same_kernels"] == "deck diagonal /"


def test_open_inside_the_network_shows_the_deck_example():
    at = open_step(SLUG_NUMBER["network"])
    at = run(at.button(key="lesson_open_network").click())
    assert at.session_state["inside_source"] == "deck"
