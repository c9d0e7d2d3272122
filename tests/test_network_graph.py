"""cnn_core.network_graph: a convolution as connections, and a layered layout.

Expected numbers come from the deck's network-representation slides, from counting by hand,
or from the slow loops below; never from the code under test.
"""

import numpy as np
import pytest

from cnn_core.grids import DECK_5x5
from cnn_core.network_graph import (
    connection_counts,
    conv_edges,
    dense_edges,
    elementwise_edges,
    feature_network,
    layered_layout,
    model_network,
    neuron_inputs,
    pool_edges,
    weight_sources,
)
from cnn_core.ops import conv_matrix

DECK_2x2 = np.array([[0, 1], [1, 0]])
DECK_4x4 = [[0, 2, 1, 0], [2, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]


def loop_windows(input_hw, kernel_hw, pad, stride):
    """{(out_row, out_col): {(in_row, in_col): (i, j)}} with plain loops (pad: int)."""
    h, w = input_hw
    kh, kw = kernel_hw
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (w + 2 * pad - kw) // stride + 1
    windows = {}
    for r in range(oh):
        for c in range(ow):
            cells = {}
            for i in range(kh):
                for j in range(kw):
                    rr, cc = r * stride + i - pad, c * stride + j - pad
                    if 0 <= rr < h and 0 <= cc < w:
                        cells[(rr, cc)] = (i, j)
            windows[(r, c)] = cells
    return windows, oh, ow


# --- weight_sources and connection_counts ---------------------------------------------------


@pytest.mark.parametrize(
    ("input_hw", "kernel_hw", "pad", "stride"),
    [
        ((5, 5), (2, 2), 0, 1),
        ((8, 8), (3, 3), 1, 1),
        ((7, 6), (3, 2), 2, 2),
        ((6, 6), (1, 3), 0, 3),
    ],
)
def test_weight_sources_agree_with_loops(input_hw, kernel_hw, pad, stride):
    sources = weight_sources(kernel_hw, input_hw, pad, stride)
    windows, oh, ow = loop_windows(input_hw, kernel_hw, pad, stride)
    assert sources.shape == (oh * ow, input_hw[0] * input_hw[1])
    for (r, c), cells in windows.items():
        row = sources[r * ow + c]
        expected = np.full(row.shape, -1)
        for (rr, cc), (i, j) in cells.items():
            expected[rr * input_hw[1] + cc] = i * kernel_hw[1] + j
        assert row.tolist() == expected.tolist()


def test_weight_sources_name_the_kernel_value_in_conv_matrix():
    rng = np.random.default_rng(3)
    kernel = rng.integers(-3, 4, size=(3, 3)).astype(float)
    matrix = conv_matrix(kernel, (6, 7), "same", 1)
    sources = weight_sources(kernel.shape, (6, 7), "same", 1)
    expected = np.where(sources >= 0, kernel.ravel()[sources], 0.0)
    assert matrix.tolist() == expected.tolist()


def test_weight_sources_for_a_multichannel_input():
    sources = weight_sources((2, 2, 2), (2, 3, 3))
    assert sources.shape == (4, 18)
    # Output (0, 0) sees pixel (1, 0, 0) (channel 1) through kernel cell (1, 0, 0) = index 4.
    assert sources[0, 9] == 4
    assert sorted(sources[0][sources[0] >= 0].tolist()) == list(range(8))


def test_deck_counts():
    counts = connection_counts(DECK_2x2, (5, 5))
    # 16 output neurons × 25 input pixels; each window has 4 cells, two of them hold a 1.
    assert (counts.outputs, counts.inputs, counts.total) == (16, 25, 400)
    assert counts.connected == 16 * 4
    assert (counts.nonzero, counts.zero) == (16 * 2, 400 - 32)
    assert counts.kernel_cells == 4


def test_same_padding_counts_lose_the_connections_to_the_padding():
    kernel = np.array([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])  # no zero in it
    counts = connection_counts(kernel, (8, 8), "same")
    windows, _, _ = loop_windows((8, 8), (3, 3), 1, 1)
    inside = sum(len(cells) for cells in windows.values())
    assert inside == 36 * 9 + 24 * 6 + 4 * 4  # inner, edge and corner neurons
    assert counts.connected == counts.nonzero == inside
    assert counts.zero == 64 * 64 - inside


# --- one neuron traced back -----------------------------------------------------------------


def test_deck_neuron_traced_back_to_its_pixels():
    neuron = neuron_inputs(DECK_2x2, (5, 5), 0, 1)
    assert neuron.neuron == 1
    assert neuron.pixels.tolist() == [[0, 0, 1], [0, 0, 2], [0, 1, 1], [0, 1, 2]]
    assert neuron.columns.tolist() == [1, 2, 6, 7]
    assert neuron.weights.tolist() == [0, 1, 1, 0]
    assert neuron.kernel_cells.tolist() == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1]]
    pixels = DECK_5x5[neuron.pixels[:, 1], neuron.pixels[:, 2]]
    assert float(neuron.weights @ pixels) == DECK_4x4[0][1] == 2


def test_every_deck_neuron_adds_up_to_the_decks_output():
    for r in range(4):
        for c in range(4):
            neuron = neuron_inputs(DECK_2x2, (5, 5), r, c)
            pixels = DECK_5x5[neuron.pixels[:, 1], neuron.pixels[:, 2]]
            assert float(neuron.weights @ pixels) == DECK_4x4[r][c]


def test_a_corner_neuron_with_same_padding_has_four_pixels():
    neuron = neuron_inputs(np.ones((3, 3)), (8, 8), 0, 0, padding="same")
    assert neuron.pixels[:, 1:].tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert neuron.kernel_cells[:, 1:].tolist() == [[1, 1], [1, 2], [2, 1], [2, 2]]


def test_neuron_outside_the_output_is_refused():
    with pytest.raises(ValueError, match=r"\(4, 0\) does not exist: the output is 4×4"):
        neuron_inputs(DECK_2x2, (5, 5), 4, 0)


# --- edges ----------------------------------------------------------------------------------


def test_conv_edges_recompute_every_feature_map():
    rng = np.random.default_rng(7)
    image = rng.integers(0, 2, size=(6, 6)).astype(float)
    kernels = rng.integers(-2, 3, size=(3, 3, 3)).astype(float)
    edges = conv_edges(kernels, (6, 6), padding=1, stride=1)
    out = np.zeros(3 * 36)
    np.add.at(out, edges.dst, edges.weight * image.ravel()[edges.src])
    for k, kernel in enumerate(kernels):
        padded = np.pad(image, 1)
        for r in range(6):
            for c in range(6):
                expected = sum(
                    kernel[i, j] * padded[r + i, c + j] for i in range(3) for j in range(3)
                )
                assert out[k * 36 + r * 6 + c] == expected
    assert np.all(edges.weight != 0)
    assert len(edges) == sum(np.count_nonzero(conv_matrix(k, (6, 6), 1)) for k in kernels)


def test_conv_edges_take_four_dimensional_kernels_for_one_channel():
    kernels = np.arange(8, dtype=float).reshape(2, 1, 2, 2)
    flat = conv_edges(kernels[:, 0], (3, 3))
    deep = conv_edges(kernels, (1, 3, 3))
    assert flat.src.tolist() == deep.src.tolist()
    assert flat.weight.tolist() == deep.weight.tolist()


def test_pool_edges_recompute_max_pooling():
    rng = np.random.default_rng(1)
    maps = rng.integers(0, 5, size=(2, 6, 6)).astype(float)
    edges = pool_edges(maps.shape, 2, source=2, target=3)
    assert (edges.source, edges.target, len(edges)) == (2, 3, 2 * 9 * 4)
    assert np.all(edges.weight == 1)
    pooled = np.zeros(2 * 9)
    np.maximum.at(pooled, edges.dst, edges.weight * maps.ravel()[edges.src])
    for k in range(2):
        for r in range(3):
            for c in range(3):
                window = maps[k, 2 * r : 2 * r + 2, 2 * c : 2 * c + 2]
                assert pooled[k * 9 + r * 3 + c] == window.max()


def test_elementwise_and_dense_edges():
    assert elementwise_edges(3, source=1, target=2).src.tolist() == [0, 1, 2]
    weights = np.array([[0.5, 0.0, -1.0], [0.0, 2.0, 0.0]])
    edges = dense_edges(weights, source=4, target=5)
    x = np.array([1.0, 2.0, 3.0])
    out = np.zeros(2)
    np.add.at(out, edges.dst, edges.weight * x[edges.src])
    assert out.tolist() == [0.5 - 3.0, 4.0]
    assert len(edges) == 3  # the zeros are not connections


# --- layout ---------------------------------------------------------------------------------


def test_layout_keeps_rows_columns_and_order():
    shapes = [(1, 8, 8), (2, 8, 8), (2, 8, 8), (2, 4, 4), (10,), (2,)]
    layouts = layered_layout(shapes, layer_gap=5.0)
    assert [len(layout.xy) for layout in layouts] == [64, 128, 128, 32, 10, 2]
    for before, after in zip(layouts, layouts[1:], strict=False):
        assert after.left == pytest.approx(before.right + 5.0)
    conv = layouts[1].xy.reshape(2, 8, 8, 2)
    assert np.all(np.diff(conv[..., 0], axis=2) == 1)  # columns go right
    assert np.all(np.diff(conv[..., 1], axis=1) == 1)  # rows go down
    assert np.all(conv[1, ..., 1] > conv[0, ..., 1].max())  # map 1 below map 0
    pooled = layouts[3].xy.reshape(2, 4, 4, 2)
    for k in range(2):  # a pooled map is centred beside the map it pools
        assert pooled[k, ..., 1].mean() == pytest.approx(conv[k, ..., 1].mean())
    height = conv[..., 1].max() - conv[..., 1].min()
    dense = layouts[4].xy[:, 1]
    assert dense.max() - dense.min() <= height + 1e-9
    assert layouts[0].xy[:, 1].mean() == pytest.approx(0.0)


def test_layout_refuses_odd_shapes():
    with pytest.raises(ValueError, match=r"shapes\[1\] must be \(C, H, W\) or \(n,\)"):
        layered_layout([(1, 4, 4), (4, 4)])


# --- whole networks -------------------------------------------------------------------------


def recompute(network, edges, reduce="sum"):
    """A target layer's activations from its source layer and the edges alone."""
    source = np.asarray(network.layers[edges.source].values, dtype=float).ravel()
    target = network.layers[edges.target]
    n = np.asarray(target.values).size
    if reduce == "max":
        out = np.full(n, -np.inf)
        np.maximum.at(out, edges.dst, edges.weight * source[edges.src])
    else:
        out = np.zeros(n)
        np.add.at(out, edges.dst, edges.weight * source[edges.src])
    if target.bias is not None:
        out += np.asarray(target.bias).ravel()
    return out


def test_feature_network_is_the_decks_pipeline():
    from cnn_core.grids import DECK_O_8x8

    kernel = np.array([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])
    network = feature_network(DECK_O_8x8, kernel[None], "same", 0.0, 2, "max")
    assert [layer.name for layer in network.layers] == [
        "input",
        "convolution",
        "threshold",
        "pooling",
    ]
    pooled = network.layers[3].values[0]
    assert pooled.tolist() == [[0, 0, 1, 1], [1, 3, 0, 1], [1, 0, 2, 1], [1, 1, 0, 0]]
    conv, _, pool = network.edges
    np.testing.assert_array_equal(recompute(network, conv), network.layers[1].values.ravel())
    np.testing.assert_array_equal(recompute(network, pool, "max"), pooled.ravel())
    assert len(conv) == 484  # 64 neurons, 9 weights each, minus those over the padding


@pytest.mark.parametrize(
    "settings",
    [
        {},  # the default: same padding, global max pooling
        {"padding": "valid", "pool": "avg", "pool_size": 2, "n_kernels": 2},
        {"padding": "valid", "conv_layers": 2, "n_kernels": 2, "n_kernels2": 3, "kernel_size2": 2},
    ],
)
def test_model_network_edges_recompute_the_models_activations(settings):
    from cnn_core.model import CNNClassifier, CNNConfig, generated_data

    config = CNNConfig(n_train=60, n_test=10, epochs=2, **settings)
    X_train, _, y_train, _ = generated_data(config, seed=1)
    # float64 so the recomputation below can be compared at full precision.
    model = CNNClassifier(config, random_state=0, dtype="float64").fit(X_train, y_train)
    drawing = X_train[0]
    network = model_network(model, drawing)
    acts = model.activations(drawing)
    names = [layer.name for layer in network.layers]
    assert names[0] == "input" and names[-3:] == ["pooling", "dense", "output"]
    assert len(network.edges) == len(network.layers) - 1
    for edges in network.edges:
        target = network.layers[edges.target]
        if target.name.startswith(("convolution", "dense")):
            expected = recompute(network, edges)
            np.testing.assert_allclose(expected, np.asarray(target.values).ravel(), atol=1e-9)
        elif target.name == "pooling" and config.pool == "max":
            np.testing.assert_allclose(
                recompute(network, edges, "max"), target.values.ravel(), atol=1e-12
            )
        elif target.name == "pooling":
            np.testing.assert_allclose(recompute(network, edges), target.values.ravel())
    np.testing.assert_allclose(network.layers[-1].values, acts["proba"])
    assert network.layers[-1].labels == tuple(model.classes_)
