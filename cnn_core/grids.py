"""Drawing grids: the deck's text form, the deck's example images, and transformations.

A grid is a 2-D int array of 0 (empty) and 1 (ink). The transformations make the deck's
variations of a drawing (translation, scaling, rotation, stroke weight) for the "Same?" page
and the training data; each returns a new int array of 0/1 and never changes its input.

The text form is rows of 0/1: one row per line or per space-separated word (``"00110 01001"``),
or the deck's tables with one digit per cell separated by tabs or spaces (``"0\\t0\\t1"``).
"""

from __future__ import annotations

import numbers

import numpy as np

from cnn_core import _checks


def _constant(text: str) -> np.ndarray:
    grid = parse_grid(text)
    grid.flags.writeable = False  # module constants are shared: copy before editing
    return grid


def parse_grid(text) -> np.ndarray:
    """Read a grid from text. Returns an (H, W) int array of 0/1.

    Accepted: ``"00110 01001 10000"`` (rows as words), one row per line, or the deck's
    tables (``"0 0 1 1 0"`` per line, cells separated by tabs or spaces).
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string of 0/1 rows, got {_checks.describe(text)}")
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("text must hold at least one row of 0/1, got an empty string")
    one_digit_cells = all(len(token) == 1 for tokens in lines for token in tokens)
    if one_digit_cells and any(len(tokens) > 1 for tokens in lines):
        rows = ["".join(tokens) for tokens in lines]  # the deck's tables: a cell per token
    else:
        rows = [token for tokens in lines for token in tokens]  # a row per word
    for number, row in enumerate(rows, start=1):
        bad = set(row) - {"0", "1"}
        if bad:
            raise ValueError(
                f"text must use only the digits 0 and 1, got {sorted(bad)[0]!r} in row "
                f"{number} ({row!r})"
            )
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise ValueError(
            f"text must have rows of equal length, got lengths {[len(r) for r in rows]}"
        )
    return np.array([[int(ch) for ch in row] for row in rows], dtype=int)


def format_grid(grid, sep: str = "") -> str:
    """Write a grid as text, one row per line: ``"00110\\n01001"`` (``sep="\\t"`` gives the
    deck's tab-separated tables). ``parse_grid(format_grid(g))`` gives ``g`` back."""
    grid = as_grid(grid)
    return "\n".join(sep.join(str(v) for v in row) for row in grid)


def as_grid(grid, name: str = "grid") -> np.ndarray:
    """``grid`` checked as a non-empty 2-D array of 0/1; returned as a new int array."""
    array = _checks.as_array(grid, name, (2,), shape_hint="2-D (H, W)")
    if not np.all((array == 0) | (array == 1)):
        bad = array[(array != 0) & (array != 1)][0]
        raise ValueError(f"{name} must contain only 0 and 1, got the value {bad:g}")
    return array.astype(int)


# --- the deck's images ----------------------------------------------------------------------

#: The O of the convolution slides (note its row 2 is not the mirror of row 5's left half:
#: the deck's O is slightly lopsided, and every table depends on it).
DECK_O_8x8 = _constant("00000000 00011000 00101100 01000010 01000010 00101100 00011000 00000000")

#: An X in the same style (a 1-pixel stroke inside a blank 1-pixel frame). The deck's X is a
#: picture lost from the text version of the slides, so this is drawn to match the O.
DECK_X_8x8 = _constant("00000000 01000010 00100100 00011000 00011000 00100100 01000010 00000000")

#: The input of the "neural network representation" slides (kernel [[0,1],[1,0]]).
DECK_5x5 = _constant("00110 01001 10000 10000 01001")

#: The first convolution slide: image · kernel = 4.
DECK_DOT_IMAGE = _constant("101 011 110")
DECK_DOT_KERNEL = _constant("101 010 101")


# --- transformations ------------------------------------------------------------------------


def shift(grid, dr, dc) -> np.ndarray:
    """Move the drawing ``dr`` rows down and ``dc`` columns right (negative: up/left).

    What leaves the grid is lost and what comes in is 0: no wrap-around.
    """
    grid = as_grid(grid)
    dr = _checks.as_int(dr, "dr")
    dc = _checks.as_int(dc, "dc")
    h, w = grid.shape
    moved = np.zeros_like(grid)
    if abs(dr) < h and abs(dc) < w:
        moved[max(dr, 0) : h + min(dr, 0), max(dc, 0) : w + min(dc, 0)] = grid[
            max(-dr, 0) : h + min(-dr, 0), max(-dc, 0) : w + min(-dc, 0)
        ]
    return moved


def flip(grid, axis) -> np.ndarray:
    """Mirror the drawing: ``axis=0`` upside down (rows reversed), ``axis=1`` left-right."""
    grid = as_grid(grid)
    if (
        isinstance(axis, bool | np.bool_)
        or not isinstance(axis, numbers.Integral)
        or axis not in (0, 1)
    ):
        raise ValueError(
            f"axis must be 0 (upside down) or 1 (left-right), got {_checks.describe(axis)}"
        )
    return np.flip(grid, axis=int(axis)).copy()


def rotate90(grid, k=1) -> np.ndarray:
    """Turn the drawing by ``k`` quarter turns counter-clockwise (negative k: clockwise).

    A (H, W) grid becomes (W, H) after an odd number of turns.
    """
    grid = as_grid(grid)
    k = _checks.as_int(k, "k")
    return np.rot90(grid, k).copy()


def thicken(grid) -> np.ndarray:
    """Make every stroke one pixel heavier (the deck's "weight" variation).

    Each inked pixel also inks its right, lower and lower-right neighbours (a 2×2 stamp),
    so a 1-pixel line becomes 2 pixels wide. Pixels are only ever added, never removed.
    """
    grid = as_grid(grid)
    heavier = grid.copy()
    heavier[1:, :] |= grid[:-1, :]
    heavier[:, 1:] |= grid[:, :-1]
    heavier[1:, 1:] |= grid[:-1, :-1]
    return heavier


def invert(grid) -> np.ndarray:
    """Swap ink and paper: 0 ↔ 1."""
    return 1 - as_grid(grid)


def scale(grid, factor) -> np.ndarray:
    """Grow (``factor > 1``) or shrink (``factor < 1``) the drawing about the grid's centre.

    Nearest neighbour, same grid size. Growing asks, for each output pixel, which input
    pixel lies under it; shrinking sends each inked pixel to its new place instead, so thin
    strokes never vanish.
    """
    grid = as_grid(grid)
    factor = _checks.as_real(factor, "factor", positive=True)
    h, w = grid.shape
    centre_r, centre_c = (h - 1) / 2, (w - 1) / 2
    scaled = np.zeros_like(grid)
    if factor >= 1:
        rows, cols = np.indices(grid.shape)
        src_r = _round_away(centre_r + (rows - centre_r) / factor, centre_r)
        src_c = _round_away(centre_c + (cols - centre_c) / factor, centre_c)
        inside = (src_r >= 0) & (src_r < h) & (src_c >= 0) & (src_c < w)
        scaled[inside] = grid[src_r[inside], src_c[inside]]
    else:
        rows, cols = np.nonzero(grid)
        dst_r = _round_away(centre_r + (rows - centre_r) * factor, centre_r)
        dst_c = _round_away(centre_c + (cols - centre_c) * factor, centre_c)
        scaled[dst_r, dst_c] = 1  # shrinking moves pixels towards the centre: always inside
    return scaled


def _round_away(values: np.ndarray, centre: float) -> np.ndarray:
    """Round to the nearest int, halves away from ``centre``: a symmetric rule, so a
    symmetric drawing stays symmetric (rounding all halves up would make it lopsided)."""
    values = np.asarray(values, dtype=float)
    return np.where(values >= centre, np.floor(values + 0.5), np.ceil(values - 0.5)).astype(int)


def _centre_offset(old: int, new: int) -> int:
    """Where the old extent starts in the new one; halves of an odd difference round down."""
    return (new - old) // 2 if new >= old else -((old - new) // 2)


def resize_canvas(grid, size) -> np.ndarray:
    """Centre the drawing on a new ``size``×``size`` canvas, padding with 0 or cropping.

    When the difference is odd the extra row/column is at the bottom/right: added there when
    padding, cut there when cropping (so growing then shrinking back gives the grid back).
    """
    return resize_centred(as_grid(grid), size).astype(int)


def resize_centred(values, size) -> np.ndarray:
    """Any (H, W) array centred on a ``size``×``size`` one, padded with 0 or cropped, as
    ``resize_canvas`` does for drawings (a kernel grown or shrunk about its centre, too).

    values : (H, W) numbers -> (size, size) array of the same dtype
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D array, got shape {values.shape}")
    size = _checks.as_int(size, "size", minimum=1)
    canvas = np.zeros((size, size), dtype=values.dtype)
    h, w = values.shape
    # Where the old array starts in the new one (negative: the old array is cropped).
    top, left = _centre_offset(h, size), _centre_offset(w, size)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + h, size), min(left + w, size)
    canvas[r0:r1, c0:c1] = values[r0 - top : r1 - top, c0 - left : c1 - left]
    return canvas


def random_grid(size, density, rng) -> np.ndarray:
    """A ``size``×``size`` grid whose pixels are inked with probability ``density``.

    rng : a ``np.random.Generator`` (or a seed for ``np.random.default_rng``)
    """
    size = _checks.as_int(size, "size", minimum=1)
    density = _checks.as_real(density, "density")
    if not 0 <= density <= 1:
        raise ValueError(f"density must be between 0 and 1, got {density}")
    if not isinstance(rng, np.random.Generator):
        if isinstance(rng, bool | np.bool_) or not isinstance(rng, numbers.Integral | None):
            raise ValueError(
                "rng must be a numpy Generator (np.random.default_rng(seed)) or an integer "
                f"seed, got {_checks.describe(rng)}"
            )
        rng = np.random.default_rng(rng)
    return (rng.random((size, size)) < density).astype(int)
