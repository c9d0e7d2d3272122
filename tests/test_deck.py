"""Every table of the lecture deck that the operations can produce, cell for cell.

The tables are typed from the slides in ``tests/deck.py`` (the independent truth, shared with
the page tests), with the one misprinted cell corrected there explicitly.
"""

import numpy as np
import pytest

from cnn_core import conv2d, conv_matrix, conv_trace, pad_image, pool2d, pool_trace, threshold
from cnn_core.grids import DECK_DOT_IMAGE, DECK_DOT_KERNEL, DECK_5x5, DECK_O_8x8
from cnn_core.kernels import preset
from tests.deck import (
    DIAGONAL,
    DOT_IMAGE,
    DOT_KERNEL,
    HORIZONTAL_LINE,
    NETWORK_KERNEL,
    O_IMAGE,
    NETWORK_INPUT_5x5,
    NETWORK_OUTPUT_4x4,
    NETWORK_POOLED_2x2,
    PADDED_10x10,
    POOLED_4x4,
    SAME_8x8,
    SAME_8x8_PRINTED,
    THRESHOLDED_8x8,
    VALID_6x6,
    VALID_6x6_PRINTED,
)

# --- the deck's images and kernels in cnn_core are the deck's --------------------------------


def test_library_images_and_kernels_are_the_decks():
    np.testing.assert_array_equal(DECK_O_8x8, O_IMAGE)
    np.testing.assert_array_equal(DECK_5x5, NETWORK_INPUT_5x5)
    np.testing.assert_array_equal(DECK_DOT_IMAGE, DOT_IMAGE)
    np.testing.assert_array_equal(DECK_DOT_KERNEL, DOT_KERNEL)
    np.testing.assert_array_equal(preset("deck diagonal /"), DIAGONAL)
    np.testing.assert_array_equal(preset("horizontal line"), HORIZONTAL_LINE)
    np.testing.assert_array_equal(preset("deck 2×2"), NETWORK_KERNEL)


# --- convolution slides ---------------------------------------------------------------------


def test_dot_product_is_4():
    out = conv2d(DOT_IMAGE, DOT_KERNEL)
    assert out.shape == (1, 1)
    assert out[0, 0] == 4


def test_partial_frames_first_column():
    """The deck's animation fills the first column one frame at a time: -1, -2, 1."""
    assert [conv_trace(O_IMAGE, DIAGONAL, r, 0).total for r in range(3)] == [-1, -2, 1]
    np.testing.assert_array_equal(conv2d(O_IMAGE, DIAGONAL)[:3, 0], [-1, -2, 1])


def test_valid_6x6_all_36_cells():
    out = conv2d(O_IMAGE, DIAGONAL, padding="valid")
    assert out.shape == (6, 6)
    np.testing.assert_array_equal(out, VALID_6x6)


def test_every_cell_but_the_misprint_matches_the_printed_tables():
    valid = conv2d(O_IMAGE, DIAGONAL)
    same = conv2d(O_IMAGE, DIAGONAL, padding="same")
    assert np.argwhere(valid != VALID_6x6_PRINTED).tolist() == [[2, 2]]
    assert np.argwhere(same != SAME_8x8_PRINTED).tolist() == [[3, 3]]


def test_misprinted_cell_window_explains_the_true_value_0():
    expected_window = [[1, 0, 1], [0, 0, 0], [0, 0, 0]]
    valid = conv_trace(O_IMAGE, DIAGONAL, 2, 2)
    same = conv_trace(O_IMAGE, DIAGONAL, 3, 3, padding="same")
    for trace in (valid, same):
        np.testing.assert_array_equal(trace.window, expected_window)
        np.testing.assert_array_equal(trace.products, [[-1, 0, 1], [0, 0, 0], [0, 0, 0]])
        assert trace.total == 0
        assert (trace.top, trace.left) == (2, 2)  # the same window of the unpadded image
    assert valid.formula().endswith("= 0")
    assert valid.formula().startswith("(-1)×1 + (-1)×0 + 1×1 + ")


def test_zero_padded_input_is_the_decks_10x10():
    np.testing.assert_array_equal(pad_image(O_IMAGE, "same", DIAGONAL.shape), PADDED_10x10)
    np.testing.assert_array_equal(pad_image(O_IMAGE, 1, DIAGONAL.shape), PADDED_10x10)


def test_same_padded_8x8_all_64_cells():
    out = conv2d(O_IMAGE, DIAGONAL, padding="same")
    assert out.shape == (8, 8)
    np.testing.assert_array_equal(out, SAME_8x8)
    # "same" is exactly the valid convolution of the deck's padded 10×10.
    np.testing.assert_array_equal(conv2d(PADDED_10x10, DIAGONAL), SAME_8x8)


def test_thresholded_8x8_all_64_cells():
    out = threshold(conv2d(O_IMAGE, DIAGONAL, padding="same"))
    np.testing.assert_array_equal(out, THRESHOLDED_8x8)
    assert out[2, 2] == 3  # "the 3 at row 3, column 3"


def test_threshold_of_the_printed_same_map_is_the_printed_threshold_map():
    # The misprint is negative either way, so the deck's own threshold slide is consistent.
    np.testing.assert_array_equal(threshold(SAME_8x8_PRINTED), THRESHOLDED_8x8)


def test_max_pooled_4x4():
    np.testing.assert_array_equal(pool2d(THRESHOLDED_8x8, size=2, mode="max"), POOLED_4x4)


def test_feature_extraction_pipeline_image_to_feature_map():
    """The "Feature Extraction" slide: Image → Convolution → Threshold → Sub-sampling."""
    feature_map = pool2d(threshold(conv2d(O_IMAGE, DIAGONAL, padding="same")), 2)
    np.testing.assert_array_equal(feature_map, POOLED_4x4)


# --- neural network representation slides -----------------------------------------------------


def test_network_example_convolution_and_threshold():
    out = conv2d(NETWORK_INPUT_5x5, NETWORK_KERNEL)
    np.testing.assert_array_equal(out, NETWORK_OUTPUT_4x4)
    np.testing.assert_array_equal(threshold(out), NETWORK_OUTPUT_4x4)  # nothing negative


def test_network_example_pooled():
    np.testing.assert_array_equal(pool2d(NETWORK_OUTPUT_4x4, 2), NETWORK_POOLED_2x2)
    pipeline = pool2d(threshold(conv2d(NETWORK_INPUT_5x5, NETWORK_KERNEL)), 2)
    np.testing.assert_array_equal(pipeline, NETWORK_POOLED_2x2)


def test_network_example_kernel_values_become_connection_weights():
    """ "Values in Kernel => Connection weights; most of them are zeros." """
    weights = conv_matrix(NETWORK_KERNEL, (5, 5))
    assert weights.shape == (16, 25)
    np.testing.assert_array_equal(weights @ NETWORK_INPUT_5x5.ravel(), NETWORK_OUTPUT_4x4.ravel())
    # Each output neuron connects to 2 inputs (the kernel's two 1s) with weight 1.
    assert (np.count_nonzero(weights, axis=1) == 2).all()
    assert set(np.unique(weights)) == {0.0, 1.0}
    assert np.count_nonzero(weights) / weights.size < 0.1
    # Output (0, 1) = input (0, 2) + input (1, 1): kernel cells (0, 1) and (1, 0).
    assert np.flatnonzero(weights[1]).tolist() == [0 * 5 + 2, 1 * 5 + 1]


@pytest.mark.parametrize("row", range(2))
@pytest.mark.parametrize("col", range(2))
def test_pooling_neuron_is_max_of_weighted_inputs_with_weights_1(row, col):
    """ "Weights are fixed to 1. Activation: y = max(w1x1, w2x2, w3x3, w4x4)." """
    trace = pool_trace(NETWORK_OUTPUT_4x4, row, col, size=2)
    x1, x2, x3, x4 = trace.window.ravel()
    w1 = w2 = w3 = w4 = 1
    y = max(w1 * x1, w2 * x2, w3 * x3, w4 * x4)
    assert y == trace.value == NETWORK_POOLED_2x2[row, col]


def test_3d_convolution_sums_over_channels():
    """ "I * K = Σ_channel Σ_ij K^channel_ij × I^channel_ij" with the deck's own pieces."""
    image = np.stack([DOT_IMAGE, 1 - DOT_IMAGE])
    kernel = np.stack([DOT_KERNEL, DOT_KERNEL])
    # Channel 0 is the deck's 4; channel 1 (inverted image) hits the kernel's other 1s: 1.
    assert conv2d(image, kernel)[0, 0] == 4 + 1
