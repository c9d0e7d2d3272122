"""The layers: forward against slow loops, backward against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_core.layers import (
    SGD,
    Adam,
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    GlobalMaxPool2D,
    MaxPool2D,
    ReLU,
    SoftmaxCrossEntropy,
    Threshold,
    pool_windows,
)
from tests.reference import conv2d_loop, numerical_gradient, pool2d_loop


def check_backward(layer, X, rng, *, tol=1e-6):
    """Compare backward's dX and every grads[name] with finite differences of Σ out·R."""
    out = layer.forward(X)
    R = rng.normal(size=out.shape)
    dX = layer.backward(R)

    def loss_of_input(values):
        return float(np.sum(layer.forward(values) * R))

    if dX is not None:
        np.testing.assert_allclose(dX, numerical_gradient(loss_of_input, X.copy()), atol=tol)
    for name, param in layer.params.items():
        layer.forward(X)
        layer.backward(R)
        analytic = layer.grads[name].copy()

        def loss_of_param(values, name=name):
            layer.params[name][...] = values
            return float(np.sum(layer.forward(X) * R))

        original = param.copy()
        numeric = numerical_gradient(loss_of_param, original.copy())
        layer.params[name][...] = original
        np.testing.assert_allclose(analytic, numeric, atol=tol, err_msg=name)


# --- convolution --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channels", "kernels", "k", "padding"),
    [(1, 3, 3, "valid"), (1, 2, 5, "same"), (3, 2, 2, "valid"), (2, 3, 3, 1), (1, 4, 4, 2)],
)
def test_conv_forward_matches_the_loop_reference(channels, kernels, k, padding):
    rng = np.random.default_rng(k * 10 + channels)
    layer = Conv2D(channels, kernels, k, padding, rng=rng)
    layer.params["b"][...] = rng.normal(size=kernels)
    X = rng.normal(size=(2, 7, 6, channels))
    out = layer.forward(X)
    for n in range(2):
        for K in range(kernels):
            expected = conv2d_loop(np.moveaxis(X[n], -1, 0), layer.params["W"][K], padding=padding)
            np.testing.assert_allclose(out[n, :, :, K], expected + layer.params["b"][K])


@pytest.mark.parametrize(
    ("channels", "k", "padding"), [(1, 3, "valid"), (1, 5, "same"), (2, 2, 1), (3, 3, "same")]
)
def test_conv_backward_matches_finite_differences(channels, k, padding):
    rng = np.random.default_rng(7 + k)
    layer = Conv2D(channels, 3, k, padding, rng=rng)
    check_backward(layer, rng.normal(size=(2, 6, 5, channels)), rng)


def test_conv_im2col_rows_are_the_windows_then_a_one():
    layer = Conv2D(2, 1, 3, "same")
    X = np.arange(2 * 4 * 5 * 2, dtype=float).reshape(2, 4, 5, 2)
    cols = layer.im2col(X)
    assert cols.shape == (2, 4, 5, 2 * 9 + 1)
    padded = np.pad(X, ((0, 0), (1, 1), (1, 1), (0, 0)))
    window = padded[1, 2:5, 3:6, :]  # output cell (2, 3) of image 1
    np.testing.assert_array_equal(cols[1, 2, 3, :-1], np.moveaxis(window, -1, 0).ravel())
    assert np.all(cols[..., -1] == 1.0)


def test_window_columns_hold_the_same_windows_as_columns():
    layer = Conv2D(2, 3, 3, 1)
    X = np.random.default_rng(8).normal(size=(3, 5, 4, 2))
    rows = layer.im2col(X)  # (N, OH, OW, D)
    columns = layer.window_columns(X)  # (D, N, OH·OW)
    np.testing.assert_array_equal(columns, rows.reshape(3, -1, rows.shape[-1]).transpose(2, 0, 1))


def test_bind_keeps_values_and_makes_params_views_of_the_flat_vectors():
    rng = np.random.default_rng(0)
    for layer in (Conv2D(2, 3, 3, rng=rng), Dense(5, 2, rng=rng)):
        before = {name: p.copy() for name, p in layer.params.items()}
        flat, grads = np.zeros(layer.n_params), np.zeros(layer.n_params)
        layer.bind(flat, grads)
        for name, value in layer.params.items():
            np.testing.assert_array_equal(value, before[name])
            assert np.shares_memory(value, flat) and np.shares_memory(layer.grads[name], grads)
        flat += 1.0  # an optimiser step on the flat vector moves the layer's weights
        for name, value in layer.params.items():
            np.testing.assert_array_equal(value, before[name] + 1.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [((1, 2, 6), "kernel_size"), ((1, 0, 3), "n_kernels"), ((1, 2, 2, "same"), "odd")],
)
def test_conv_refuses_bad_arguments_with_a_readable_message(args, message):
    with pytest.raises(ValueError, match=message):
        Conv2D(*args)


# --- threshold, pooling -------------------------------------------------------------------------


def test_threshold_is_the_decks_threshold_and_its_gradient():
    layer = Threshold(1.0)
    X = np.array([[-2.0, 0.5, 1.0, 1.5, 3.0]])
    np.testing.assert_array_equal(layer.forward(X), [[0.0, 0.0, 0.0, 1.5, 3.0]])
    np.testing.assert_array_equal(layer.backward(np.ones_like(X)), [[0, 0, 0, 1, 1]])
    rng = np.random.default_rng(1)
    values = rng.normal(size=(2, 4, 4, 3))
    values[np.abs(values) < 1e-3] = 0.5  # no value on the kink
    check_backward(ReLU(), values, rng)


@pytest.mark.parametrize(
    ("size", "stride", "shape"), [(2, None, (6, 6)), (3, 2, (7, 6)), (2, 3, (7, 8))]
)
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_matches_the_loop_reference_and_finite_differences(size, stride, shape, mode):
    rng = np.random.default_rng(size * 7 + (stride or 0))
    layer = (MaxPool2D if mode == "max" else AvgPool2D)(size, stride)
    X = rng.normal(size=(2, *shape, 3))  # distinct values: no ties, no kinks
    out = layer.forward(X)
    for n in range(2):
        for c in range(3):
            expected = pool2d_loop(X[n, :, :, c], size=size, stride=stride, mode=mode)
            np.testing.assert_allclose(out[n, :, :, c], expected)
    assert out.shape[1:] == layer.output_shape(shape + (3,))
    check_backward(layer, X, rng)


def test_max_pool_ties_send_the_gradient_to_the_first_cell_in_row_major_order():
    X = np.array([[0, 3, 1, 1], [3, 3, 1, 0], [2, 0, 0, 0], [0, 2, 0, 0]], dtype=float)
    layer = MaxPool2D(2)
    np.testing.assert_array_equal(layer.forward(X[None, :, :, None])[0, :, :, 0], [[3, 1], [2, 0]])
    dX = layer.backward(np.array([10.0, 20.0, 30.0, 40.0]).reshape(1, 2, 2, 1))[0, :, :, 0]
    expected = np.array([[0, 10, 20, 0], [0, 0, 0, 0], [30, 0, 40, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(dX, expected)  # each window's gradient exactly once
    # Many cells (the priority path): a 3×3 window of equal values.
    big = MaxPool2D(3)
    big.forward(np.ones((1, 3, 3, 1)))
    grad = big.backward(np.full((1, 1, 1, 1), 5.0))[0, :, :, 0]
    np.testing.assert_array_equal(grad, [[5, 0, 0], [0, 0, 0], [0, 0, 0]])


def test_global_max_pool_forward_ties_and_finite_differences():
    layer = GlobalMaxPool2D()
    X = np.zeros((2, 3, 3, 2))
    X[0, 1, 2, 0] = X[0, 2, 0, 0] = 4.0  # a tie: (1, 2) comes first in row-major order
    X[1, :, :, 1] = -1.0
    out = layer.forward(X)
    np.testing.assert_array_equal(out[:, 0, 0, :], [[4.0, 0.0], [0.0, -1.0]])
    np.testing.assert_array_equal(layer.winners, [[5, 0], [0, 0]])
    dX = layer.backward(np.ones((2, 1, 1, 2)))
    assert dX[0, 1, 2, 0] == 1.0 and dX[0, 2, 0, 0] == 0.0 and dX.sum() == 4.0
    rng = np.random.default_rng(5)
    check_backward(layer, rng.normal(size=(2, 5, 4, 3)), rng)


def test_pool_windows_lists_each_windows_cells_in_row_major_order():
    cells = pool_windows(4, 5, 2, 2)  # 4×5 map: the last column does not fit and is dropped
    assert cells.shape == (4, 2, 2)
    np.testing.assert_array_equal(cells[:, 1, 1], [12, 13, 17, 18])  # window at (2, 2)
    with pytest.raises(ValueError, match="does not fit"):
        pool_windows(1, 5, 2, 2)
    with pytest.raises(ValueError, match="stride"):
        MaxPool2D(2, 0)


# --- flatten, dense, loss -----------------------------------------------------------------------


def test_flatten_dense_and_their_gradients():
    rng = np.random.default_rng(2)
    flatten = Flatten()
    X = rng.normal(size=(3, 2, 2, 3))
    np.testing.assert_array_equal(flatten.forward(X)[1], X[1].ravel())
    np.testing.assert_array_equal(flatten.backward(flatten.forward(X)), X)
    dense = Dense(12, 4, rng=rng)
    dense.params["b"][...] = rng.normal(size=4)
    np.testing.assert_allclose(
        dense.forward(X.reshape(3, -1)), X.reshape(3, -1) @ dense.params["W"] + dense.params["b"]
    )
    check_backward(dense, rng.normal(size=(3, 12)), rng)


def test_softmax_cross_entropy_value_and_gradient():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(5, 3)) * 3
    y = np.array([0, 2, 1, 1, 0])
    loss = SoftmaxCrossEntropy()
    value = loss.forward(logits, y)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(probs[np.arange(5), y])), rel=1e-12)
    np.testing.assert_allclose(loss.probs, probs)
    numeric = numerical_gradient(lambda z: SoftmaxCrossEntropy().forward(z, y), logits.copy())
    np.testing.assert_allclose(loss.backward(), numeric, atol=1e-8)
    huge = np.array([[1000.0, -1000.0]])  # stable: no overflow, the exact answer
    assert SoftmaxCrossEntropy().forward(huge, np.array([1])) == pytest.approx(2000.0)


# --- optimisers ---------------------------------------------------------------------------------


def test_sgd_with_momentum_follows_its_formula():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    opt = SGD([p], [g], lr=0.1, momentum=0.9)
    opt.step()
    np.testing.assert_allclose(p, [1.0 - 0.05, -2.0 - 0.025])
    opt.step()  # v = 0.9·g + g
    np.testing.assert_allclose(p, [0.95 - 0.1 * 1.9 * 0.5, -2.025 - 0.1 * 1.9 * 0.25])


def test_adam_follows_kingma_and_ba():
    rng = np.random.default_rng(6)
    p = rng.normal(size=4)
    expected = p.copy()
    g = np.zeros(4)
    opt = Adam([p], [g], lr=0.01)
    m = v = np.zeros(4)
    for t in range(1, 4):
        g[...] = rng.normal(size=4)
        opt.step()
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        expected -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
        np.testing.assert_allclose(p, expected, rtol=1e-10)
