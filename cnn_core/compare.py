"""Are two drawings "the same"? Match them pixel by pixel, and after the feature pipeline.

The deck's argument for pooling: a copy of a drawing shifted by one pixel shares few ink
pixels with the original, but after convolution, threshold and max pooling *more non-zero
values are matched*. This module counts those matches; the "Same?" page only shows them.

The measure, used for pixels and feature maps alike::

    match = (cells non-zero in A *and* in B) / (cells non-zero in A *or* in B)

It ignores the cells that are zero in both (an empty background would otherwise make any two
drawings look alike) and does not ask the values to be equal, only both non-zero: it counts
where a feature is found in both drawings. Two all-zero inputs have nothing to match: their
ratio is ``None``, not 0 or 1.

``transformed_copy`` makes the second drawing from the first with the deck's variations
(translation, scaling, rotation, stroke weight).

Shapes: drawings are (H, W); ``kernels`` are one (kh, kw) kernel, a stack (K, kh, kw) or a
list of 2-D kernels of any sizes, each applied on its own to give one feature map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnn_core import _checks, grids, pipeline
from cnn_core.pipeline import PipelineSettings


@dataclass(frozen=True)
class NonzeroMatch:
    """How the non-zero cells of two equally shaped arrays overlap."""

    both: int  # non-zero in A and in B
    only_a: int  # non-zero in A, zero in B
    only_b: int  # zero in A, non-zero in B

    @property
    def either(self) -> int:
        """Cells non-zero in A or in B (the denominator of ``ratio``)."""
        return self.both + self.only_a + self.only_b

    @property
    def ratio(self) -> float | None:
        """``both / either``, or ``None`` when neither array has a non-zero cell."""
        return self.both / self.either if self.either else None

    def __repr__(self) -> str:
        return f"NonzeroMatch(both={self.both}, either={self.either}, ratio={self.ratio})"


def nonzero_match(a, b) -> NonzeroMatch:
    """Count the cells that are non-zero in both ``a`` and ``b`` (any equal shapes)."""
    a = _checks.as_array(a, "a")
    b = _checks.as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape to be compared cell by cell, got {a.shape} "
            f"and {b.shape}"
        )
    in_a, in_b = a != 0, b != 0
    return NonzeroMatch(
        both=int(np.count_nonzero(in_a & in_b)),
        only_a=int(np.count_nonzero(in_a & ~in_b)),
        only_b=int(np.count_nonzero(~in_a & in_b)),
    )


def match_map(a, b) -> np.ndarray:
    """Where the non-zero cells of ``a`` and ``b`` lie, cell by cell, for a picture.

    returns : int array of the shared shape: 0 zero in both, 1 only in A, 2 only in B,
        3 non-zero in both (a match)
    """
    a = _checks.as_array(a, "a")
    b = _checks.as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return (a != 0).astype(int) + 2 * (b != 0).astype(int)


@dataclass(frozen=True)
class FeatureMaps:
    """One drawing after each stage, one 2-D map per kernel (kernels may differ in size)."""

    convolved: tuple[np.ndarray, ...]  # K maps (oh, ow)
    thresholded: tuple[np.ndarray, ...]  # K maps (oh, ow)
    pooled: tuple[np.ndarray, ...]  # K maps (ph, pw)


def as_kernel_list(kernels) -> list[np.ndarray]:
    """One (kh, kw) kernel, a (K, kh, kw) stack, or a sequence of 2-D kernels of any sizes,
    as a list of 2-D float arrays."""
    if isinstance(kernels, list | tuple) and kernels and np.ndim(kernels[0]) == 2:
        return [
            _checks.as_array(kernel, f"kernels[{index}]", (2,), shape_hint="2-D (kh, kw)")
            for index, kernel in enumerate(kernels)
        ]
    stack = _checks.as_array(
        kernels,
        "kernels",
        (2, 3),
        shape_hint="one 2-D (kh, kw) kernel, a stack (K, kh, kw) or a list of 2-D kernels",
    )
    return [stack] if stack.ndim == 2 else list(stack)


def feature_maps(grid, kernels, settings: PipelineSettings | None = None) -> FeatureMaps:
    """Convolve ``grid`` (H, W) with each kernel, threshold, pool (``settings``)."""
    settings = settings or PipelineSettings()
    image = _checks.as_array(grid, "grid", (2,), shape_hint="a 2-D drawing (H, W)")
    each = [pipeline.maps(image, kernel, settings) for kernel in as_kernel_list(kernels)]
    convolved, thresholded, pooled = (tuple(stage) for stage in zip(*each, strict=True))
    return FeatureMaps(convolved, thresholded, pooled)


@dataclass(frozen=True)
class DrawingComparison:
    """Two drawings matched at three stages; the feature-map counts add up all kernels."""

    pixels: NonzeroMatch  # the drawings themselves: ink cells
    thresholded: NonzeroMatch  # after convolution and threshold
    pooled: NonzeroMatch  # after convolution, threshold and pooling
    maps_a: FeatureMaps
    maps_b: FeatureMaps
    per_kernel: tuple[tuple[NonzeroMatch, NonzeroMatch], ...]  # (thresholded, pooled) each


def _total(matches) -> NonzeroMatch:
    return NonzeroMatch(
        both=sum(m.both for m in matches),
        only_a=sum(m.only_a for m in matches),
        only_b=sum(m.only_b for m in matches),
    )


def compare_drawings(a, b, kernels, settings: PipelineSettings | None = None):
    """Match drawings ``a`` and ``b`` (both (H, W)) raw, and after the feature pipeline.

    kernels : one (kh, kw) kernel, a (K, kh, kw) stack or a list of 2-D kernels
    returns : DrawingComparison; its ``pooled`` count is the deck's "more non-zero values are
        matched" when it beats ``pixels``
    """
    a = _checks.as_array(a, "a", (2,), shape_hint="a 2-D drawing (H, W)")
    b = _checks.as_array(b, "b", (2,), shape_hint="a 2-D drawing (H, W)")
    if a.shape != b.shape:
        raise ValueError(
            f"the two drawings must have the same size, got {a.shape[0]}×{a.shape[1]} and "
            f"{b.shape[0]}×{b.shape[1]}"
        )
    maps_a = feature_maps(a, kernels, settings)
    maps_b = feature_maps(b, kernels, settings)
    per_kernel = tuple(
        (nonzero_match(ta, tb), nonzero_match(pa, pb))
        for ta, tb, pa, pb in zip(
            maps_a.thresholded, maps_b.thresholded, maps_a.pooled, maps_b.pooled, strict=True
        )
    )
    return DrawingComparison(
        pixels=nonzero_match(a, b),
        thresholded=_total([t for t, _ in per_kernel]),
        pooled=_total([p for _, p in per_kernel]),
        maps_a=maps_a,
        maps_b=maps_b,
        per_kernel=per_kernel,
    )


# --- the second drawing: a transformed copy of the first --------------------------------------


@dataclass(frozen=True)
class CopyRecipe:
    """How drawing B is made from drawing A; applied in this order: scale, turn, thicken, shift.

    Shifting last keeps a shift exact (one click = one pixel), whatever else was done.
    """

    dr: int = 0  # rows down (negative: up)
    dc: int = 0  # columns right (negative: left)
    factor: float = 1.0  # scale about the centre (grids.scale)
    turns: int = 0  # quarter turns counter-clockwise (grids.rotate90)
    heavier: int = 0  # times the strokes are thickened (grids.thicken)

    def describe(self) -> str:
        """Plain words, e.g. ``"scaled ×1.5, shifted 1 right and 2 up"`` (``"unchanged"``)."""
        parts = []
        if self.factor != 1:
            parts.append(f"scaled ×{self.factor:g}")
        if self.turns % 4:
            parts.append(f"turned {90 * (self.turns % 4)}° counter-clockwise")
        if self.heavier:
            parts.append("thickened" + (f" {self.heavier}×" if self.heavier > 1 else ""))
        moves = []
        if self.dc:
            moves.append(f"{abs(self.dc)} {'right' if self.dc > 0 else 'left'}")
        if self.dr:
            moves.append(f"{abs(self.dr)} {'down' if self.dr > 0 else 'up'}")
        if moves:
            parts.append("shifted " + " and ".join(moves))
        return ", ".join(parts) if parts else "unchanged"


def transformed_copy(grid, recipe: CopyRecipe) -> np.ndarray:
    """Drawing A (H, W) of 0/1 → drawing B following ``recipe``; a new (H, W) int array.

    A quarter turn of a non-square grid would change its shape, so it needs a square grid.
    """
    copy = grids.as_grid(grid)
    if recipe.turns % 4 and recipe.turns % 2 and copy.shape[0] != copy.shape[1]:
        raise ValueError(
            f"turning by 90° needs a square drawing to keep its size, got {copy.shape[0]}×"
            f"{copy.shape[1]}"
        )
    heavier = _checks.as_int(recipe.heavier, "heavier", minimum=0)
    if recipe.factor != 1:
        copy = grids.scale(copy, recipe.factor)
    if recipe.turns % 4:
        copy = grids.rotate90(copy, recipe.turns % 4)
    for _ in range(heavier):
        copy = grids.thicken(copy)
    return grids.shift(copy, recipe.dr, recipe.dc)
