"""The X/O generator, and what a model trained on it does with X's and O's nobody here drew."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_core.bench import font_files, font_glyphs, handwritten_zeros
from cnn_core.data import make_xo, make_xo_split
from cnn_core.model import CNNClassifier, CNNConfig, generated_data


def test_shapes_types_balance_and_binary_pixels():
    X, y = make_xo(101, seed=1)
    assert X.shape == (101, 8, 8) and X.dtype == np.float32
    assert y.shape == (101,) and set(y.tolist()) == {"X", "O"}
    assert abs(int(np.sum(y == "X")) - int(np.sum(y == "O"))) <= 1
    assert set(np.unique(X).tolist()) <= {0.0, 1.0}
    assert X.sum(axis=(1, 2)).min() >= 3  # every drawing has a shape in it
    assert 0 < np.mean(y[:50] == "X") < 1  # shuffled, not all X first


def test_same_seed_same_drawings_other_seed_other_drawings():
    a, ya = make_xo(40, seed=7)
    b, yb = make_xo(40, seed=7)
    c, _ = make_xo(40, seed=8)
    assert np.array_equal(a, b) and np.array_equal(ya, yb)
    assert not np.array_equal(a, c)


def test_grey_levels_grid_sizes_and_noise():
    grey, _ = make_xo(30, seed=2, binary=False, noise=0.0)
    assert grey.min() >= 0 and grey.max() <= 1
    assert np.any((grey > 0) & (grey < 1))  # area-averaged edges
    big, _ = make_xo(10, size=16, seed=2)
    assert big.shape == (10, 16, 16) and big.sum(axis=(1, 2)).min() >= 3
    clean, _ = make_xo(200, seed=3, noise=0.0)
    noisy, _ = make_xo(200, seed=3, noise=0.2)
    # Specks land on background away from the shape: the noisy drawings only gain pixels.
    assert np.all(noisy >= clean) and noisy.sum() > clean.sum() + 100


def test_the_decks_variations_can_be_switched_off():
    X, _ = make_xo(60, seed=4, translate=False, scale=False, rotate=False, weight=False, noise=0)
    rows, cols = np.indices((8, 8))
    ink = X.sum(axis=(1, 2))
    centre_r = (X * rows).sum(axis=(1, 2)) / ink
    centre_c = (X * cols).sum(axis=(1, 2)) / ink
    assert np.allclose(centre_r, 3.5, atol=0.6) and np.allclose(centre_c, 3.5, atol=0.6)
    moved, _ = make_xo(60, seed=4, noise=0)
    spread = (moved * rows).sum(axis=(1, 2)) / moved.sum(axis=(1, 2))
    assert spread.std() > 0.5  # with translation, shapes sit all over the grid


def test_pixel_letters_x_and_o_never_make_the_same_pattern():
    # The generator's smallest letters are set cell by cell; were a pattern both an x and an o,
    # the network would be taught two answers for it.
    from cnn_core.data import _pixel_letter

    rng = np.random.default_rng(0)
    made = {
        letter: {
            (cells.shape, cells.tobytes())
            for cells in (_pixel_letter(letter == "x", 8, rng) for _ in range(3000))
        }
        for letter in "xo"
    }
    assert len(made["x"]) > 20 and len(made["o"]) > 60  # many shapes of each
    assert not made["x"] & made["o"]
    for shape, _ in made["x"] | made["o"]:
        assert 2 <= shape[0] <= 5 and 2 <= shape[1] <= 5
    small = [_pixel_letter(True, 4, rng).shape for _ in range(200)]  # a 4×4 grid: they fit
    assert max(max(s) for s in small) == 4


def test_a_share_of_the_drawings_are_pixel_letters_at_most_5_px():
    X, _ = make_xo(1000, seed=6, noise=0.0)
    rows = X.any(axis=2).sum(axis=1)
    cols = X.any(axis=1).sum(axis=1)
    tiny = (rows <= 5) & (cols <= 5)
    assert 0.25 < tiny.mean() < 0.45  # 30 % pixel letters, a few small outlines
    # No stray specks beside a pixel letter (a speck is a third of one): with specks on half
    # of the background, the drawings that still fit in 5×5 are the pixel letters.
    specked, _ = make_xo(1000, seed=6, noise=0.5)
    fits = (specked.any(axis=2).sum(axis=1) <= 5) & (specked.any(axis=1).sum(axis=1) <= 5)
    assert 0.25 < fits.mean() < 0.35
    big, _ = make_xo(200, size=24, seed=6, noise=0.0)  # on a large grid: none
    assert (big.any(axis=2).sum(axis=1) > 5).all()


def test_split_gives_independent_balanced_sets():
    X_train, X_test, y_train, y_test = make_xo_split(40, 20, seed=5)
    assert X_train.shape == (40, 8, 8) and X_test.shape == (20, 8, 8)
    assert np.sum(y_train == "X") == 20 and np.sum(y_test == "X") == 10
    assert not np.array_equal(X_train[:20], X_test)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be at least 1"),
        ({"n": 5, "size": 3}, "size must be between 4 and 64"),
        ({"n": 5, "noise": 0.7}, "noise"),
        ({"n": 5, "seed": -1}, "seed"),
        ({"n": 2.5}, "n must be an integer"),
    ],
)
def test_bad_arguments_are_refused_with_readable_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_xo(**kwargs)


# --- X's and O's that nobody here drew ----------------------------------------------------------


@pytest.fixture(scope="module")
def default_model():
    X_train, _, y_train, _ = generated_data(CNNConfig(), seed=0)
    return CNNClassifier(CNNConfig(), random_state=0).fit(X_train, y_train)


def test_handwritten_zeros_are_recognised_as_o(default_model):
    zeros = handwritten_zeros()
    assert zeros.shape == (178, 8, 8)
    assert np.mean(default_model.predict(zeros) == "O") >= 0.97  # seed 0: 0.983


def test_letters_from_real_typefaces_at_4_to_8_px_are_recognised(default_model):
    pytest.importorskip("PIL", reason="Pillow renders the typefaces (a test-only extra)")
    if len(font_files()) < 4:
        pytest.skip("fewer than 4 TrueType fonts installed (fonts-dejavu / fonts-liberation)")
    X, y, info = font_glyphs(seed=0, positions=1)
    height = np.array([int(tag.split("|")[3]) for tag in info])
    right = default_model.predict(X) == y
    assert len(y) > 500
    # The benchmark's floors; seed 0 gets 0.990 and 0.998 here (one position per glyph).
    assert right.mean() >= 0.97, f"font accuracy {right.mean():.3f}"
    assert right[height >= 6].mean() >= 0.99, f"6–8 px accuracy {right[height >= 6].mean():.3f}"
