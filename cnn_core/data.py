"""Generated X and O drawings with the deck's variations: translation, scaling, rotation, weight.

Most shapes are drawn geometrically on a fine sub-pixel grid (an ellipse for O, two crossing
strokes for X), then area-averaged down to the drawing grid and thresholded, the way a font
renderer turns outlines into pixels. The smallest letters (2–5 px) are drawn cell by cell
instead, the way a hinted font draws text that small. That is why a model trained here also
recognises X/x and O/o/0 printed in real typefaces at 4–8 px, and handwritten zeros, not just
its own drawings.

    X, y = make_xo(400, seed=0)        # X : (400, 8, 8) float32 of 0/1, y : (400,) "X"/"O"
"""

from __future__ import annotations

import numpy as np

__all__ = ["make_xo", "make_xo_split"]

_SUPERSAMPLE = 6  # sub-pixels per pixel side: coverage in steps of 1/36
_MIN_INK = 3  # fewer inked pixels: a hairline vanished; its strongest pixels are kept
# Pixel letters (see `_pixel_letter`): their share of the drawings, on grids up to 16×16 (on a
# larger grid a 5-px letter is a speck, not a letter). Measured with `python -m cnn_core.bench`
# on the font glyphs: with none, the 4 px glyphs (2–3 px lowercase) fell to 0.63–0.91 by seed.
_PIXEL_SHARE = 0.3
_PIXEL_GRID_MAX = 16
# The most an O's top and bottom thin (see `contrast` in `_sample_shapes`). Real 6–8 px O's of
# light and italic faces lose their hairlines; at 0.4 those were most of the default network's
# mistakes on font glyphs. Trained on 1,400 drawings, 0.6 met every accuracy floor of
# `python -m cnn_core.bench` on seeds 0–19 (0.4 with 1,200, the old default: four seeds
# missed one); at 0.75 so many O's break into two arcs that they are hard to tell from X.
_CONTRAST_MAX = 0.6


def make_xo(
    n: int,
    size: int = 8,
    seed: int = 0,
    noise: float = 0.02,
    *,
    binary: bool = True,
    translate: bool = True,
    scale: bool = True,
    rotate: bool = True,
    weight: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Make `n` drawings of X and O, balanced (the counts differ by at most one), shuffled.

    About 30 % of them (with `scale`, on grids up to 16×16) are pixel letters: an x or an o
    2–5 cells across, set cell by cell as a hinted font sets small text.

    size : drawings are size × size (4 to 64).
    seed : the same seed gives the same drawings, bit for bit.
    noise : probability of a stray speck on each background pixel that does not touch the
        shape (0 ≤ noise ≤ 0.5).
    binary : 0/1 pixels as learners draw them; False keeps the grey levels of the area average.
    translate, scale, rotate, weight : the deck's variations; turn one off to see what a
        network learns without it (False: centred, 3/4 of the grid, upright, 1.2 px strokes).

    Returns X : (n, size, size) float32 in [0, 1] and y : (n,) str array of "X" / "O".
    """
    n = _check_int("n", n, low=1)
    size = _check_int("size", size, low=4, high=64)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be a probability between 0 and 0.5, got {noise!r}")
    rng = np.random.default_rng(seed)
    is_x = rng.permutation(n) < (n + 1) // 2  # (n,) balanced, in random order
    shapes = _sample_shapes(is_x, size, rng, translate, scale, rotate, weight)
    # (n, size, size) fraction of each pixel under ink: the pixel letters are inked cell by
    # cell, every other shape is rendered from its outline.
    pixel = (
        (rng.random(n) < _PIXEL_SHARE) if scale and size <= _PIXEL_GRID_MAX else np.zeros(n, bool)
    )
    coverage = np.zeros((n, size, size), dtype=np.float32)
    coverage[pixel] = _pixel_letters(is_x[pixel], size, rng, translate)
    coverage[~pixel] = _render({k: v[~pixel] for k, v in shapes.items()}, size)
    thresholds = rng.uniform(0.3, 0.45, size=(n, 1, 1))  # renderers binarise differently
    ink = coverage > thresholds
    # A hairline can fall between pixel centres and vanish: keep its strongest pixels instead.
    faint = ink.sum(axis=(1, 2)) < _MIN_INK
    if faint.any():
        peak = coverage[faint].max(axis=(1, 2), keepdims=True)
        ink[faint] = coverage[faint] >= 0.5 * peak
    images = ink.astype(np.float32) if binary else coverage.astype(np.float32)
    if noise > 0:
        # Stray specks (a slip of the mouse, dust on a scan) on background pixels that do not
        # touch the shape: flipping a pixel *of* a 4-px letter can turn an x into an o. None
        # beside a pixel letter: a speck is a third of such a letter, and the drawing would be
        # anyone's guess.
        near = _dilate(coverage > 0)
        speck = (rng.random(images.shape) < noise) & ~near & ~pixel[:, None, None]
        images = np.where(speck, 1.0, images).astype(np.float32)
    labels = np.where(is_x, "X", "O")
    return images, labels


def make_xo_split(
    n_train: int = 800,
    n_test: int = 200,
    size: int = 8,
    seed: int = 0,
    noise: float = 0.02,
    **variations: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A training set and an independent held-out test set, each balanced.

    Returns X_train (n_train, size, size), X_test (n_test, size, size), y_train, y_test
    (scikit-learn's `train_test_split` order). Keyword variations go to `make_xo`.
    """
    n_train = _check_int("n_train", n_train, low=1)
    n_test = _check_int("n_test", n_test, low=1)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    # Two child seeds: the test drawings are new shapes, never copies of training ones.
    train_seed, test_seed = (
        int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(2)
    )
    X_train, y_train = make_xo(n_train, size, train_seed, noise, **variations)
    X_test, y_test = make_xo(n_test, size, test_seed, noise, **variations)
    return X_train, X_test, y_train, y_test


def _dilate(mask: np.ndarray) -> np.ndarray:
    """mask : (n, H, W) bool → the mask grown by one pixel in all 8 directions."""
    padded = np.pad(mask, ((0, 0), (1, 1), (1, 1)))
    h, w = mask.shape[1:]
    grown = np.zeros_like(mask)
    for dy in range(3):
        for dx in range(3):
            grown |= padded[:, dy : dy + h, dx : dx + w]
    return grown


def _check_int(name: str, value, *, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


# --- sampling the shapes ------------------------------------------------------------------------
# Every length is in pixels of the final grid; a shape lives in its own frame centred on (0, 0),
# x to the right, y downwards, and is placed by a shear (italics), a rotation and a translation.


def _sample_shapes(is_x, size, rng, translate, scale, rotate, weight) -> dict[str, np.ndarray]:
    n = is_x.size
    u = rng.uniform

    # Glyph height: from a 3 px lowercase letter to the whole grid (handwritten zeros fill it).
    if scale:
        height = size * np.where(u(size=n) < 0.25, u(0.5, 0.65, n), u(0.6, 1.02, n))
    else:
        height = np.full(n, 0.75 * size)
    # Width / height: tall 0-like ovals to wide o's; X from narrow to wide.
    aspect = np.where(is_x, u(0.7, 1.35, n), u(0.5, 1.3, n)) if scale else np.ones(n)
    width = np.minimum(height * aspect, size * 1.02)

    # Stroke weight: hairline to bold, but never so thick that an O closes up into a blob.
    if weight:
        # As in typefaces, weight scales with size: from hairline to bold, 10–22 % of the
        # height for X (bolder, its arms merge into a blob) and 10–30 % for O (pen-drawn
        # zeros are thick).
        stroke = np.maximum(height * u(0.1, np.where(is_x, 0.22, 0.3)), 1.0)
        stroke = np.minimum(stroke, 0.28 * np.minimum(width, height) + 0.35)
    else:
        stroke = np.full(n, 1.2)

    # An O's hole stays at least a pixel across: narrower, it vanishes and a 0 becomes a bar.
    width = np.where(is_x, width, np.maximum(width, 2 * stroke + 1.0))
    height = np.where(is_x, height, np.maximum(height, 2 * stroke + 1.0))

    angle = np.radians(u(-20, 20, n)) if rotate else np.zeros(n)
    shear = u(-0.25, 0.25, n) * (u(size=n) < 0.4)  # italics in 40 % of drawings
    if not rotate:
        shear[:] = 0.0  # a slant is a rotation of sorts: upright only

    # Translation: anywhere the glyph's bounding box fits (a few tenths of a pixel may spill).
    cos, sin = np.abs(np.cos(angle)), np.abs(np.sin(angle))
    half_w = 0.5 * (width * cos + height * sin + np.abs(shear) * height)
    half_h = 0.5 * (width * sin + height * cos)
    if translate:
        slack_x = np.maximum(size / 2 - half_w + 0.3, 0)
        slack_y = np.maximum(size / 2 - half_h + 0.3, 0)
        cx = size / 2 + u(-1, 1, n) * slack_x
        cy = size / 2 + u(-1, 1, n) * slack_y
    else:
        cx = cy = np.full(n, size / 2)

    # O: outer edge of the stroke on the bounding box; some are eggs, some monospace zeros.
    ring_a = width / 2 - stroke / 2
    ring_b = height / 2 - stroke / 2
    wobble = u(-0.12, 0.12, n) * (u(size=n) < 0.5)  # egg / hand-drawn unevenness
    wobble_phase = u(0, 2 * np.pi, n)
    # "0" with a dot inside (DejaVu / Liberation Mono), when the hole has room for one.
    zero_dot = (u(size=n) < 0.08) & (ring_a > 1.4) & (ring_b > 2.2)
    # Contrast: many typefaces give an O thick sides and hairline top and bottom, on a stress
    # axis tilted as a broad pen's; drawn small, the hairlines break up.
    contrast = u(0, _CONTRAST_MAX, n) * (u(size=n) < 0.5) if weight else np.zeros(n)
    stress = u(-0.5, 0.5, n)  # the axis's tilt, in radians

    # X: four arm ends near the box corners; different top and bottom widths move the
    # crossing point up or down; serif faces have one thin diagonal and little feet.
    top = width * u(0.7, 1.15, n)
    bottom = width * u(0.7, 1.15, n)
    scale_box = width / np.maximum(np.maximum(top, bottom), 1e-6)
    top, bottom = top * scale_box, bottom * scale_box
    jitter = u(-0.07, 0.07, (n, 4, 2)) * height[:, None, None]
    if not scale:
        top = bottom = width
        jitter[:] = 0.0
    ends = np.stack(
        [
            np.stack([-top / 2, -height / 2], 1),  # top-left
            np.stack([bottom / 2, height / 2], 1),  # bottom-right
            np.stack([top / 2, -height / 2], 1),  # top-right
            np.stack([-bottom / 2, height / 2], 1),  # bottom-left
        ],
        axis=1,
    )  # (n, 4, 2)
    ends = ends + jitter
    ends[:, :, 1] = np.clip(ends[:, :, 1], -height[:, None] / 2, height[:, None] / 2)
    serif = (u(size=n) < 0.3) & (height > 0.7 * size)  # feet need room
    thin = stroke * np.where(serif | (u(size=n) < 0.3), u(0.45, 1.0, n), 1.0)
    thin = np.maximum(thin, 0.9)
    if not weight:
        serif[:], thin = False, stroke
    serif_len = width * u(0.25, 0.45, n)
    return dict(
        is_x=is_x,
        cx=cx,
        cy=cy,
        angle=angle,
        shear=shear,
        stroke=stroke,
        thin=thin,
        ring_a=ring_a,
        ring_b=ring_b,
        wobble=wobble,
        wobble_phase=wobble_phase,
        zero_dot=zero_dot,
        contrast=contrast,
        stress=stress,
        ends=ends,
        serif=serif,
        serif_len=serif_len,
    )


# --- drawing them -------------------------------------------------------------------------------


def _render(s: dict[str, np.ndarray], size: int) -> np.ndarray:
    """Ink coverage of every pixel, (n, size, size) in [0, 1], by supersampling."""
    n = s["is_x"].size
    fine = size * _SUPERSAMPLE
    centres = (np.arange(fine, dtype=np.float32) + 0.5) / _SUPERSAMPLE  # sub-pixel centres
    px, py = np.meshgrid(centres, centres)  # (fine, fine), x across, y down
    ink = np.zeros((n, fine, fine), dtype=bool)
    for which, draw in ((s["is_x"], _draw_x), (~s["is_x"], _draw_o)):
        if not which.any():
            continue
        part = {k: v[which] for k, v in s.items()}
        # Into each shape's own frame: undo translation, rotation, then the italic shear.
        dx = px[None] - part["cx"][:, None, None].astype(np.float32)
        dy = py[None] - part["cy"][:, None, None].astype(np.float32)
        c = np.cos(part["angle"])[:, None, None].astype(np.float32)
        si = np.sin(part["angle"])[:, None, None].astype(np.float32)
        qx, qy = c * dx + si * dy, -si * dx + c * dy
        qx = qx + part["shear"][:, None, None].astype(np.float32) * qy
        ink[which] = draw(qx, qy, part)
    blocks = ink.reshape(n, size, _SUPERSAMPLE, size, _SUPERSAMPLE)
    return blocks.sum(axis=(2, 4), dtype=np.float32) / _SUPERSAMPLE**2


def _col(values: np.ndarray) -> np.ndarray:
    """(m,) per-shape values as (m, 1, 1) float32, to broadcast against (m, fine, fine)."""
    return values[:, None, None].astype(np.float32)


def _draw_o(qx: np.ndarray, qy: np.ndarray, p: dict) -> np.ndarray:
    """Ring around an ellipse: |distance to the curve| < half the stroke (first-order
    distance); the stroke thins from the sides towards the top and bottom by its contrast."""
    a, b = _col(p["ring_a"]), _col(p["ring_b"])
    phi = np.arctan2(qy * a, qx * b)
    radius = 1 + _col(p["wobble"]) * np.sin(2 * phi + _col(p["wobble_phase"]))
    a, b = a * radius, b * radius
    f = (qx / a) ** 2 + (qy / b) ** 2 - 1
    grad = 2 * np.sqrt((qx / a**2) ** 2 + (qy / b**2) ** 2) + 1e-6
    thinning = 1 - _col(p["contrast"]) * np.sin(phi - _col(p["stress"])) ** 2
    ink = np.abs(f) / grad < _col(p["stroke"]) * thinning / 2
    dot = _col(p["zero_dot"].astype(np.float32)) > 0
    dot_r = np.minimum(0.5, 0.3 * np.minimum(a, b))
    return ink | (dot & (qx**2 + qy**2 < dot_r**2))


def _draw_x(qx: np.ndarray, qy: np.ndarray, p: dict) -> np.ndarray:
    """Two crossing strokes (one may be thinner), with serifs on some."""
    ends = p["ends"].astype(np.float32)  # (m, 4, 2): top-left, bottom-right, top-right, bottom-left
    thick, thin = _col(p["stroke"]) / 2, _col(p["thin"]) / 2
    ink = _segment_distance(qx, qy, ends[:, 0], ends[:, 1]) < thick
    ink |= _segment_distance(qx, qy, ends[:, 2], ends[:, 3]) < thin
    has_serif = _col(p["serif"].astype(np.float32)) > 0
    half = p["serif_len"][:, None].astype(np.float32) / 2
    feet = np.zeros_like(ink)
    for corner in range(4):
        end = ends[:, corner]
        left = end - np.concatenate([half, np.zeros_like(half)], axis=1)
        right = end + np.concatenate([half, np.zeros_like(half)], axis=1)
        feet |= _segment_distance(qx, qy, left, right) < thin
    return ink | (has_serif & feet)


def _segment_distance(qx, qy, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Distance from every point to the segment start→end; start, end : (m, 2)."""
    ax, ay = _col(start[:, 0]), _col(start[:, 1])
    bx, by = _col(end[:, 0]), _col(end[:, 1])
    ex, ey = bx - ax, by - ay
    t = ((qx - ax) * ex + (qy - ay) * ey) / (ex * ex + ey * ey + 1e-9)
    t = np.clip(t, 0, 1)
    return np.hypot(qx - ax - t * ex, qy - ay - t * ey)


# --- pixel letters ------------------------------------------------------------------------------
# Text 2–5 px tall is not a small outline: a hinted font sets it cell by cell, and an outline
# area-averaged that small blurs into a blob. So a share of the drawings are such letters.


def _pixel_letters(is_x: np.ndarray, size: int, rng, translate: bool) -> np.ndarray:
    """One pixel letter per entry of `is_x` (m,), placed on an empty grid: (m, size, size)."""
    out = np.zeros((is_x.size, size, size), dtype=np.float32)
    for i, x in enumerate(is_x):
        cells = _pixel_letter(bool(x), size, rng)
        h, w = cells.shape
        if translate:
            top, left = int(rng.integers(0, size - h + 1)), int(rng.integers(0, size - w + 1))
        else:
            top, left = (size - h) // 2, (size - w) // 2
        out[i, top : top + h, left : left + w] = cells
    return out


def _pixel_letter(is_x: bool, size: int, rng) -> np.ndarray:
    """An x or an o 2–5 cells tall and wide (at most the grid), as a bool (h, w) array.

    The two letters never make the same pattern. Two cells wide, an x zigzags
    (`_narrow_x`) while an o is a solid bar 3 tall; only an o is 2 tall (`#.#/#.#`, a ring
    whose hairline top and bottom are lost); and from 3 wide an o is a ring, an x two
    crossing diagonals.
    """
    big = min(5, size)
    if is_x:
        w = int(rng.integers(2, big + 1))
        if w == 2:
            return _narrow_x(int(rng.integers(3, min(4, size) + 1)), rng)
        return _pixel_x(int(rng.integers(3, big + 1)), w, rng)
    h = int(rng.integers(2, big + 1))
    return _pixel_o(h, int(rng.integers(2 if h == 3 else 3, big + 1)), rng)


def _pixel_o(h: int, w: int, rng) -> np.ndarray:
    """A ring of cells: corners cut (rounded), the top and bottom lost (contrast), or one
    corner pushed inwards (a tilted stress)."""
    cells = np.zeros((h, w), dtype=bool)
    cells[[0, -1], :] = True
    cells[:, [0, -1]] = True
    if w >= 3 and rng.random() < 0.25:
        if h >= 4 and rng.random() < 0.5:  # round: all four corners cut
            cells[[0, 0, -1, -1], [0, -1, 0, -1]] = False
        else:  # contrast: only the two stems are left
            cells[[0, -1], 1:-1] = False
        return cells
    if h >= 3 and w >= 3:
        cut = 0.6 if min(h, w) >= 4 else 0.3
        for r, c in ((0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1)):
            if rng.random() < cut:
                cells[r, c] = False
    if min(h, w) >= 3 and rng.random() < 0.25:  # stress: top-left or bottom-right moves in
        top_left = rng.random() < 0.5
        cells[(0, 0) if top_left else (h - 1, w - 1)] = False
        if min(h, w) >= 4:
            cells[(1, 1) if top_left else (h - 2, w - 2)] = True
    return cells


def _pixel_x(h: int, w: int, rng) -> np.ndarray:
    """Two 8-connected diagonals corner to corner: plain, with serifs (each end one cell
    wider), with a bold 2×2 crossing, or italic (the top row one cell to the right)."""
    cells = np.zeros((h, w), dtype=bool)
    _diagonal(cells, 0, 0, h - 1, w - 1)
    _diagonal(cells, 0, w - 1, h - 1, 0)
    style = rng.random()
    if style < 0.2 and w >= 3:  # feet: each arm's end one cell wider (a full row if narrow)
        for row in (0, -1):
            cells[row] |= np.convolve(cells[row], [1, 1, 1], mode="same") > 0
    elif style < 0.35 and h >= 4 and w % 2 == 0:
        cells[h // 2 - 1 : h // 2 + 1, w // 2 - 1 : w // 2 + 1] = True
    elif style < 0.55 and w >= 3:
        top = cells[0].copy()
        cells[0] = False
        cells[0, 1:] = top[:-1]  # the top-left end moves in; its row is never empty
    return cells


def _diagonal(cells: np.ndarray, r0: int, c0: int, r1: int, c1: int) -> None:
    """Ink the cells of an 8-connected line from (r0, c0) to (r1, c1), halves rounded up."""
    steps = max(abs(r1 - r0), abs(c1 - c0), 1)
    for t in range(steps + 1):
        r = r0 + (r1 - r0) * t / steps
        c = c0 + (c1 - c0) * t / steps
        cells[int(np.floor(r + 0.5)), int(np.floor(c + 0.5))] = True


def _narrow_x(h: int, rng) -> np.ndarray:
    """An x squeezed into 2 columns: its strokes zigzag, each row unlike the next
    (`##/#./##`, `#./##/.#`). An o that narrow is a solid bar, so the two never meet."""
    rows = np.array([[1, 0], [0, 1], [1, 1]], dtype=bool)
    while True:
        picks = rng.integers(0, 3, size=h)
        if (picks[1:] != picks[:-1]).all():  # so never `##` throughout
            return rows[picks]
