"""Hand-made kernels ("designed by EXPERTS!!", as the deck says) to start from.

Every preset has a plain-words description a learner can read next to the numbers. Keys are
the names shown in the playground; ``preset(name)`` hands out a copy to edit.

Remember the convolution is cross-correlation (no flip): a kernel's +1 cells light up where
the image has ink in the same pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Preset:
    """A named kernel. ``values`` : (kh, kw) float array, read-only (use ``preset()``)."""

    name: str
    values: np.ndarray
    description: str

    def __repr__(self) -> str:
        return f"Preset({self.name!r}, {self.values.tolist()})"


def _make(name: str, rows, description: str) -> Preset:
    values = np.array(rows, dtype=np.float64)
    values.flags.writeable = False  # shared by every session: nobody may change it in place
    return Preset(name, values, description)


_ALL = [
    _make(
        "deck diagonal \\",
        [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]],
        "Finds strokes running from top-left to bottom-right (\\). The +1s follow that "
        "diagonal and the -1s punish ink anywhere else, so only a clean \\ scores 3.",
    ),
    _make(
        "deck diagonal /",
        [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]],
        "The lecture's kernel: finds strokes running from bottom-left to top-right (/). "
        "The +1s follow that diagonal; ink elsewhere in the window lowers the score.",
    ),
    _make(
        "horizontal line",
        [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
        "The lecture's horizontal-line kernel: high where the row above is inked and the "
        "row below is empty, i.e. just under a horizontal stroke (its bottom edge).",
    ),
    _make(
        "vertical line",
        [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
        "The same idea turned on its side: high where the column on the left is inked and "
        "the column on the right is empty, i.e. just right of a vertical stroke.",
    ),
    _make(
        "edges (Laplacian)",
        [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
        "Compares a pixel with its four neighbours: 0 on flat areas (all ink or all empty), "
        "positive on the rim of a shape. It outlines drawings.",
    ),
    _make(
        "Sobel x",
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        "Measures how fast the image gets brighter from left to right: positive on a "
        "stroke's left side, negative on its right side. Finds vertical edges.",
    ),
    _make(
        "Sobel y",
        [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "Measures how fast the image gets brighter from top to bottom: positive on a "
        "stroke's upper side, negative on its lower side. Finds horizontal edges.",
    ),
    _make(
        "identity",
        [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "Copies each pixel unchanged: only the centre weight is 1. A good check that the "
        "convolution does what you think.",
    ),
    _make(
        "box blur",
        np.full((3, 3), 1 / 9),
        "Replaces each pixel with the average of its 3×3 neighbourhood, so strokes get "
        "softer and wider.",
    ),
    _make(
        "sharpen",
        [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "The pixel itself plus the edge detector: keeps the drawing and makes its edges "
        "stand out more.",
    ),
    _make(
        "deck 2×2",
        [[0, 1], [1, 0]],
        "The 2×2 kernel of the lecture's neural-network example: adds the top-right and "
        "bottom-left pixels of each window, so it finds short / diagonals.",
    ),
    _make(
        "deck 3×3 X",
        [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
        "The kernel of the lecture's first dot product: an X shape. It counts the inked "
        "pixels on both diagonals of the window (the lecture's example scores 4).",
    ),
]

PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}


def preset(name: str) -> np.ndarray:
    """A writable copy of the preset's values: ``(kh, kw)`` float array."""
    if not isinstance(name, str) or name not in PRESETS:
        known = ", ".join(repr(key) for key in PRESETS)
        raise ValueError(f"name must be one of the preset kernels ({known}), got {name!r}")
    return PRESETS[name].values.copy()
