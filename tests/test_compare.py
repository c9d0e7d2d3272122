"""cnn_core.compare: matching two drawings pixel by pixel and after the feature pipeline.

Expected numbers come from the deck's tables, from counting by hand, or from the slow loops
below; never from the code under test.
"""

import numpy as np
import pytest

from cnn_core.compare import (
    CopyRecipe,
    PipelineSettings,
    compare_drawings,
    feature_maps,
    match_map,
    nonzero_match,
    transformed_copy,
)
from cnn_core.grids import DECK_O_8x8, DECK_X_8x8, scale, shift, thicken

DECK_KERNEL = np.array([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])  # the convolution slides'
DECK_POOLED_O = np.array([[0, 0, 1, 1], [1, 3, 0, 1], [1, 0, 2, 1], [1, 1, 0, 0]])


# --- slow, obvious references ---------------------------------------------------------------


def loop_match(a, b):
    both = only_a = only_b = 0
    for x, y in zip(np.ravel(a), np.ravel(b), strict=True):
        if x != 0 and y != 0:
            both += 1
        elif x != 0:
            only_a += 1
        elif y != 0:
            only_b += 1
    return both, only_a, only_b


def loop_pipeline(grid, kernel):
    """Same padding, threshold 0, 2×2 max pool, with plain loops."""
    h, w = grid.shape
    k = kernel.shape[0]
    half = k // 2
    padded = [[0] * (w + 2 * half) for _ in range(h + 2 * half)]
    for r in range(h):
        for c in range(w):
            padded[r + half][c + half] = int(grid[r, c])
    conv = [[0.0] * w for _ in range(h)]
    for r in range(h):
        for c in range(w):
            total = 0.0
            for i in range(k):
                for j in range(k):
                    total += kernel[i, j] * padded[r + i][c + j]
            conv[r][c] = total if total > 0 else 0.0
    pooled = [[0.0] * (w // 2) for _ in range(h // 2)]
    for r in range(h // 2):
        for c in range(w // 2):
            pooled[r][c] = max(conv[2 * r + i][2 * c + j] for i in range(2) for j in range(2))
    return np.array(conv), np.array(pooled)


# --- nonzero_match and match_map ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_nonzero_match_agrees_with_a_loop(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 7, size=rng.integers(1, 4)))
    a = rng.integers(-2, 3, size=shape) * (rng.random(shape) < 0.5)
    b = rng.integers(-2, 3, size=shape) * (rng.random(shape) < 0.5)
    match = nonzero_match(a, b)
    assert (match.both, match.only_a, match.only_b) == loop_match(a, b)
    assert match.either == sum(loop_match(a, b))
    if match.either:
        assert match.ratio == pytest.approx(match.both / match.either)


def test_nonzero_match_counts_position_not_value():
    match = nonzero_match([[3, 0], [1, 0]], [[1, 2], [0, 0]])
    assert (match.both, match.only_a, match.only_b, match.either) == (1, 1, 1, 3)
    assert match.ratio == pytest.approx(1 / 3)


def test_nothing_to_match_has_no_ratio():
    match = nonzero_match(np.zeros((3, 3)), np.zeros((3, 3)))
    assert match.either == 0
    assert match.ratio is None


def test_nonzero_match_refuses_different_shapes():
    with pytest.raises(ValueError, match=r"same shape.*\(2, 2\).*\(3, 3\)"):
        nonzero_match(np.ones((2, 2)), np.ones((3, 3)))


def test_match_map_codes():
    a = np.array([[0, 1], [1, 0]])
    b = np.array([[0, 0], [5, 2]])
    assert match_map(a, b).tolist() == [[0, 1], [3, 2]]


# --- the feature pipeline -------------------------------------------------------------------


def test_deck_o_through_the_default_pipeline_gives_the_decks_pooled_map():
    maps = feature_maps(DECK_O_8x8, DECK_KERNEL)
    assert len(maps.convolved) == 1
    assert maps.convolved[0].shape == (8, 8)
    assert maps.convolved[0][0].tolist() == [0, 0, -1, -2, 0, 1, 0, 0]  # the deck's first row
    assert maps.thresholded[0][2, 2] == 3
    assert maps.pooled[0].tolist() == DECK_POOLED_O.tolist()


def test_feature_maps_follow_the_settings():
    settings = PipelineSettings(padding="valid", t=0.5, pool_size=3, pool_mode="avg")
    maps = feature_maps(DECK_O_8x8, DECK_KERNEL, settings)
    assert maps.convolved[0].shape == (6, 6)
    assert maps.convolved[0][0].tolist() == [-1, -2, 0, -2, -1, 1]  # the deck's valid map
    assert maps.pooled[0].shape == (2, 2)
    expected = maps.thresholded[0][:3, :3].mean()
    assert maps.pooled[0][0, 0] == pytest.approx(expected)


def test_one_feature_map_per_kernel():
    kernels = np.stack([DECK_KERNEL, DECK_KERNEL[:, ::-1]])
    maps = feature_maps(DECK_X_8x8, kernels)
    assert [m.shape for m in maps.pooled] == [(4, 4), (4, 4)]
    for index, kernel in enumerate(kernels):
        conv, pooled = loop_pipeline(DECK_X_8x8, kernel)
        assert maps.thresholded[index].tolist() == conv.tolist()
        assert maps.pooled[index].tolist() == pooled.tolist()


# --- compare_drawings: the deck's "more non-zero values are matched" ------------------------


def test_deck_o_shifted_one_pixel_right():
    shifted = shift(DECK_O_8x8, 0, 1)
    result = compare_drawings(DECK_O_8x8, shifted, DECK_KERNEL)

    # By hand: the O has 14 ink pixels, the copy too, and 4 of them coincide.
    assert int(DECK_O_8x8.sum()) == 14
    assert (result.pixels.both, result.pixels.either) == (4, 14 + 14 - 4)

    conv_a, pooled_a = loop_pipeline(DECK_O_8x8, DECK_KERNEL)
    conv_b, pooled_b = loop_pipeline(shifted, DECK_KERNEL)
    assert (result.thresholded.both, result.thresholded.only_a, result.thresholded.only_b) == (
        loop_match(conv_a, conv_b)
    )
    assert (result.pooled.both, result.pooled.only_a, result.pooled.only_b) == loop_match(
        pooled_a, pooled_b
    )
    # The default the "Same?" page opens with must really show the deck's point.
    assert result.pooled.ratio > result.pixels.ratio
    assert result.pooled.ratio > result.thresholded.ratio


def test_identical_drawings_match_everywhere():
    result = compare_drawings(DECK_X_8x8, DECK_X_8x8.copy(), DECK_KERNEL)
    for match in (result.pixels, result.thresholded, result.pooled):
        assert match.only_a == match.only_b == 0
        assert match.ratio == 1.0


def test_per_kernel_counts_add_up_to_the_total():
    kernels = np.stack([DECK_KERNEL, DECK_KERNEL[:, ::-1], np.eye(3)])
    result = compare_drawings(DECK_O_8x8, shift(DECK_O_8x8, 1, 1), kernels)
    assert len(result.per_kernel) == 3
    assert sum(t.both for t, _ in result.per_kernel) == result.thresholded.both
    assert sum(p.either for _, p in result.per_kernel) == result.pooled.either


def test_kernels_of_different_sizes_give_maps_of_different_sizes():
    kernels = [DECK_KERNEL, np.array([[0, 1], [1, 0]])]
    settings = PipelineSettings(padding="valid")
    result = compare_drawings(DECK_O_8x8, shift(DECK_O_8x8, 0, 1), kernels, settings)
    assert [m.shape for m in result.maps_a.thresholded] == [(6, 6), (7, 7)]
    assert [m.shape for m in result.maps_b.pooled] == [(3, 3), (3, 3)]
    both = sum(
        loop_match(ta, tb)[0]
        for ta, tb in zip(result.maps_a.thresholded, result.maps_b.thresholded, strict=True)
    )
    assert result.thresholded.both == both


def test_compare_refuses_different_sizes():
    with pytest.raises(ValueError, match="same size, got 8×8 and 6×6"):
        compare_drawings(DECK_O_8x8, np.zeros((6, 6)), DECK_KERNEL)


def test_compare_names_a_bad_kernel():
    with pytest.raises(ValueError, match="kernels"):
        compare_drawings(DECK_O_8x8, DECK_O_8x8, np.zeros((2, 2, 2, 2)))


# --- transformed_copy: drawing B from drawing A ---------------------------------------------


def test_a_plain_shift_moves_every_ink_pixel():
    copy = transformed_copy(DECK_O_8x8, CopyRecipe(dr=2, dc=-1))
    rows, cols = np.nonzero(DECK_O_8x8)
    expected = np.zeros((8, 8), dtype=int)
    for r, c in zip(rows, cols, strict=True):
        if 0 <= r + 2 < 8 and 0 <= c - 1 < 8:
            expected[r + 2, c - 1] = 1
    assert copy.tolist() == expected.tolist()


def test_recipe_order_is_scale_turn_thicken_shift():
    recipe = CopyRecipe(dr=1, dc=0, factor=0.5, turns=1, heavier=1)
    step = scale(DECK_X_8x8, 0.5)
    step = np.rot90(step)
    step = thicken(step)
    step = shift(step, 1, 0)
    assert transformed_copy(DECK_X_8x8, recipe).tolist() == step.tolist()


def test_unchanged_recipe_copies():
    copy = transformed_copy(DECK_O_8x8, CopyRecipe())
    assert copy.tolist() == DECK_O_8x8.tolist()
    assert copy is not DECK_O_8x8


def test_recipe_describes_itself():
    assert CopyRecipe().describe() == "unchanged"
    assert CopyRecipe(dc=1).describe() == "shifted 1 right"
    text = CopyRecipe(dr=-2, dc=-3, factor=1.5, turns=5, heavier=2).describe()
    assert (
        text == "scaled ×1.5, turned 90° counter-clockwise, thickened 2×, shifted 3 left and 2 up"
    )


def test_turning_a_non_square_drawing_is_refused():
    with pytest.raises(ValueError, match="square drawing"):
        transformed_copy(np.zeros((4, 6), dtype=int), CopyRecipe(turns=1))
