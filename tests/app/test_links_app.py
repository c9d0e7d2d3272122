"""Links and files through the real app (AppTest): the address bar follows the page, a link
opens the same state in a new session, a bad link shows a notice and the defaults, imports are
checked, and every page runs with a link, with presenter mode, without an exception.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import conv2d, grids, kernels, pool2d, threshold
from playground import export, save_load
from playground.links import codec
from playground.views.lesson import session as lesson_session
from tests.app.helpers import displayed, z

APP = "../../playground/app.py"
PAGES = [f"views/{name}/{name}.py" for name in ("lab", "same", "train", "inside", "lesson")]
NOTICE = "This link could not be opened"


def new_session(page: str = "views/lab/lab.py", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if page != "views/lab/lab.py":
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return run(at)


def run(target) -> AppTest:
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def notices(at: AppTest) -> list[str]:
    return [displayed(w.value) for w in at.warning if NOTICE in w.value]


# --- every page -------------------------------------------------------------------------------


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_an_exception(page, presenter):
    at = AppTest.from_file(APP, default_timeout=90)
    if page != "views/lab/lab.py":
        at.switch_page(page)
    at.session_state["presenter"] = presenter
    at = run(at)
    assert not notices(at)
    assert at.toggle(key="presenter").value is presenter


# --- the lab ----------------------------------------------------------------------------------


def test_the_lab_writes_its_state_into_the_address_bar():
    at = new_session()
    assert at.query_params["g"] == codec.encode_grid(grids.DECK_O_8x8)
    assert at.query_params["k"] == codec.encode_kernel(kernels.preset("deck diagonal /"))
    assert {k: at.query_params[k] for k in ("pad", "s", "t", "pm", "ps")} == {
        "pad": "same",
        "s": "1",
        "t": "0",
        "pm": "max",
        "ps": "2",
    }


def test_a_lab_link_opens_the_same_lab_in_a_new_session():
    drawing = grids.shift(grids.DECK_X_8x8, 0, 1)
    horizontal = kernels.preset("horizontal line")
    odd = np.array([[0.5, -1], [2.25, 0]])
    query = {
        "g": codec.encode_grid(drawing),
        "k": [codec.encode_kernel(horizontal), codec.encode_kernel(odd)],
        "pad": "valid",
        "s": "1",
        "t": "0.5",
        "pm": "avg",
        "ps": "2",
        "pst": "1",
    }
    at = new_session(query=query)
    assert not notices(at)
    ss = at.session_state
    np.testing.assert_array_equal(ss["lab_grid"], drawing)
    np.testing.assert_array_equal(ss["lab_k2_last_good"], odd)
    assert (ss["lab_n_kernels"], ss["lab_pad_kind"], ss["lab_t"]) == (2, "valid", 0.5)
    # The page computes with what the link says.
    fmap = conv2d(drawing, horizontal, "valid")
    np.testing.assert_array_equal(z(at, "lab_fm1"), fmap)
    pooled = pool2d(threshold(fmap, 0.5), 2, 1, "avg")
    np.testing.assert_allclose(z(at, "lab_pool1"), pooled)
    # And the address bar says exactly what it was opened with.
    assert {k: at.query_params[k] for k in query} == query


def test_the_address_bar_follows_a_change_on_the_page():
    at = new_session()
    at = run(at.slider(key="lab_t").set_value(1.5))
    assert at.query_params["t"] == "1.5"
    at = run(at.button_group(key="lab_pad_kind").set_value("valid"))
    assert at.query_params["pad"] == "valid"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"g": "2222-2222"}, ["drawing"]),
        ({"g": "-".join(["1" * 1000] * 1000)}, ["1,001,001 characters long"]),
        ({"g": "-".join(["1" * 100] * 100)}, ["characters long"]),
        ({"g": "-".join(["1" * 20] * 20)}, ["5 to 16 rows", "got 20"]),
        ({"k": "1_nan~0_1"}, ["kernel 1", "number"]),
        ({"k": ["1_0~0_1"] * 9}, ["at most 4 kernels"]),
        ({"pad": "everywhere"}, ["padding"]),
        ({"t": "1e308"}, ["threshold"]),
        ({"pm": "<script>"}, ["pooling"]),
        ({"g": codec.encode_grid(grids.DECK_O_8x8), "s": "-1"}, ["stride"]),
        ({"g": "101-011-110"}, ["5 to 16 rows, got 3"]),
    ],
)
def test_a_bad_lab_link_shows_a_notice_and_the_defaults(query, words):
    at = new_session(query=query)
    [notice] = notices(at)
    for word in words:
        assert word in notice, (word, notice)
    np.testing.assert_array_equal(at.session_state["lab_grid"], grids.DECK_O_8x8)
    assert at.session_state["lab_pad_kind"] == "same"
    # The address bar now holds the defaults, not the bad link.
    assert at.query_params["g"] == codec.encode_grid(grids.DECK_O_8x8)
    # The notice stays until dismissed (OK), and never comes back in this session.
    at = run(at.slider(key="lab_t").set_value(1.0))
    assert notices(at)
    at = run(at.button(key="links_notice_ok").click())
    assert not notices(at)
    at = run(at.slider(key="lab_t").set_value(0.5))
    assert not notices(at)


# --- Same? -------------------------------------------------------------------------------------


def test_a_same_link_opens_both_drawings_and_settings_in_a_new_session():
    at = new_session("views/same/same.py")
    assert at.query_params["g"] == [
        codec.encode_grid(grids.DECK_O_8x8),
        codec.encode_grid(grids.shift(grids.DECK_O_8x8, 0, 1)),
    ]
    at = run(at.number_input(key="same_t").set_value(1.0))
    shared = {k: at.query_params.get(k) for k in at.query_params}
    assert shared["t"] == "1"

    other = new_session("views/same/same.py", shared)
    assert not notices(other)
    ss = other.session_state
    np.testing.assert_array_equal(ss["same_a"], grids.DECK_O_8x8)
    np.testing.assert_array_equal(ss["same_b"], grids.shift(grids.DECK_O_8x8, 0, 1))
    assert (ss["same_recipe"].dr, ss["same_recipe"].dc) == (0, 1)  # B is still A shifted
    assert ss["same_t"] == 1.0
    assert {k: other.query_params.get(k) for k in other.query_params} == shared


def test_a_same_link_with_one_drawing_is_refused():
    at = new_session("views/same/same.py", {"g": codec.encode_grid(grids.DECK_O_8x8)})
    [notice] = notices(at)
    assert "compares 2 drawings" in notice


# --- the lesson ---------------------------------------------------------------------------------


def test_a_changed_lesson_step_opens_the_same_in_a_new_session():
    at = new_session("views/lesson/lesson.py", {"step": "8"})
    at = run(at.slider(key=lesson_session.setting_key("threshold", "t")).set_value(2.0))
    cell = lesson_session.kernel_key("threshold", 0) + "_r1c1"
    at = run(at.text_input(key=cell).set_value("2"))
    shared = {k: at.query_params[k] for k in at.query_params}
    assert shared["step"] == "8" and shared["t"] == "2" and "k" in shared

    other = new_session("views/lesson/lesson.py", shared)
    assert not notices(other)
    assert other.session_state[lesson_session.STEP] == 8
    assert other.session_state[lesson_session.setting_key("threshold", "t")] == 2.0
    kernel = other.session_state[lesson_session.kernel_key("threshold", 0) + "_last_good"]
    assert kernel[1, 1] == 2
    np.testing.assert_array_equal(z(other, "lesson_threshold_thr"), z(at, "lesson_threshold_thr"))
    assert {k: other.query_params[k] for k in other.query_params} == shared


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"step": "99"}, ["lesson step", "1 to 16"]),
        ({"step": "-1"}, ["lesson step"]),
        ({"step": "4", "g": codec.encode_grid(grids.DECK_O_8x8)}, ["takes drawings of 3×3"]),
        ({"step": "2", "g": codec.encode_grid(grids.DECK_O_8x8)}, ["2 drawing(s)"]),
        ({"step": "13", "k": "1_0~0_1"}, ["2 kernel(s)"]),
        ({"step": "14", "k": "~".join(["1_0_0_0_1"] * 5)}, ["takes 2×2 or 3×3 kernels"]),
        ({"step": "4", "k": "1_0~0_1"}, ["takes 3×3 kernels"]),
        # Settings the step's controls cannot show are refused too, never half-applied.
        ({"step": "5", "pad": "2"}, ["pads with valid or same (pad)"]),
        ({"step": "5", "s": "2"}, ["has no setting stride (s)"]),
        ({"step": "5", "r": "7"}, ["must lie in its 6×6 map", "r=7"]),
        ({"step": "11", "ps": "3", "c": "3"}, ["must lie in its 2×2 map", "c=3"]),
        ({"step": "14", "r": "5"}, ["must lie in its 4×4 map", "r=5"]),
    ],
)
def test_a_bad_lesson_link_shows_a_notice_and_step_1(query, words):
    at = new_session("views/lesson/lesson.py", query)
    [notice] = notices(at)
    for word in words:
        assert word in notice, (word, notice)
    assert at.session_state[lesson_session.STEP] == 1
    assert at.query_params == {"step": "1"}


# --- the Train page -----------------------------------------------------------------------------


TRAIN_DEFAULTS = {
    "n": "1400",
    "nt": "200",
    "noise": "0.02",
    "seed": "0",
    "nk": "16",
    "ks": "5",
    "init": "random",
    "frz": "0",
    "opt": "adam",
    "lr": "0.03",
    "ep": "5",
}


def test_the_train_page_writes_its_drawing_and_settings_but_no_model():
    at = new_session("views/train/train.py")
    assert at.query_params["g"] == codec.encode_grid(grids.DECK_X_8x8)
    assert {k: at.query_params[k] for k in TRAIN_DEFAULTS} == TRAIN_DEFAULTS
    at = run(at.slider(key="train_epochs").set_value(7))
    at = run(at.button(key="train_load_o").click())
    assert at.query_params["ep"] == "7"
    assert at.query_params["g"] == codec.encode_grid(grids.DECK_O_8x8)
    assert set(at.query_params) == {"g", *TRAIN_DEFAULTS}  # never the trained network


def test_a_train_link_opens_the_same_settings_and_drawing_in_a_new_session():
    drawing = grids.shift(grids.DECK_X_8x8, 1, 0)
    query = {
        "g": codec.encode_grid(drawing),
        "n": "100",
        "nt": "40",
        "noise": "0.07",
        "seed": "12",
        "nk": "4",
        "ks": "3",
        "init": "deck",
        "frz": "1",
        "opt": "sgd",
        "lr": "0.5",
        "ep": "5",
    }
    at = new_session("views/train/train.py", query)
    assert not notices(at)
    ss = at.session_state
    np.testing.assert_array_equal(ss["train_grid"], drawing)
    assert at.slider(key="train_n_train").value == 100
    assert at.slider(key="train_noise").value == 0.07
    assert at.number_input(key="train_seed").value == 12
    assert at.slider(key="train_epochs").value == 5
    assert at.toggle(key="train_frozen").value is True
    assert at.number_input(key="train_lr").value == 0.5
    assert (ss["train_kernel_size"], ss["train_init"], ss["train_optimizer"]) == (3, "deck", "sgd")
    assert {k: at.query_params[k] for k in at.query_params} == query


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"g": "garbage", "step": "3"}, ["drawing (g)"]),
        ({"g": codec.encode_grid(np.zeros((12, 12), dtype=int))}, ["8×8", "12×12"]),
        ({"n": "99999999999"}, ["training drawings (n)"]),
        ({"ep": "1000", "lr": "0"}, ["epochs (ep)", "1 to 60"]),
        ({"lr": "0"}, ["learning rate (lr)", "more than 0"]),
        ({"opt": "<script>"}, ["optimizer (opt)"]),
    ],
)
def test_a_bad_train_link_shows_a_notice_and_the_defaults(query, words):
    at = new_session("views/train/train.py", query)
    [notice] = notices(at)
    for word in words:
        assert word in notice, (word, notice)
    np.testing.assert_array_equal(at.session_state["train_grid"], grids.DECK_X_8x8)
    assert at.slider(key="train_epochs").value == 5
    assert {k: at.query_params[k] for k in TRAIN_DEFAULTS} == TRAIN_DEFAULTS


# --- Inside the network -------------------------------------------------------------------------


def test_an_inside_link_opens_the_same_neurons_in_a_new_session():
    at = new_session("views/inside/inside.py")
    assert {k: at.query_params[k] for k in at.query_params} == {
        "src": "deck",
        "r": "1",
        "c": "2",
        "pr": "1",
        "pc": "1",
        "by": "cell",
    }
    at = run(at.selectbox(key="inside_neuron_4x4").set_value(9))  # y(3,2)
    at = run(at.selectbox(key="inside_pool_cell_2x2").set_value(2))  # y(2,1)
    at = run(at.segmented_control(key="inside_colour_by").set_value("value"))
    shared = {k: at.query_params[k] for k in at.query_params}
    assert (shared["r"], shared["c"], shared["pr"], shared["pc"]) == ("3", "2", "2", "1")
    assert shared["by"] == "value"

    other = new_session("views/inside/inside.py", shared)
    assert not notices(other)
    assert other.selectbox(key="inside_neuron_4x4").value == 9
    assert other.selectbox(key="inside_pool_cell_2x2").value == 2
    assert other.segmented_control(key="inside_colour_by").value == "value"
    assert {k: other.query_params[k] for k in other.query_params} == shared


def test_an_inside_link_to_the_labs_example_brings_the_drawing_and_kernels():
    horizontal = kernels.preset("horizontal line")
    vertical = kernels.preset("vertical line")
    query = {
        "g": codec.encode_grid(grids.DECK_X_8x8),
        "k": [codec.encode_kernel(horizontal), codec.encode_kernel(vertical)],
        "pad": "valid",
        "r": "2",
        "c": "3",
        "src": "lab",
        "lk": "2",
        "pr": "3",
        "pc": "1",
        "by": "cell",
    }
    at = new_session("views/inside/inside.py", query)
    assert not notices(at)
    assert at.segmented_control(key="inside_source").value == "lab"
    assert at.segmented_control(key="inside_padding").value == "valid"
    assert at.selectbox(key="inside_lab_kernel").value == 1
    np.testing.assert_array_equal(z(at, "inside_input"), grids.DECK_X_8x8)
    feature = threshold(conv2d(grids.DECK_X_8x8, vertical, "valid"))
    np.testing.assert_array_equal(z(at, "inside_output"), feature)
    assert at.selectbox(key="inside_neuron_6x6").value == 1 * 6 + 2
    assert at.selectbox(key="inside_pool_cell_3x3").value == 2 * 3 + 0
    assert {k: at.query_params[k] for k in at.query_params} == query


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"src": "trained"}, ["example (src)", "deck, lab"]),
        ({"src": "deck", "r": "5", "c": "1"}, ["output neuron", "4×4", "r=5"]),
        ({"src": "deck", "pc": "3"}, ["pooled neuron", "2×2", "pc=3"]),
        ({"src": "lab", "pad": "3"}, ["valid or same"]),
        ({"src": "lab", "lk": "3"}, ["lab kernel (lk)", "1 to 1"]),
        ({"src": "lab", "g": "-".join(["1" * 40] * 40)}, ["drawing (g)"]),
        ({"by": "weight"}, ["colour the weights by (by)"]),
    ],
)
def test_a_bad_inside_link_shows_a_notice_and_the_deck_example(query, words):
    at = new_session("views/inside/inside.py", query)
    [notice] = notices(at)
    for word in words:
        assert word in notice, (word, notice)
    assert at.segmented_control(key="inside_source").value == "deck"
    assert at.selectbox(key="inside_neuron_4x4").value == 1
    assert "lab_grid" not in at.session_state  # nothing of the link reached the lab
    assert at.query_params["src"] == "deck"


# --- files --------------------------------------------------------------------------------------


def test_importing_a_json_file_loads_the_lab():
    at = new_session()
    content = export.to_json([grids.DECK_X_8x8], [kernels.preset("vertical line")])
    at.file_uploader(key="export_upload_json").upload(
        "mine.json", content.encode(), "application/json"
    )
    at = run(at)
    np.testing.assert_array_equal(at.session_state["lab_grid"], grids.DECK_X_8x8)
    np.testing.assert_array_equal(
        at.session_state["lab_k1_last_good"], kernels.preset("vertical line")
    )
    assert "Loaded 1 drawing(s) and 1 kernel(s) into the lab" in at.success[0].value
    assert at.query_params["g"] == codec.encode_grid(grids.DECK_X_8x8)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not json", ["not valid JSON"]),
        (b"[" * 5000 + b"]" * 5000, ["nested 5000 levels deep"]),  # was a RecursionError
        (b'{"kernels": [[[1' + b"0" * 5000 + b", 0], [0, 1]]]}", ["too large"]),
        (json.dumps({"drawings": [[[3] * 8] * 8]}).encode(), ["0 or 1"]),
        (json.dumps({"drawings": [[[0] * 20] * 20]}).encode(), ["16×16", "20×20"]),
        (json.dumps({"kernels": [[[1e9, 0], [0, 1]]]}).encode(), ["between"]),
    ],
)
def test_a_bad_json_file_is_refused_and_the_lab_kept(content, words):
    at = new_session()
    at.file_uploader(key="export_upload_json").upload("bad.json", content, "application/json")
    at = run(at)
    [message] = [displayed(e.value) for e in at.error]
    assert message.startswith("bad.json was not loaded")
    for word in words:
        assert word in message, (word, message)
    np.testing.assert_array_equal(at.session_state["lab_grid"], grids.DECK_O_8x8)


def test_importing_into_a_lesson_step_keeps_the_steps_settings():
    at = new_session("views/lesson/lesson.py", {"step": "3"})
    content = export.to_json([grids.DECK_O_8x8], [kernels.preset("deck diagonal /")])
    at.file_uploader(key="export_upload_json").upload(
        "o.json", content.encode(), "application/json"
    )
    at = run(at)
    np.testing.assert_array_equal(
        at.session_state[lesson_session.drawing_key("local", 0)], grids.DECK_O_8x8
    )
    assert "into this lesson step" in at.success[0].value


def test_a_file_saved_from_a_lesson_step_loads_back_into_it():
    # The dot product's 3×3 patch: smaller than the lab's drawings, but the step's own size.
    at = new_session("views/lesson/lesson.py", {"step": "4"})
    patch = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 0]])
    content = export.to_json([patch], [kernels.preset("deck diagonal /")])
    at.file_uploader(key="export_upload_json").upload(
        "patch.json", content.encode(), "application/json"
    )
    at = run(at)
    assert not at.error, [e.value for e in at.error]
    np.testing.assert_array_equal(at.session_state[lesson_session.drawing_key("dot", 0)], patch)
    # The lab cannot show a 3×3 drawing: it says so and keeps its own.
    at = new_session()
    at.file_uploader(key="export_upload_json").upload(
        "patch.json", content.encode(), "application/json"
    )
    at = run(at)
    assert "5×5 to 16×16" in displayed(at.error[0].value)
    np.testing.assert_array_equal(at.session_state["lab_grid"], grids.DECK_O_8x8)


def test_a_bad_model_file_is_refused():
    at = new_session()
    at.file_uploader(key="export_upload_model").upload(
        "model.npz", b"PK nonsense", "application/zip"
    )
    at = run(at)
    assert "model.npz was not loaded" in displayed(at.error[0].value)
    assert save_load.LOADED_MODEL not in at.session_state
