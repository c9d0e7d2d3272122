"""Pictures and words for the "Same?" page: overlays of A and B, match counts as text.

Every number comes from ``cnn_core.compare``; this module only turns it into figures and
sentences.
"""

from __future__ import annotations

import numpy as np

from cnn_core.compare import NonzeroMatch
from playground.ui import widgets

# Okabe–Ito colours, told apart with every common colour-vision deficiency.
ONLY_A_COLOUR = "#56B4E9"  # sky blue
ONLY_B_COLOUR = "#E69F00"  # orange
BOTH_COLOUR = "#009E73"  # bluish green
NEITHER_COLOUR = "#ffffff"

# match_map codes 0 neither, 1 only A, 2 only B, 3 both → a stepwise colour scale on [0, 3].
OVERLAY_SCALE = [
    [0.0, NEITHER_COLOUR],
    [1 / 6, NEITHER_COLOUR],
    [1 / 6, ONLY_A_COLOUR],
    [1 / 2, ONLY_A_COLOUR],
    [1 / 2, ONLY_B_COLOUR],
    [5 / 6, ONLY_B_COLOUR],
    [5 / 6, BOTH_COLOUR],
    [1.0, BOTH_COLOUR],
]
OVERLAY_TEXT = {0: "", 1: "A", 2: "B", 3: "✓"}

LEGEND_HTML = (
    f'<span style="background:{ONLY_A_COLOUR};padding:0 6px">A</span> only in A · '
    f'<span style="background:{ONLY_B_COLOUR};padding:0 6px">B</span> only in B · '
    f'<span style="background:{BOTH_COLOUR};color:white;padding:0 6px">✓</span> in both'
)


def percent(match: NonzeroMatch) -> str:
    """``"17 %"``, or ``"–"`` when neither side has a non-zero cell."""
    return "–" if match.ratio is None else f"{round(100 * match.ratio)} %"


def count_text(match: NonzeroMatch) -> str:
    """``"4 / 24"``: cells non-zero in both over cells non-zero in either."""
    return f"{match.both} / {match.either}"


def points_delta(match: NonzeroMatch, baseline: NonzeroMatch) -> str | None:
    """Percentage points gained over ``baseline`` (the pixels), e.g. ``"+33 points"``."""
    if match.ratio is None or baseline.ratio is None:
        return None
    points = round(100 * match.ratio) - round(100 * baseline.ratio)
    return f"{points:+d} points vs pixels"


def overlay_figure(codes: np.ndarray, *, title: str, cell_px: int) -> dict:
    """A and B on top of each other: ``codes`` from ``cnn_core.compare.match_map`` (H, W)."""
    return widgets.heatmap_figure(
        codes,
        title=title,
        signed=False,
        cell_px=cell_px,
        zmax=3,
        colorscale=OVERLAY_SCALE,
        fmt=lambda v: OVERLAY_TEXT[int(v)],
    )


def match_cells(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int, int, int]]:
    """One (row, col, 1, 1) rectangle per cell non-zero in both maps, to outline matches."""
    rows, cols = np.nonzero((np.asarray(a) != 0) & (np.asarray(b) != 0))
    return [(int(r), int(c), 1, 1) for r, c in zip(rows, cols, strict=True)]


def conclusion(pixels: NonzeroMatch, pooled: NonzeroMatch) -> tuple[str, bool]:
    """The deck's conclusion when the numbers show it, an honest sentence when they do not.

    returns : (markdown sentence, True when pooling matched a larger share than the pixels)
    """
    if pixels.ratio is None or pooled.ratio is None:
        return "Nothing to compare yet: draw something in A and B.", False
    if pooled.ratio > pixels.ratio:
        return (
            f"**More non-zero values are matched!** After pooling {percent(pooled)} of the "
            f"non-zero values match, against {percent(pixels)} of the ink pixels.",
            True,
        )
    return (
        f"Here pooling does not help: {percent(pooled)} of the pooled values match, "
        f"against {percent(pixels)} of the pixels. Try a shift by one pixel, or another "
        "kernel.",
        False,
    )
