"""Traces explain single cells; they must agree with the full operations everywhere."""

import dataclasses

import numpy as np
import pytest

from cnn_core import conv2d, conv_trace, format_number, pad_image, pool2d, pool_trace, threshold
from cnn_core.grids import DECK_O_8x8
from cnn_core.kernels import preset
from tests.test_ops import random_conv_case

DIAGONAL = np.array([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])


# --- agreement with the full operations, every cell -------------------------------------------


@pytest.mark.parametrize("seed", range(60))
def test_conv_trace_equals_conv2d_for_every_cell(seed):
    image, kernel, padding, stride = random_conv_case(seed)
    full = conv2d(image, kernel, padding, stride)
    padded = pad_image(image, padding, kernel.shape)
    padded = padded if padded.ndim == 3 else padded[None]
    integers = np.array_equal(image, np.round(image)) and np.array_equal(kernel, np.round(kernel))
    kh, kw = kernel.shape[-2:]
    ph = (padded.shape[1] - image.shape[-2]) // 2
    pw = (padded.shape[2] - image.shape[-1]) // 2
    for row in range(full.shape[0]):
        for col in range(full.shape[1]):
            trace = conv_trace(image, kernel, row, col, padding, stride)
            assert (trace.row, trace.col) == (row, col)
            assert (trace.top, trace.left) == (row * stride - ph, col * stride - pw)
            window = padded[:, row * stride : row * stride + kh, col * stride : col * stride + kw]
            np.testing.assert_array_equal(trace.window, window if image.ndim == 3 else window[0])
            np.testing.assert_array_equal(trace.kernel, kernel)
            np.testing.assert_array_equal(trace.products, trace.window * kernel)
            channels = image.shape[0] if image.ndim == 3 else 1
            assert trace.channel_sums.shape == (channels,)
            if integers:  # whole numbers add up exactly in any order
                assert trace.total == full[row, col]
            else:
                assert trace.total == pytest.approx(full[row, col], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_pool_trace_equals_pool2d_for_every_cell(seed):
    rng = np.random.default_rng(500 + seed)
    h, w = rng.integers(1, 9, size=2)
    size = int(rng.integers(1, min(h, w) + 1))
    stride = None if seed % 3 == 0 else int(rng.integers(1, 4))
    # Few distinct values, so max-pooling windows often hold ties.
    x = rng.integers(0, 3, size=(h, w)).astype(float) * rng.choice([1, 0.5])
    step = size if stride is None else stride
    for mode in ("max", "avg", "lp"):
        full = pool2d(x, size, stride, mode, p=3)
        for row in range(full.shape[0]):
            for col in range(full.shape[1]):
                trace = pool_trace(x, row, col, size, stride, mode, p=3)
                assert (trace.top, trace.left) == (row * step, col * step)
                window = x[row * step : row * step + size, col * step : col * step + size]
                np.testing.assert_array_equal(trace.window, window)
                assert trace.value == pytest.approx(full[row, col], rel=1e-12, abs=1e-12)
                if mode == "max":
                    r, c = trace.winner
                    assert x[r, c] == trace.value
                    # Tie rule: no earlier cell (row-major) in the window holds the maximum.
                    flat = (r - trace.top) * size + (c - trace.left)
                    assert (window.ravel()[:flat] < trace.value).all()
                else:
                    assert trace.winner is None


# --- the tie rule ---------------------------------------------------------------------------


def test_max_pool_ties_go_to_the_first_cell_in_row_major_order():
    x = np.array(
        [
            [1, 3, 0, 0],
            [3, 3, 0, 0],
            [2, 0, 5, 5],
            [0, 2, 5, 5],
        ]
    )
    assert pool_trace(x, 0, 0).winner == (0, 1)  # the 3 in the top row beats the two below
    assert pool_trace(x, 0, 1).winner == (0, 2)  # all zeros: the top-left cell
    assert pool_trace(x, 1, 0).winner == (2, 0)  # 2 at top-left beats the 2 at bottom-right
    assert pool_trace(x, 1, 1).winner == (2, 2)  # four 5s: the top-left one
    # Overlapping windows: winners are reported in x coordinates.
    assert pool_trace(x, 1, 0, size=2, stride=1).winner == (1, 0)  # window x[1:3, 0:2]


def test_deck_pooling_winners():
    feature_map = threshold(conv2d(DECK_O_8x8, DIAGONAL, padding="same"))
    assert pool_trace(feature_map, 1, 1).winner == (2, 2)  # the 3
    assert pool_trace(feature_map, 2, 2).winner == (5, 5)  # the 2
    assert pool_trace(feature_map, 0, 0).winner == (0, 0)  # an all-zero window


# --- the formula strings --------------------------------------------------------------------


def test_conv_formula_of_the_decks_first_cell():
    # Window O[0:3, 0:3] = 0 0 0 / 0 0 0 / 0 0 1, typed from the deck's O.
    trace = conv_trace(DECK_O_8x8, DIAGONAL, 0, 0)
    assert trace.formula() == (
        "(-1)×0 + (-1)×0 + 1×0 + (-1)×0 + 1×0 + (-1)×0 + 1×0 + (-1)×0 + (-1)×1 = -1"
    )
    assert trace.total == -1
    assert trace.highlight == (0, 0, 3, 3)


def test_conv_formula_with_padding_shows_the_zeros_of_the_padding():
    trace = conv_trace(DECK_O_8x8, DIAGONAL, 0, 0, padding="same")
    assert (trace.top, trace.left) == (-1, -1)
    assert trace.highlight == (-1, -1, 3, 3)
    np.testing.assert_array_equal(trace.window, np.zeros((3, 3)))
    assert trace.formula().endswith(" = 0")


def test_conv_formula_multichannel_groups_channels():
    image = np.stack([np.eye(2), np.ones((2, 2))])
    kernel = np.stack(
        [
            [[1, -2], [0, 1]],
            [
                [
                    0.5,
                    0,
                ],
                [0, 0],
            ],
        ]
    )
    trace = conv_trace(image, kernel, 0, 0)
    np.testing.assert_array_equal(trace.channel_sums, [2, 0.5])
    assert trace.total == 2.5
    assert trace.formula() == "(1×1 + (-2)×0 + 0×0 + 1×1) + (0.5×1 + 0×1 + 0×1 + 0×1) = 2.5"


def test_conv_formula_elides_long_sums():
    trace = conv_trace(np.ones((5, 5)), np.ones((5, 5)), 0, 0)
    assert trace.formula(max_terms=3) == "1×1 + 1×1 + … + 1×1 = 25"
    assert trace.formula().count("1×1") == 25


def test_conv_formula_with_fractions():
    trace = conv_trace(np.ones((3, 3)), preset("box blur"), 0, 0)
    assert trace.formula().startswith("0.111×1 + 0.111×1 + ")
    assert trace.formula().endswith(" = 1")  # 9 × (1/9) prints as a whole number


def test_pool_formulas():
    x = np.array([[0.0, 3.0], [-1.0, 0.5]])
    assert pool_trace(x, 0, 0).formula() == "max(0, 3, -1, 0.5) = 3"
    assert pool_trace(x, 0, 0, mode="avg").formula() == "(0 + 3 + (-1) + 0.5) / 4 = 0.625"
    lp = pool_trace(np.array([[3, 4], [0, 0]]), 0, 0, mode="lp", p=2)
    assert lp.formula() == "(3^2 + 4^2 + 0^2 + 0^2)^(1/2) = 5"
    assert (
        pool_trace(x, 0, 0, mode="lp", p=1).formula() == "(0^1 + 3^1 + |-1|^1 + 0.5^1)^(1/1) = 4.5"
    )


@pytest.mark.parametrize(
    "value, text",
    [
        (-1.0, "-1"),
        (3, "3"),
        (0.0, "0"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (1 / 3, "0.333"),
        (-2 / 3, "-0.667"),
        (2.9999999999, "3"),
        (1e-9, "0"),
        (-1e-9, "0"),
        (12345.0, "12345"),
        (np.float32(0.25), "0.25"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


# --- the records are frozen ------------------------------------------------------------------


def test_traces_are_frozen_and_their_arrays_read_only():
    trace = conv_trace(DECK_O_8x8, DIAGONAL, 1, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.total = 7
    with pytest.raises(ValueError):
        trace.window[0, 0] = 5
    pooled = pool_trace(np.eye(4), 0, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pooled.value = 7
    with pytest.raises(ValueError):
        pooled.window[0, 0] = 5


def test_traces_do_not_share_memory_with_the_input():
    image = np.eye(4)
    trace = pool_trace(image, 0, 0)
    image[0, 0] = 9
    assert trace.window[0, 0] == 1


# --- refusals ---------------------------------------------------------------------------------

BAD = [
    (lambda: conv_trace(DECK_O_8x8, DIAGONAL, 6, 0), "row must be between 0 and 5"),
    (lambda: conv_trace(DECK_O_8x8, DIAGONAL, 0, 8, "same"), "col must be between 0 and 7"),
    (lambda: conv_trace(DECK_O_8x8, DIAGONAL, -1, 0), "row must be an integer ≥ 0, got -1"),
    (lambda: conv_trace(DECK_O_8x8, DIAGONAL, 0, 1.5), "col must be an integer ≥ 0, got 1.5"),
    (lambda: conv_trace(DECK_O_8x8, DIAGONAL, 0, 0, stride=0), "stride must be"),
    (lambda: conv_trace(DECK_O_8x8, np.ones((2, 2)), 0, 0, "same"), "needs odd kernel"),
    (lambda: conv_trace(DECK_O_8x8, np.ones((9, 9)), 0, 0), "kernel of size 9×9 is larger"),
    (lambda: conv_trace(np.ones((2, 8, 8)), DIAGONAL, 0, 0), "kernel must match the image"),
    (lambda: conv_trace(np.full((4, 4), np.nan), DIAGONAL, 0, 0), "image must contain only"),
    (lambda: pool_trace(np.ones((2, 4, 4)), 0, 0), "x must be 2-D (H, W): one feature map"),
    (lambda: pool_trace(np.ones((4, 4)), 2, 0), "row must be between 0 and 1"),
    (lambda: pool_trace(np.ones((4, 4)), 0, 0, mode="min"), "mode must be one of"),
    (lambda: pool_trace(np.ones((4, 4)), 0, 0, mode="lp", p=0), "p must be a finite number > 0"),
    (lambda: pool_trace(np.ones((4, 4)), 0, 0, size=5), "size 5 is larger than the input"),
]


@pytest.mark.parametrize("call, fragment", BAD)
def test_bad_input_raises_value_error(call, fragment):
    with pytest.raises(ValueError) as caught:
        call()
    assert fragment in str(caught.value)


def test_window_wholly_on_the_padding_is_all_zeros():
    image = np.arange(1.0, 17.0).reshape(4, 4)
    kernel = np.ones((2, 2))
    # padding 3: cell (0, 0) covers padded rows/cols 0–1, i.e. unpadded -3..-2: no pixel.
    corner = conv_trace(image, kernel, 0, 0, padding=3)
    assert (corner.top, corner.left) == (-3, -3)
    np.testing.assert_array_equal(corner.window, np.zeros((2, 2)))
    assert corner.total == 0
    # The last cell hangs past the bottom-right corner by the same amount.
    last = conv_trace(image, kernel, 8, 8, padding=3)
    assert (last.top, last.left) == (5, 5)
    np.testing.assert_array_equal(last.window, np.zeros((2, 2)))
    # One step in: only the image's top-left pixel (value 1) is under the kernel.
    np.testing.assert_array_equal(
        conv_trace(image, kernel, 2, 2, padding=3).window, [[0, 0], [0, 1]]
    )
