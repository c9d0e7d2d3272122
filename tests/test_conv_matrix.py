"""Convolution as a weight matrix: the deck's "neural network representation"."""

import numpy as np
import pytest

from cnn_core import conv2d, conv_matrix
from tests.reference import conv_matrix_loop
from tests.test_ops import random_conv_case


@pytest.mark.parametrize("seed", range(120))
def test_conv_matrix_matches_loop_reference_and_conv2d(seed):
    image, kernel, padding, stride = random_conv_case(seed)
    weights = conv_matrix(kernel, image.shape, padding, stride)
    np.testing.assert_array_equal(weights, conv_matrix_loop(kernel, image.shape, padding, stride))
    np.testing.assert_allclose(
        weights @ image.ravel(),
        conv2d(image, kernel, padding, stride).ravel(),
        rtol=1e-10,
        atol=1e-10,
    )


@pytest.mark.parametrize(
    "input_shape, kernel_shape, stride",
    [
        ((6, 6), (3, 3), 1),
        ((7, 5), (2, 3), 2),
        ((3, 6, 5), (3, 3, 2), 1),
        ((2, 8, 8), (2, 4, 4), 3),
    ],
)
def test_valid_rows_hold_exactly_the_kernel_values_shared_weights(
    input_shape, kernel_shape, stride
):
    """With no padding, each neuron sees a whole window: k·k·C weights, the kernel's values."""
    rng = np.random.default_rng(0)
    kernel = rng.uniform(0.5, 2.0, size=kernel_shape) * rng.choice([-1, 1], size=kernel_shape)
    weights = conv_matrix(kernel, input_shape, "valid", stride)
    channels = 1 if len(input_shape) == 2 else input_shape[0]
    assert weights.shape[1] == int(np.prod(input_shape))
    assert (np.count_nonzero(weights, axis=1) == kernel.size).all()
    assert kernel.size == kernel_shape[-1] * kernel_shape[-2] * channels
    for row in weights:
        # Columns follow image.ravel() order, which is the kernel's (channel, i, j) order.
        np.testing.assert_array_equal(row[row != 0], kernel.ravel())


def test_most_weights_are_zero_and_padding_removes_connections():
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    weights = conv_matrix(kernel, (8, 8), "same")
    assert weights.shape == (64, 64)
    per_row = np.count_nonzero(weights, axis=1).reshape(8, 8)
    assert per_row[0, 0] == 4  # a corner window: 2×2 of it lies on the image
    assert per_row[0, 3] == 6  # an edge window: 2×3
    assert per_row[3, 3] == 9  # an inside window: all of it
    assert np.count_nonzero(weights) / weights.size < 0.15
    # The corner neuron's weights are the kernel's bottom-right 2×2 (the rest is on padding).
    np.testing.assert_array_equal(weights[0][weights[0] != 0], [5, 6, 8, 9])


def test_weight_of_pixel_under_kernel_cell():
    """Row (x, y), column (r, c) holds K[r - x·s + p, c - y·s + p] when that is in the kernel."""
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    weights = conv_matrix(kernel, (6, 7), padding=1, stride=2)
    oh, ow = 3, 4
    assert weights.shape == (oh * ow, 42)
    x, y = 1, 2  # output cell; its window's top-left is input (1, 3) after padding 1
    row = weights[x * ow + y].reshape(6, 7)
    np.testing.assert_array_equal(row[1:4, 3:6], kernel)
    assert row.sum() == kernel.sum()


BAD = [
    (lambda: conv_matrix(np.ones((3, 3)), (5,)), "input_shape must be a shape (H, W) or"),
    (lambda: conv_matrix(np.ones((3, 3)), (5, 0)), "input_shape must be"),
    (lambda: conv_matrix(np.ones((3, 3)), (5, 5.0)), "input_shape must be"),
    (lambda: conv_matrix(np.ones((3, 3)), 5), "input_shape must be"),
    (lambda: conv_matrix(np.ones((3, 3)), (2, 5, 5)), "needs a 3-D (C, kh, kw) kernel with C = 2"),
    (lambda: conv_matrix(np.ones((3, 3, 3)), (2, 5, 5)), "with C = 2, got kernel shape (3, 3, 3)"),
    (lambda: conv_matrix(np.ones((1, 3, 3)), (5, 5)), "needs a 2-D (kh, kw) kernel"),
    (lambda: conv_matrix(np.ones((6, 6)), (5, 5)), "kernel of size 6×6 is larger"),
    (lambda: conv_matrix(np.ones((2, 2)), (5, 5), "same"), "padding 'same' needs odd"),
    (lambda: conv_matrix(np.ones((3, 3)), (5, 5), stride=0), "stride must be an integer ≥ 1"),
    (lambda: conv_matrix(np.full((3, 3), np.nan), (5, 5)), "kernel must contain only finite"),
    (lambda: conv_matrix(np.ones((3, 3)), (5, 5), padding=-1), "padding must be"),
]


@pytest.mark.parametrize("call, fragment", BAD)
def test_bad_input_raises_value_error(call, fragment):
    with pytest.raises(ValueError) as caught:
        call()
    assert fragment in str(caught.value)
