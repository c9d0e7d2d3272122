"""Shareable links, the lesson's steps as data, and JSON / .npz import and export.

Everything here is pure Python (no Streamlit run): the link codec and the pages' adapters of
``playground.links``, the step data of ``playground.views.lesson.steps`` checked against the deck's
own numbers through ``cnn_core``, and the file formats of ``playground.export``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_core import conv2d, conv_trace, grids, kernels, pool2d, threshold
from playground import export
from playground.links import codec
from playground.links.codec import LinkState, decode, encode
from playground.views.inside import link as inside_link
from playground.views.lesson import steps as lesson_steps
from playground.views.train import link as train_link

ROOT = Path(__file__).resolve().parent.parent
O_ROWS = "00000000-00011000-00101100-01000010-01000010-00101100-00011000-00000000"
DIAGONAL = "-1_-1_1~-1_1_-1~1_-1_-1"


def params(state: LinkState) -> dict[str, list[str]]:
    """What the address bar holds for ``state``, read back as ``st.query_params`` lists it."""
    return {k: [v] if isinstance(v, str) else list(v) for k, v in encode(state).items()}


# --- the codec -----------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["playground.links.codec", "playground.export"])
def test_the_codec_and_the_file_formats_work_without_streamlit(module):
    # The link codec and the file formats are the parts anyone can reuse (a script that writes
    # links or files for a class): they must not pull in the app. A fresh interpreter shows
    # what importing one really loads.
    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print('streamlit' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(ROOT),
    ).stdout.split()
    assert loaded == ["False"]


def test_the_deck_example_encodes_to_readable_text():
    state = LinkState(
        (grids.DECK_O_8x8,),
        (kernels.preset("deck diagonal /"),),
        {"pad": "same", "t": 0.0, "pm": "max", "ps": 2},
        step=5,
    )
    assert encode(state) == {
        "g": [O_ROWS],
        "k": [DIAGONAL],
        "pad": "same",
        "t": "0",
        "pm": "max",
        "ps": "2",
        "step": "5",
    }
    # Nothing in it needs percent-escaping: the address bar shows it as it is.
    assert "%" not in urlencode(encode(state), doseq=True)


def test_the_deck_example_decodes_to_the_deck_arrays():
    result = decode({"g": O_ROWS, "k": DIAGONAL, "pad": "valid", "step": "3"}, n_steps=16)
    assert result.ok, result.errors
    np.testing.assert_array_equal(result.state.grids[0], grids.DECK_O_8x8)
    np.testing.assert_array_equal(result.state.kernels[0], kernels.preset("deck diagonal /"))
    assert result.state.settings == {"pad": "valid"}
    assert result.state.step == 3


def test_hand_typed_separators_are_accepted():
    result = decode({"k": "-1,-1,1;-1,1,-1;1,-1,-1"})
    assert result.ok
    np.testing.assert_array_equal(result.state.kernels[0], kernels.preset("deck diagonal /"))


grid_st = st.integers(codec.GRID_MIN, codec.GRID_MAX).flatmap(
    lambda n: st.lists(st.lists(st.integers(0, 1), min_size=n, max_size=n), min_size=n, max_size=n)
)
value_st = st.one_of(
    st.integers(-1000, 1000).map(float),
    st.floats(-1000, 1000, allow_nan=False, allow_infinity=False),
)
kernel_st = st.integers(codec.KERNEL_MIN, codec.KERNEL_MAX).flatmap(
    lambda k: st.lists(st.lists(value_st, min_size=k, max_size=k), min_size=k, max_size=k)
)
settings_st = st.fixed_dictionaries(
    {},
    optional={
        "pad": st.one_of(st.sampled_from(["valid", "same"]), st.integers(0, codec.MAX_PAD)),
        "s": st.integers(1, codec.MAX_STRIDE),
        "t": st.integers(-12, 12).map(lambda n: n / 2),
        "pm": st.sampled_from(codec.POOL_MODES),
        "ps": st.integers(1, codec.MAX_POOL),
        "pst": st.integers(1, codec.MAX_POOL),
        "lp": st.integers(2, 20).map(lambda n: n / 2),
        "r": st.integers(1, 16),
        "c": st.integers(1, 16),
        "n": st.integers(1, 100).map(lambda n: 20 * n),
        "nt": st.integers(1, 50).map(lambda n: 20 * n),
        "noise": st.integers(0, 30).map(lambda n: n / 100),
        "seed": st.integers(0, 10_000),
        "nk": st.integers(1, 16),
        "ks": st.integers(2, 5),
        "init": st.sampled_from(codec.TRAIN_INITS),
        "frz": st.sampled_from(["0", "1"]),
        "opt": st.sampled_from(codec.TRAIN_OPTIMIZERS),
        "lr": st.floats(1e-6, 1000, allow_nan=False, allow_infinity=False),
        "ep": st.integers(1, 60),
        "src": st.sampled_from(codec.INSIDE_SOURCES),
        "lk": st.integers(1, codec.MAX_KERNELS),
        "pr": st.integers(1, 8),
        "pc": st.integers(1, 8),
        "by": st.sampled_from(codec.INSIDE_COLOUR_BY),
    },
)


@settings(max_examples=150, deadline=None)
@given(
    drawing=grid_st,
    kernel_list=st.lists(kernel_st, max_size=codec.MAX_KERNELS),
    chosen=settings_st,
    step=st.one_of(st.none(), st.integers(1, 16)),
)
def test_every_state_survives_the_round_trip_exactly(drawing, kernel_list, chosen, step):
    state = LinkState((np.array(drawing),), tuple(np.array(k) for k in kernel_list), chosen, step)
    back = decode(params(state), n_steps=16)
    assert back.ok, back.errors
    np.testing.assert_array_equal(back.state.grids[0], state.grids[0])
    assert len(back.state.kernels) == len(kernel_list)
    for got, want in zip(back.state.kernels, state.kernels, strict=True):
        np.testing.assert_array_equal(got, want)  # exact: no rounding in the URL
    assert dict(back.state.settings) == chosen
    assert back.state.step == step


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_value_reads_back_exactly(value):
    assert float(codec.format_value(value)) == value + 0.0


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"g": "0000-0000-0000-0000"}, ["drawing", "5 to 16 rows", "got 4"]),
        ({"g": "-".join(["0" * 17] * 17)}, ["drawing", "17"]),
        ({"g": "-".join(["0" * 1000] * 1000)}, ["characters long"]),
        ({"g": O_ROWS.replace("00011000", "00012000")}, ["row 2", "0s and 1s", "00012000"]),
        ({"g": O_ROWS.replace("00011000", "0001100")}, ["equal length"]),
        ({"g": "-".join(["0" * 9] * 8)}, ["square", "8 rows of 9"]),
        ({"g": ""}, ["drawing"]),
        ({"k": "1_2~3"}, ["kernel 1", "square", "[1, 2]"]),
        ({"k": "1_2_3~4_5_6~7_8_nan"}, ["kernel 1", "row 3, column 3", "number", "nan"]),
        ({"k": "1_2~inf_4"}, ["kernel 1", "row 2, column 1", "number"]),
        ({"k": "1_2~1e999_4"}, ["kernel 1", "between -1000 and 1000"]),
        ({"k": "1_2~2000_4"}, ["kernel 1", "between -1000 and 1000", "2000"]),
        ({"k": "~".join(["1_1_1_1_1_1"] * 6)}, ["kernel 1", "2 to 5 rows", "got 6"]),
        ({"k": "1_2_3~4_5~7_8_9"}, ["kernel 1", "square"]),
        ({"k": ["1_0~0_1"] * 5}, ["at most 4 kernels", "got 5"]),
        ({"g": [O_ROWS] * 4}, ["at most 3 drawings"]),
        ({"g": [O_ROWS, "00000-00000-00000-00000-00000"]}, ["same size", "8×8", "5×5"]),
        ({"pad": "full"}, ["padding (pad)", "valid, same", "full"]),
        ({"pad": "9"}, ["padding (pad)", "0 to 4", "9"]),
        ({"s": "0"}, ["stride (s)", "1 to 4"]),
        ({"s": "two"}, ["stride (s)", "whole number"]),
        ({"t": "0.3"}, ["threshold (t)", "multiple of 0.5"]),
        ({"t": "100"}, ["threshold (t)", "between -6 and 6"]),
        ({"t": "nan"}, ["threshold (t)", "must be a number"]),
        ({"pm": "median"}, ["pooling (pm)", "max, avg, lp", "median"]),
        ({"ps": "99999999"}, ["pool size (ps)", "whole number from 1 to 4"]),
        ({"lp": "0.5"}, ["Lp pooling (lp)", "between 1 and 10"]),
        ({"r": "17"}, ["window row (r)", "1 to 16"]),
        ({"step": "0"}, ["lesson step", "1 to 16"]),
        ({"step": "17"}, ["lesson step", "1 to 16", "17"]),
        ({"step": "intro"}, ["lesson step", "whole number"]),
        ({"step": ["2", "3"]}, ["lesson step", "2 times"]),
        # the Train page's settings: the bounds and steps of its widgets
        ({"n": "30"}, ["training drawings (n)", "multiple of 20", "30"]),
        ({"n": "5000"}, ["training drawings (n)", "20 to 2000", "5000"]),
        ({"nt": "0"}, ["test drawings (nt)", "20 to 1000"]),
        ({"noise": "0.5"}, ["noise (noise)", "between 0 and 0.3"]),
        ({"noise": "0.015"}, ["noise (noise)", "multiple of 0.01"]),
        ({"seed": "-1"}, ["seed (seed)", "whole number from 0 to 10000"]),
        ({"nk": "999999"}, ["number of kernels (nk)", "1 to 16"]),
        ({"ks": "6"}, ["kernel size (ks)", "2 to 5"]),
        ({"init": "zeros"}, ["start from (init)", "random, deck", "zeros"]),
        ({"frz": "yes"}, ["freeze the kernels (frz)", "0, 1"]),
        ({"opt": "rmsprop"}, ["optimizer (opt)", "adam, sgd"]),
        ({"lr": "nan"}, ["learning rate (lr)", "number"]),
        ({"lr": "1e9"}, ["learning rate (lr)", "between 0 and 1000"]),
        ({"ep": "0"}, ["epochs (ep)", "1 to 60"]),
        ({"ep": "1e6"}, ["epochs (ep)", "whole number"]),
        # Inside the network
        ({"src": "model"}, ["example (src)", "deck, lab"]),
        ({"lk": "5"}, ["lab kernel (lk)", "1 to 4"]),
        ({"pr": "9"}, ["pooled neuron row (pr)", "1 to 8"]),
        ({"by": "colour"}, ["colour the weights by (by)", "cell, value"]),
    ],
)
def test_a_bad_link_is_refused_with_a_message_naming_the_problem(query, words):
    result = decode(query, n_steps=16)
    assert not result.ok
    assert result.state is None  # refused whole: the caller opens the defaults
    message = " ".join(result.errors)
    for word in words:
        assert word.lower() in message.lower(), (word, message)


def test_every_problem_of_a_link_is_listed():
    result = decode({"g": "012", "k": "a_b~c_d", "pm": "x", "step": "99"}, n_steps=16)
    assert len(result.errors) == 4


def test_unknown_parameters_are_ignored():
    result = decode({"utm_source": "mail", "embed": "true", "step": "2"}, n_steps=16)
    assert result.ok
    assert result.state.step == 2
    assert result.state.grids == ()


def test_small_drawings_only_where_the_caller_allows_them():
    patch = "101-011-110"
    assert not decode({"g": patch}).ok
    back = decode({"g": patch}, smallest_grid=3)
    assert back.ok
    np.testing.assert_array_equal(back.state.grids[0], grids.DECK_DOT_IMAGE)


def test_link_states_compare_by_what_they_encode():
    a = LinkState((grids.DECK_O_8x8,), (kernels.preset("deck diagonal /"),), {"pad": "same"})
    b = LinkState((grids.DECK_O_8x8.copy(),), (kernels.preset("deck diagonal /"),), {"pad": "same"})
    c = LinkState((grids.DECK_X_8x8,), (kernels.preset("deck diagonal /"),), {"pad": "same"})
    assert a == b
    assert a != c


def test_the_train_settings_read_back_as_the_widgets_hold_them():
    query = {"n": "100", "nt": "40", "noise": "0.07", "seed": "12", "nk": "4", "ks": "3"}
    query |= {"init": "deck", "frz": "1", "opt": "sgd", "lr": "0.5", "ep": "5"}
    result = decode({**query, "g": codec.encode_grid(grids.DECK_X_8x8)})
    assert result.ok, result.errors
    assert dict(result.state.settings) == {
        "n": 100,
        "nt": 40,
        "noise": 0.07,
        "seed": 12,
        "nk": 4,
        "ks": 3,
        "init": "deck",
        "frz": "1",
        "opt": "sgd",
        "lr": 0.5,
        "ep": 5,
    }
    assert {k: v for k, v in encode(result.state).items() if k != "g"} == query


def test_a_train_link_with_the_wrong_drawing_size_or_no_learning_rate_is_refused():
    too_big = LinkState((np.zeros((9, 9), dtype=int),), (), {"lr": 0.0})
    errors = train_link.check_for_train(too_big)
    assert any("8×8" in e and "9×9" in e for e in errors), errors
    assert any("learning rate (lr)" in e for e in errors), errors
    assert train_link.check_for_train(LinkState((grids.DECK_X_8x8,), (), {"lr": 0.03})) == []


def test_an_inside_link_must_name_neurons_of_its_outputs():
    deck = {"inside_source": "deck"}
    ok = LinkState(settings={"src": "deck", "r": 4, "c": 4, "pr": 2, "pc": 2})
    assert inside_link.check_for_inside(ok, deck) == []
    outside = LinkState(settings={"src": "deck", "r": 5, "pr": 3})
    message = " ".join(inside_link.check_for_inside(outside, deck))
    assert "output neuron" in message and "4×4" in message and "r=5" in message
    assert "pooled neuron" in message and "2×2" in message and "pr=3" in message
    lab = LinkState(settings={"src": "lab", "pad": 2})
    assert "valid or same" in " ".join(inside_link.check_for_inside(lab, {}))
    two = LinkState(settings={"src": "lab", "lk": 2})  # the lab has one kernel
    assert "lab kernel (lk)" in " ".join(inside_link.check_for_inside(two, {}))


# --- the lesson's steps ----------------------------------------------------------------------


STEP = {step.slug: step for step in lesson_steps.STEPS}


def test_the_steps_follow_the_deck_in_order():
    assert lesson_steps.SLUGS == (
        "xo",
        "same",
        "local",
        "dot",
        "conv",
        "padding",
        "erratum",
        "threshold",
        "conv3d",
        "examples",
        "pool",
        "shift",
        "structure",
        "network",
        "masks",
        "descent",  # the deck's "masks are found with gradient descent", one step of it
    )
    assert lesson_steps.step_number("erratum") == 7
    for step in lesson_steps.STEPS:
        assert step.view in lesson_steps.VIEWS
        assert step.open_in in (None, *lesson_steps.OPEN_IN)
        assert step.title and step.text and step.try_this and step.deck


def test_every_example_fits_a_link_and_comes_back_unchanged():
    for number, step in enumerate(lesson_steps.STEPS, start=1):
        ex = step.example
        state = LinkState(ex.drawings, ex.kernels, ex.settings, number)
        back = decode(params(state), n_steps=len(lesson_steps.STEPS), smallest_grid=3)
        assert back.ok, (step.slug, back.errors)
        assert back.state == state, step.slug


def test_the_dot_product_step_gives_the_decks_4():
    ex = STEP["dot"].example
    np.testing.assert_array_equal(ex.drawings[0], [[1, 0, 1], [0, 1, 1], [1, 1, 0]])
    np.testing.assert_array_equal(ex.kernels[0], [[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    assert conv_trace(ex.drawings[0], ex.kernels[0], 0, 0).total == 4


def test_the_convolution_steps_give_the_decks_first_rows():
    conv, padded = STEP["conv"].example, STEP["padding"].example
    valid = conv2d(conv.drawings[0], conv.kernels[0], conv.settings["pad"])
    same = conv2d(padded.drawings[0], padded.kernels[0], padded.settings["pad"])
    np.testing.assert_array_equal(valid[0], [-1, -2, 0, -2, -1, 1])
    np.testing.assert_array_equal(valid[:3, 0], [-1, -2, 1])  # the slides' first three frames
    np.testing.assert_array_equal(same[0], [0, 0, -1, -2, 0, 1, 0, 0])


def test_the_erratum_step_asks_for_the_misprinted_cell_whose_true_value_is_0():
    ex = STEP["erratum"].example
    r, c = ex.settings["r"] - 1, ex.settings["c"] - 1
    trace = conv_trace(ex.drawings[0], ex.kernels[0], r, c, "valid")
    np.testing.assert_array_equal(trace.window, [[1, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert trace.total == 0  # the deck prints -2
    same = conv2d(ex.drawings[0], ex.kernels[0], "same")
    assert same[r + 1, c + 1] == 0  # the padded map's row 4, column 4: the same window
    assert STEP["erratum"].fixed


def test_the_threshold_and_pooling_steps_give_the_decks_maps():
    thr = STEP["threshold"].example
    fmap = threshold(
        conv2d(thr.drawings[0], thr.kernels[0], thr.settings["pad"]), thr.settings["t"]
    )
    assert fmap[2, 2] == 3 and fmap.max() == 3
    pool = STEP["pool"].example
    pooled = pool2d(
        threshold(conv2d(pool.drawings[0], pool.kernels[0], pool.settings["pad"]), 0),
        pool.settings["ps"],
        mode=pool.settings["pm"],
    )
    np.testing.assert_array_equal(pooled, [[0, 0, 1, 1], [1, 3, 0, 1], [1, 0, 2, 1], [1, 1, 0, 0]])


def test_the_network_step_gives_the_decks_5x5_tables():
    ex = STEP["network"].example
    out = conv2d(ex.drawings[0], ex.kernels[0], "valid")
    np.testing.assert_array_equal(out, [[0, 2, 1, 0], [2, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]])
    np.testing.assert_array_equal(pool2d(out, 2), [[2, 1], [1, 0]])


def test_the_shift_step_matches_more_after_pooling_than_pixel_by_pixel():
    from cnn_core.compare import PipelineSettings, compare_drawings

    ex = STEP["shift"].example
    s = ex.settings
    result = compare_drawings(
        ex.drawings[0],
        ex.drawings[1],
        ex.kernels[0],
        PipelineSettings(padding=s["pad"], t=s["t"], pool_size=s["ps"], pool_mode=s["pm"]),
    )
    assert result.pooled.ratio > result.pixels.ratio  # "more non-zero values are matched"


def test_the_same_step_starts_with_drawings_that_barely_match():
    from cnn_core.compare import nonzero_match

    a, b = STEP["same"].example.drawings
    np.testing.assert_array_equal(b, grids.shift(a, 0, 1))
    assert nonzero_match(a, b).ratio < 0.2


# --- JSON files ---------------------------------------------------------------------------------


def test_drawings_and_kernels_survive_a_json_file():
    box = np.full((3, 3), 1 / 9)
    text = export.to_json([grids.DECK_O_8x8], [kernels.preset("deck diagonal /"), box])
    data = json.loads(text)
    assert data["cnn_playground"] == 1
    assert data["kernels"][0] == [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]  # ints, as the deck
    back = export.read_json(text.encode())
    np.testing.assert_array_equal(back.drawings[0], grids.DECK_O_8x8)
    np.testing.assert_array_equal(back.kernels[1], box)  # 1/9 exactly


def test_a_bare_list_of_rows_is_one_drawing():
    back = export.read_json(json.dumps(grids.DECK_X_8x8.tolist()))
    np.testing.assert_array_equal(back.drawings[0], grids.DECK_X_8x8)
    assert back.kernels == ()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe\x00", ["not text"]),
        (b"{drawings: [}", ["not valid JSON", "line 1"]),
        (b'{"kernels": [[[NaN, 1], [1, 1]]]}', ["NaN", "not a number"]),
        (b'{"kernels": [[[Infinity, 1], [1, 1]]]}', ["Infinity"]),
        (b'"an X"', ["object with drawings and kernels"]),
        (b"{}", ["no drawings and no kernels"]),
        (b'{"drawing": [[0]]}', ["unknown entries", "drawing"]),
        (b'{"cnn_playground": 2, "kernels": []}', ["version 2"]),
        (json.dumps({"drawings": [[[0, 1], [1, 0]]]}).encode(), ["square, 3×3 to 16×16", "2×2"]),
        (
            json.dumps({"drawings": [np.eye(8, dtype=int).tolist()[:7]]}).encode(),
            ["square", "7×8"],
        ),
        (
            json.dumps({"drawings": [(2 * np.eye(8, dtype=int)).tolist()]}).encode(),
            ["row 1, column 1", "0 or 1", "2"],
        ),
        (
            json.dumps({"drawings": [[[True] * 5] * 5]}).encode(),
            ["0 or 1", "True"],
        ),
        (json.dumps({"kernels": [[[1] * 6] * 6]}).encode(), ["kernel 1", "2×2 to 5×5", "6×6"]),
        (json.dumps({"kernels": [[["1", 0], [0, 1]]]}).encode(), ["kernel 1", "number", "1"]),
        (json.dumps({"kernels": [[[5000, 0], [0, 1]]]}).encode(), ["kernel 1", "5000"]),
        (json.dumps({"kernels": [[[1, 0], [0, 1]]] * 5}).encode(), ["5 kernels", "at most 4"]),
        (json.dumps({"kernels": [[1, 0]]}).encode(), ["kernel 1", "list of numbers"]),
        (json.dumps({"kernels": [[[1, 0], [0]]]}).encode(), ["kernel 1", "equal length"]),
        (json.dumps({"drawings": [[[0] * 8] * 8, [[0] * 9] * 9]}).encode(), ["same size"]),
        (b" " * (export.MAX_JSON_BYTES + 1), ["KB", "at most"]),
    ],
)
def test_a_bad_json_file_is_refused_with_a_clear_message(content, words):
    with pytest.raises(ValueError) as caught:
        export.read_json(content)
    message = str(caught.value)
    for word in words:
        assert word.lower() in message.lower(), (word, message)


# --- model files ------------------------------------------------------------------------------


def test_a_trained_model_survives_npz_bytes():
    from cnn_core.data import make_xo
    from cnn_core.model import CNNClassifier, CNNConfig

    X, y = make_xo(40, seed=1)
    model = CNNClassifier(CNNConfig(n_kernels=2, epochs=1, n_train=40, n_test=10), 3).fit(X, y)
    data = export.model_to_bytes(model)
    assert data[:2] == b"PK"  # an .npz is a zip archive
    back = export.model_from_bytes(data)
    np.testing.assert_allclose(back.predict_proba(X[:5]), model.predict_proba(X[:5]))
    assert list(back.classes_) == list(model.classes_)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04 truncated"])
def test_a_file_that_is_not_a_model_is_refused(content):
    with pytest.raises(ValueError, match="not a CNN Playground model"):
        export.model_from_bytes(content)


def test_a_huge_model_file_is_refused_unread():
    with pytest.raises(ValueError, match="at most 5 MB"):
        export.model_from_bytes(b"\0" * (export.MAX_MODEL_BYTES + 1))
