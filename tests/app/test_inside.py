"""The "Inside the network" page, run by AppTest through the real entry file: no exception on
the defaults and after changes (selected neurons, the lab's drawing and kernel, with and
without a trained model); every number shown equals ``cnn_core``'s and the deck's.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import conv2d, conv_matrix, grids, kernels, pool2d, threshold
from cnn_core.model import CNNConfig, generated_data
from cnn_core.network_graph import model_network, weight_sources
from playground.train_run import Dataset, TrainingRun
from tests.app.helpers import figure, metrics, run, z

APP = "../../playground/app.py"  # AppTest resolves it against this file's folder
PAGE = "views/inside/inside.py"
DECK_4x4 = [[0, 2, 1, 0], [2, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
DECK_POOLED = [[2, 1], [1, 0]]


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page(PAGE)
    return run(app)


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def frames(at: AppTest, key: str) -> list[dict]:
    return figure(at, key)["layout"]["shapes"]


# --- the deck's 5×5 example -----------------------------------------------------------------


def test_opens_on_the_decks_network_example(at: AppTest) -> None:
    np.testing.assert_array_equal(z(at, "inside_input"), grids.DECK_5x5)
    assert z(at, "inside_output").tolist() == DECK_4x4
    assert z(at, "inside_pooled").tolist() == DECK_POOLED
    kernel_text = figure(at, "inside_kernel")["data"][0]["text"]
    assert kernel_text == [["0", "1"], ["1", "0"]]
    # 16 output neurons × 25 input pixels; 2 non-zero kernel values per window.
    shown = metrics(at)
    assert shown["Weights: outputs × inputs"] == "16 × 25 = 400"
    assert shown["Non-zero weights"] == "32"
    assert shown["Zero weights"] == "368"
    assert shown["Shared weights"] == "4"
    assert not at.error and not at.warning


def test_the_weight_matrix_is_cnn_cores(at: AppTest) -> None:
    kernel = kernels.preset("deck 2×2")
    matrix = conv_matrix(kernel, (5, 5))
    sources = weight_sources(kernel.shape, (5, 5))
    fig = figure(at, "inside_matrix")
    trace = fig["data"][0]
    assert np.array(trace["customdata"]).shape == (16, 25)
    np.testing.assert_array_equal(np.array(trace["customdata"]), matrix)
    # Coloured by kernel cell: one colour code per kernel cell, 0 where not connected.
    np.testing.assert_array_equal(np.array(trace["z"]), sources + 1)
    assert trace["y"][:3] == ["1,1", "1,2", "1,3"] and trace["x"][-1] == "5,5"
    # The weight matrix times the drawing gives the deck's 4×4 output.
    product = matrix @ grids.DECK_5x5.ravel()
    assert product.reshape(4, 4).tolist() == DECK_4x4


def test_colour_by_value(at: AppTest) -> None:
    at = run(at.segmented_control(key="inside_colour_by").set_value("value"))
    trace = figure(at, "inside_matrix")["data"][0]
    np.testing.assert_array_equal(np.array(trace["z"]), conv_matrix([[0, 1], [1, 0]], (5, 5)))


def test_the_default_neuron_is_the_decks_2(at: AppTest) -> None:
    text = markdown(at)
    assert "y(1,2) = w₁₁·x(1,2) + w₁₂·x(1,3) + w₂₁·x(2,2) + w₂₂·x(2,3)" in text
    assert "= 0×0 + 1×1 + 1×1 + 0×0 = 2" in text


@pytest.mark.parametrize(("index", "row", "col"), [(0, 0, 0), (4, 1, 0), (15, 3, 3)])
def test_selecting_an_output_neuron_traces_its_inputs(at: AppTest, index, row, col) -> None:
    at = run(at.selectbox(key="inside_neuron_4x4").set_value(index))
    # The matrix row of that neuron is framed...
    (frame,) = frames(at, "inside_matrix")
    assert (frame["y0"], frame["y1"]) == (index - 0.5, index + 0.5)
    # ...its window on the input (rows/columns labelled from 1)...
    (window,) = frames(at, "inside_input")
    assert (window["y0"], window["x0"]) == (row + 0.5, col + 0.5)
    assert (window["y1"] - window["y0"], window["x1"] - window["x0"]) == (2, 2)
    # ...its cell on the output, and its sum written out with the deck's value.
    (cell,) = frames(at, "inside_output")
    assert (cell["y0"], cell["x0"]) == (row + 0.5, col + 0.5)
    value = DECK_4x4[row][col]
    assert f"= {value}" in markdown(at)
    assert f"y({row + 1},{col + 1}) = w₁₁·x({row + 1},{col + 1})" in markdown(at)


@pytest.mark.parametrize(
    ("index", "numbers", "value"), [(0, "0, 2, 2, 0", 2), (3, "0, 0, 0, 0", 0)]
)
def test_pooling_neuron(at: AppTest, index, numbers, value) -> None:
    at = run(at.selectbox(key="inside_pool_cell_2x2").set_value(index))
    window = ", ".join(f"1·{n}" for n in numbers.split(", "))
    assert f"= max({window}) = **{value}**" in markdown(at)
    assert "y = max(w₁x₁, w₂x₂, w₃x₃, w₄x₄)" in markdown(at)
    r, c = divmod(index, 2)
    (frame,) = frames(at, "inside_pooled")
    assert (frame["y0"], frame["x0"]) == (r + 0.5, c + 0.5)


# --- the lab's drawing and kernel -----------------------------------------------------------


def test_the_labs_drawing_and_kernel(at: AppTest) -> None:
    drawing = grids.DECK_X_8x8.copy()
    kernel = kernels.preset("horizontal line")
    at.session_state["lab_grid"] = drawing
    at.session_state["lab_k1_last_good"] = kernel
    at = run(at.segmented_control(key="inside_source").set_value("lab"))
    np.testing.assert_array_equal(z(at, "inside_input"), drawing)
    feature = threshold(conv2d(drawing, kernel, "same"))
    np.testing.assert_array_equal(z(at, "inside_output"), feature)
    np.testing.assert_array_equal(z(at, "inside_pooled"), pool2d(feature, 2))
    matrix = conv_matrix(kernel, (8, 8), "same")
    shown = metrics(at)
    assert shown["Weights: outputs × inputs"] == "64 × 64 = 4096"
    assert shown["Non-zero weights"] == str(np.count_nonzero(matrix))
    assert shown["Zero weights"] == str(4096 - np.count_nonzero(matrix))
    assert shown["Shared weights"] == "9"
    # A corner neuron: 3 of its window cells hang over the padding.
    at = run(at.selectbox(key="inside_neuron_8x8").set_value(0))
    assert any("5 window cells lie on the zero padding" in c.value for c in at.caption)
    at = run(at.segmented_control(key="inside_padding").set_value("valid"))
    assert metrics(at)["Weights: outputs × inputs"] == "36 × 64 = 2304"


def test_an_even_lab_kernel_with_same_padding_gives_a_message(at: AppTest) -> None:
    at.session_state["lab_k1_last_good"] = kernels.preset("deck 2×2")
    at = run(at.segmented_control(key="inside_source").set_value("lab"))
    assert "padding 'same' needs odd kernel sizes" in at.error[0].value
    at = run(at.segmented_control(key="inside_padding").set_value("valid"))
    assert not at.error


# --- the whole network ----------------------------------------------------------------------


def test_without_a_model_the_feature_extraction_is_drawn(at: AppTest) -> None:
    assert "No trained model yet" in at.info[0].value
    fig = figure(at, "inside_network")
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert [t.split("<br>")[0] for t in titles] == [
        "<b>input</b>",
        "<b>convolution</b>",
        "<b>threshold</b>",
        "<b>pooling</b>",
    ]
    # The lab opened first (the default page), so its first kernel is the deck's diagonal.
    drawing = np.asarray(at.session_state["lab_grid"])
    conv = conv2d(drawing, kernels.preset("deck diagonal /"), "same")
    markers = [t for t in fig["data"] if t["mode"].startswith("markers")]
    np.testing.assert_array_equal(np.array(markers[1]["marker"]["color"]), conv.ravel())
    np.testing.assert_array_equal(
        np.array(markers[3]["marker"]["color"]), pool2d(threshold(conv), 2).ravel()
    )


def test_with_a_trained_model_every_layer_is_drawn(at: AppTest, trained_run) -> None:
    at.session_state["train_run"] = trained_run
    at = run(at)
    assert not at.info
    model = trained_run.model
    drawing = np.asarray(at.session_state["lab_grid"], dtype=float)
    label = model.predict(drawing)
    assert f"it says **{label}**" in markdown(at)
    fig = figure(at, "inside_network")
    titles = [a["text"].split("<br>")[0] for a in fig["layout"]["annotations"]]
    layers = ("input", "convolution", "threshold", "pooling", "dense", "output")
    assert titles == [f"<b>{name}</b>" for name in layers]
    acts = model.activations(drawing)
    markers = [t for t in fig["data"] if t["mode"].startswith("markers")]
    np.testing.assert_allclose(markers[1]["marker"]["color"], acts["conv1"].ravel())
    np.testing.assert_allclose(markers[3]["marker"]["color"], acts["pool"].ravel())
    np.testing.assert_allclose(markers[5]["marker"]["color"], acts["proba"])
    assert markers[5]["text"][0].startswith(str(model.classes_[0]))
    # One line per non-zero weight: the drawn connections are the network's.
    network = model_network(model, drawing)
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    drawn = sum(t["x"].count(None) for t in lines)
    assert drawn == sum(len(e) for e in network.edges)


def test_an_untrained_run_does_not_count(at: AppTest) -> None:
    config = CNNConfig(n_train=20, n_test=10, epochs=1)
    X_train, X_test, y_train, y_test = generated_data(config, seed=0)
    at.session_state["train_run"] = TrainingRun(
        config, Dataset(X_train, y_train, X_test, y_test), seed=0
    )
    at = run(at)
    assert "No trained model yet" in at.info[0].value
