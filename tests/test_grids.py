"""Grids: the text form, the deck's images, and the transformations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core import grids
from cnn_core.grids import (
    DECK_DOT_IMAGE,
    DECK_DOT_KERNEL,
    DECK_5x5,
    DECK_O_8x8,
    DECK_X_8x8,
    flip,
    format_grid,
    invert,
    parse_grid,
    random_grid,
    resize_canvas,
    rotate90,
    scale,
    shift,
    thicken,
)

binary_grids = st.tuples(st.integers(1, 9), st.integers(1, 9)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(0, 1))
)
square_grids = st.integers(1, 9).flatmap(
    lambda n: arrays(np.int64, (n, n), elements=st.integers(0, 1))
)


# --- text form ------------------------------------------------------------------------------


def test_parse_all_the_accepted_forms():
    expected = [[0, 0, 1], [1, 0, 1]]
    for text in [
        "001 101",
        "001\n101",
        "  001\n\n   101  \n",
        "0 0 1\n1 0 1",
        "0\t0\t1\n1\t0\t1\n",  # the deck's tables
    ]:
        grid = parse_grid(text)
        assert grid.dtype.kind == "i"
        np.testing.assert_array_equal(grid, expected)
    np.testing.assert_array_equal(parse_grid("0 1 1"), [[0, 1, 1]])  # one line of cells
    np.testing.assert_array_equal(parse_grid("1"), [[1]])


def test_format_grid():
    assert format_grid([[0, 0, 1], [1, 0, 1]]) == "001\n101"
    assert format_grid(np.array([[0, 1]]), sep="\t") == "0\t1"
    assert format_grid(np.array([[True, False]])) == "10"


@settings(max_examples=80, deadline=None)
@given(grid=binary_grids, sep=st.sampled_from(["", " ", "\t"]))
def test_parse_format_round_trip(grid, sep):
    text = format_grid(grid, sep=sep)
    np.testing.assert_array_equal(parse_grid(text), grid)
    assert format_grid(parse_grid(text), sep=sep) == text


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "text must hold at least one row"),
        ("  \n \n", "text must hold at least one row"),
        ("0012", "text must use only the digits 0 and 1, got '2' in row 1"),
        ("000 0x0", "got 'x' in row 2"),
        ("000 00", "text must have rows of equal length, got lengths [3, 2]"),
        ("0 1\n1", "text must have rows of equal length"),
        (None, "text must be a string"),
        ([[0, 1]], "text must be a string"),
    ],
)
def test_parse_refuses_bad_text(text, fragment):
    with pytest.raises(ValueError) as caught:
        parse_grid(text)
    assert fragment in str(caught.value)


# --- the deck's images ----------------------------------------------------------------------


def rows(grid) -> list[str]:
    return ["".join(str(v) for v in row) for row in grid]


def test_deck_images_rows():
    # Typed from the slides.
    assert rows(DECK_O_8x8) == [
        "00000000",
        "00011000",
        "00101100",
        "01000010",
        "01000010",
        "00101100",
        "00011000",
        "00000000",
    ]
    assert rows(DECK_5x5) == ["00110", "01001", "10000", "10000", "01001"]
    assert rows(DECK_DOT_IMAGE) == ["101", "011", "110"]
    assert rows(DECK_DOT_KERNEL) == ["101", "010", "101"]


def test_deck_x_is_a_clean_x_in_the_o_style():
    assert rows(DECK_X_8x8) == [
        "00000000",
        "01000010",
        "00100100",
        "00011000",
        "00011000",
        "00100100",
        "01000010",
        "00000000",
    ]
    # Both diagonals of the inner 6×6, nothing else, and the O's blank frame.
    inner = DECK_X_8x8[1:7, 1:7]
    np.testing.assert_array_equal(inner, np.eye(6, dtype=int) | np.fliplr(np.eye(6, dtype=int)))
    for image in (DECK_X_8x8, DECK_O_8x8):
        assert image[0].sum() == image[-1].sum() == image[:, 0].sum() == image[:, -1].sum() == 0
    np.testing.assert_array_equal(DECK_X_8x8, np.fliplr(DECK_X_8x8))
    np.testing.assert_array_equal(DECK_X_8x8, np.flipud(DECK_X_8x8))


def test_deck_constants_are_read_only_int_grids():
    for image in (DECK_O_8x8, DECK_X_8x8, DECK_5x5, DECK_DOT_IMAGE, DECK_DOT_KERNEL):
        assert image.dtype.kind == "i"
        with pytest.raises(ValueError):
            image[0, 0] = 1


# --- transformations ------------------------------------------------------------------------


def test_shift_moves_and_fills_with_zeros():
    grid = parse_grid("110 011 001")
    assert rows(shift(grid, 1, 0)) == ["000", "110", "011"]
    assert rows(shift(grid, 0, -1)) == ["100", "110", "010"]
    assert rows(shift(grid, -1, 1)) == ["001", "000", "000"]
    assert rows(shift(grid, 3, 0)) == ["000", "000", "000"]
    assert rows(shift(grid, 0, -7)) == ["000", "000", "000"]
    np.testing.assert_array_equal(shift(grid, 0, 0), grid)


@settings(max_examples=60, deadline=None)
@given(grid=binary_grids, dr=st.integers(-4, 4), dc=st.integers(-4, 4))
def test_shift_loses_only_what_leaves_and_never_wraps(grid, dr, dc):
    moved = shift(grid, dr, dc)
    h, w = grid.shape
    for r in range(h):
        for c in range(w):
            source = (r - dr, c - dc)
            inside = 0 <= source[0] < h and 0 <= source[1] < w
            assert moved[r, c] == (grid[source] if inside else 0)


def test_flip_and_rotate_small_examples():
    grid = parse_grid("100 110")
    assert rows(flip(grid, 0)) == ["110", "100"]
    assert rows(flip(grid, 1)) == ["001", "011"]
    # Counter-clockwise: the top row becomes the left column, read bottom to top.
    assert rows(rotate90(grid)) == ["00", "01", "11"]
    assert rows(rotate90(grid, -1)) == ["11", "10", "00"]
    assert rotate90(grid).shape == (3, 2)


@settings(max_examples=60, deadline=None)
@given(grid=binary_grids, k=st.integers(-5, 5))
def test_rotate_flip_invert_identities(grid, k):
    np.testing.assert_array_equal(rotate90(rotate90(rotate90(rotate90(grid)))), grid)
    np.testing.assert_array_equal(rotate90(rotate90(grid, k), -k), grid)
    np.testing.assert_array_equal(rotate90(grid, k), rotate90(grid, k + 4))
    np.testing.assert_array_equal(flip(flip(grid, 0), 0), grid)
    np.testing.assert_array_equal(flip(flip(grid, 1), 1), grid)
    np.testing.assert_array_equal(invert(invert(grid)), grid)
    assert invert(grid).sum() == grid.size - grid.sum()


def test_thicken_single_pixel_and_corner():
    assert rows(thicken(parse_grid("000 010 000"))) == ["000", "011", "011"]
    assert rows(thicken(parse_grid("000 000 001"))) == ["000", "000", "001"]  # nowhere to grow
    assert rows(thicken(parse_grid("000 000 000"))) == ["000", "000", "000"]
    assert thicken(DECK_X_8x8).sum() > DECK_X_8x8.sum()


@settings(max_examples=60, deadline=None)
@given(grid=binary_grids)
def test_thicken_only_adds_pixels(grid):
    heavier = thicken(grid)
    assert ((heavier == 1) | (grid == 0)).all()  # every inked pixel stays inked
    assert set(np.unique(heavier)) <= {0, 1}
    np.testing.assert_array_equal(thicken(heavier) >= heavier, True)


def test_scale_examples():
    np.testing.assert_array_equal(scale(DECK_O_8x8, 1), DECK_O_8x8)
    # The centre 2×2 block doubled about the centre becomes the centre 4×4 block.
    block = np.zeros((8, 8), dtype=int)
    block[3:5, 3:5] = 1
    expected = np.zeros((8, 8), dtype=int)
    expected[2:6, 2:6] = 1
    np.testing.assert_array_equal(scale(block, 2), expected)
    # ... and halving the 4×4 block brings back the 2×2 one.
    np.testing.assert_array_equal(scale(expected, 0.5), block)


@pytest.mark.parametrize("factor", [0.3, 0.5, 0.75, 1.25, 1.5, 2, 3])
def test_scale_keeps_symmetric_drawings_symmetric_and_strokes_alive(factor):
    for image in (
        DECK_X_8x8,
        parse_grid("0000000 0100010 0010100 0001000 0010100 0100010 0000000"),
    ):
        out = scale(image, factor)
        assert out.shape == image.shape
        np.testing.assert_array_equal(out, np.fliplr(out))
        np.testing.assert_array_equal(out, np.flipud(out))
        assert out.sum() > 0
        if factor < 1:
            assert out.sum() <= image.sum()  # shrinking only merges pixels


def test_resize_canvas_centres_pads_and_crops():
    assert rows(resize_canvas(DECK_5x5, 7)) == [
        "0000000",
        "0001100",
        "0010010",
        "0100000",
        "0100000",
        "0010010",
        "0000000",
    ]
    np.testing.assert_array_equal(resize_canvas(resize_canvas(DECK_5x5, 7), 5), DECK_5x5)
    # Odd difference: the extra row and column go to the bottom/right, both ways round.
    padded = resize_canvas(DECK_5x5, 6)
    np.testing.assert_array_equal(padded[:5, :5], DECK_5x5)
    np.testing.assert_array_equal(resize_canvas(padded, 5), DECK_5x5)
    # The centre 4×4 of the O: rows 2–5, columns 2–5.
    assert rows(resize_canvas(DECK_O_8x8, 4)) == ["1011", "0000", "0000", "1011"]
    np.testing.assert_array_equal(resize_canvas(DECK_O_8x8, 8), DECK_O_8x8)


def test_random_grid_is_reproducible_and_respects_density():
    a = random_grid(8, 0.3, np.random.default_rng(5))
    b = random_grid(8, 0.3, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(random_grid(8, 0.3, 5), a)  # a seed works too
    assert a.shape == (8, 8) and set(np.unique(a)) <= {0, 1}
    assert random_grid(6, 0, 1).sum() == 0
    assert random_grid(6, 1, 1).sum() == 36
    big = random_grid(100, 0.3, 2)
    assert 0.25 < big.mean() < 0.35


def test_transformations_return_new_int_arrays_and_leave_the_input_alone():
    grid = DECK_O_8x8.copy()
    for out in (
        shift(grid, 1, 1),
        flip(grid, 0),
        rotate90(grid),
        thicken(grid),
        invert(grid),
        scale(grid, 1.5),
        resize_canvas(grid, 8),
    ):
        assert out.dtype.kind == "i"
        assert not np.shares_memory(out, grid)
        out[...] = 1  # writable, and changing it changes nothing else
    np.testing.assert_array_equal(grid, DECK_O_8x8)
    assert shift(DECK_O_8x8, 0, 0).flags.writeable  # copies of read-only constants are writable


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: shift([[0, 2]], 0, 0), "grid must contain only 0 and 1, got the value 2"),
        (lambda: shift([[0, 0.5]], 0, 0), "got the value 0.5"),
        (lambda: invert(np.ones(4)), "grid must be 2-D (H, W)"),
        (lambda: thicken(np.zeros((0, 3))), "grid must not be empty"),
        (lambda: rotate90([[np.nan]]), "grid must contain only finite numbers"),
        (lambda: shift(DECK_O_8x8, 1.5, 0), "dr must be an integer, got 1.5"),
        (lambda: shift(DECK_O_8x8, 0, "1"), "dc must be an integer"),
        (lambda: flip(DECK_O_8x8, 2), "axis must be 0 (upside down) or 1 (left-right), got 2"),
        (lambda: flip(DECK_O_8x8, "lr"), "axis must be 0"),
        (lambda: rotate90(DECK_O_8x8, 0.5), "k must be an integer"),
        (lambda: scale(DECK_O_8x8, 0), "factor must be a finite number > 0, got 0"),
        (lambda: scale(DECK_O_8x8, -2), "factor must be a finite number > 0"),
        (lambda: scale(DECK_O_8x8, float("nan")), "factor must be a finite number > 0"),
        (lambda: resize_canvas(DECK_O_8x8, 0), "size must be an integer ≥ 1, got 0"),
        (lambda: resize_canvas(DECK_O_8x8, 4.0), "size must be an integer ≥ 1"),
        (lambda: random_grid(0, 0.5, 0), "size must be an integer ≥ 1"),
        (lambda: random_grid(4, 1.5, 0), "density must be between 0 and 1, got 1.5"),
        (lambda: random_grid(4, -0.1, 0), "density must be between 0 and 1"),
        (lambda: random_grid(4, 0.5, "seed"), "rng must be a numpy Generator"),
        (lambda: random_grid(4, 0.5, 1.5), "rng must be a numpy Generator"),
        (lambda: format_grid([[0, 3]]), "grid must contain only 0 and 1"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, fragment):
    with pytest.raises(ValueError) as caught:
        call()
    assert fragment in str(caught.value)


def test_resize_centred_grows_and_shrinks_any_array_about_its_centre():
    kernel = np.arange(1, 26, dtype=float).reshape(5, 5) / 10
    small = grids.resize_centred(kernel, 3)
    np.testing.assert_array_equal(small, kernel[1:4, 1:4])
    assert small.dtype == kernel.dtype
    big = grids.resize_centred(small, 4)  # the extra row and column go bottom and right
    np.testing.assert_array_equal(big[:3, :3], small)
    assert not big[3].any() and not big[:, 3].any()
    np.testing.assert_array_equal(grids.resize_centred(big, 3), small)
    with pytest.raises(ValueError, match="2-D"):
        grids.resize_centred(np.zeros(3), 3)
