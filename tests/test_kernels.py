"""Kernel presets: the deck's kernels, the classic ones, and what their descriptions promise."""

import numpy as np
import pytest

from cnn_core import conv2d
from cnn_core.grids import parse_grid
from cnn_core.kernels import PRESETS, Preset, preset

REQUIRED = [
    "deck diagonal \\",
    "deck diagonal /",
    "horizontal line",
    "vertical line",
    "edges (Laplacian)",
    "Sobel x",
    "Sobel y",
    "identity",
    "box blur",
    "sharpen",
    "deck 2×2",
]


def test_required_presets_exist_with_readable_descriptions():
    for name in REQUIRED:
        assert name in PRESETS
    for name, kernel in PRESETS.items():
        assert isinstance(kernel, Preset)
        assert kernel.name == name
        assert kernel.values.ndim == 2 and np.isfinite(kernel.values).all()
        assert kernel.values.dtype == np.float64
        assert len(kernel.description.split()) >= 10, name
        assert kernel.description.endswith("."), name


def test_deck_kernels_have_the_decks_values():
    # Typed from the slides.
    np.testing.assert_array_equal(
        preset("deck diagonal /"), [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]
    )
    np.testing.assert_array_equal(preset("horizontal line"), [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(preset("deck 2×2"), [[0, 1], [1, 0]])


def test_the_two_diagonals_are_mirror_images():
    slash, backslash = preset("deck diagonal /"), preset("deck diagonal \\")
    np.testing.assert_array_equal(backslash, np.fliplr(slash))
    # "/": the +1s run from bottom-left to top-right.
    assert slash[2, 0] == slash[1, 1] == slash[0, 2] == 1
    assert backslash[0, 0] == backslash[1, 1] == backslash[2, 2] == 1


@pytest.mark.parametrize(
    "name, stroke, best",
    [
        ("deck diagonal /", "001 010 100", 3),
        ("deck diagonal \\", "100 010 001", 3),
    ],
)
def test_diagonal_kernels_score_3_on_their_own_stroke_and_less_on_the_other(name, stroke, best):
    own = conv2d(parse_grid(stroke), preset(name))[0, 0]
    other = conv2d(np.fliplr(parse_grid(stroke)), preset(name))[0, 0]
    assert own == best
    assert other < own


def test_line_and_edge_kernels_respond_where_their_descriptions_say():
    horizontal = np.zeros((5, 5))
    horizontal[2] = 1
    vertical = horizontal.T.copy()
    # Horizontal line: high just under a horizontal stroke (row above inked, row below empty).
    out = conv2d(horizontal, preset("horizontal line"), padding="same")
    np.testing.assert_array_equal(out[3], [2, 3, 3, 3, 2])
    assert out[1].max() < 0
    # Vertical line: high just right of a vertical stroke.
    out = conv2d(vertical, preset("vertical line"), padding="same")
    np.testing.assert_array_equal(out[:, 3], [2, 3, 3, 3, 2])
    assert out[:, 1].max() < 0
    # Sobel x: positive on the stroke's left side, negative on its right side.
    out = conv2d(vertical, preset("Sobel x"), padding="same")
    assert (out[1:4, 1] == 4).all() and (out[1:4, 3] == -4).all()
    # Sobel y: positive above a horizontal stroke, negative below it.
    out = conv2d(horizontal, preset("Sobel y"), padding="same")
    assert (out[1, 1:4] == 4).all() and (out[3, 1:4] == -4).all()


def test_laplacian_is_zero_on_flat_areas_and_positive_on_the_rim():
    assert (conv2d(np.ones((5, 5)), preset("edges (Laplacian)")) == 0).all()
    assert (conv2d(np.zeros((5, 5)), preset("edges (Laplacian)")) == 0).all()
    square = np.zeros((6, 6))
    square[1:5, 1:5] = 1
    out = conv2d(square, preset("edges (Laplacian)"), padding="same")
    assert out[1, 1] == 2 and out[1, 2] == 1  # corner and side of the rim
    assert out[2, 2] == 0  # inside


def test_identity_blur_and_sharpen():
    image = np.random.default_rng(0).integers(0, 2, size=(6, 6)).astype(float)
    np.testing.assert_array_equal(conv2d(image, preset("identity"), padding="same"), image)
    assert preset("box blur").sum() == pytest.approx(1.0)
    np.testing.assert_allclose(conv2d(np.ones((4, 4)), preset("box blur")), np.ones((2, 2)))
    np.testing.assert_array_equal(
        preset("sharpen"), preset("identity") + preset("edges (Laplacian)")
    )


def test_preset_returns_a_writable_copy_and_the_table_stays_read_only():
    values = preset("identity")
    values[1, 1] = 42
    assert PRESETS["identity"].values[1, 1] == 1
    with pytest.raises(ValueError):
        PRESETS["identity"].values[1, 1] = 42


@pytest.mark.parametrize("name", ["nope", "Identity", None, 3])
def test_unknown_preset_names_the_argument_and_lists_the_choices(name):
    with pytest.raises(ValueError) as caught:
        preset(name)
    message = str(caught.value)
    assert message.startswith("name must be one of the preset kernels")
    assert "'Sobel x'" in message and f"got {name!r}" in message
