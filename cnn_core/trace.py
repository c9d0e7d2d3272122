"""What explains one output number: the window, the products, their sum, the winner.

The full operations in ``ops.py`` compute every cell at once; the traces here recompute one
cell the slow, visible way, as the deck's step-by-step frames do, so the playground can
highlight the window and write out ``(-1)×0 + (-1)×0 + 1×0 + … = -1``. Tests check that a
trace's number equals the full operation's cell for every cell.

Max-pooling ties: when several cells of a window hold the maximum, the *first one in
row-major order* (top row first, then left to right) is the winner, as ``np.argmax`` picks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnn_core import _checks
from cnn_core.ops import (
    POOL_MODES,
    conv_output_shape,
    padding_amounts,
    pool_output_shape,
)


def format_number(value) -> str:
    """A number as the deck writes it: ``-1`` not ``-1.0``; otherwise up to 3 decimals.

    Values within rounding noise of a whole number (``2.9999999999``) print as that number;
    ``-0`` prints as ``0``.
    """
    value = float(value)
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _term(value) -> str:
    """A factor in a formula: negative numbers in parentheses, as in ``(-1)×0``."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def _join(terms: list[str], max_terms: int | None) -> str:
    """``a + b + c``, elided to ``a + b + … + z`` when there are more than ``max_terms``."""
    if max_terms is not None and len(terms) > max_terms:
        terms = [*terms[: max(max_terms - 1, 1)], "…", terms[-1]]
    return " + ".join(terms)


def _check_cell(row, col, out_hw: tuple[int, int]) -> tuple[int, int]:
    """``row, col`` as ints inside the output grid (no negative indexing)."""
    oh, ow = out_hw
    row = _checks.as_int(row, "row", minimum=0)
    col = _checks.as_int(col, "col", minimum=0)
    if row >= oh:
        raise ValueError(
            f"row must be between 0 and {oh - 1} (the output has {oh} rows), got {row}"
        )
    if col >= ow:
        raise ValueError(
            f"col must be between 0 and {ow - 1} (the output has {ow} columns), got {col}"
        )
    return row, col


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class ConvTrace:
    """One output cell of ``conv2d``, taken apart.

    row, col : the output cell
    top, left : the window's top-left corner in *unpadded* input coordinates (negative when
        the window hangs over the zero padding)
    window : (kh, kw) or (C, kh, kw), the input values under the kernel (0 over padding)
    kernel : same shape as window
    products : window × kernel, element by element
    channel_sums : (C,) sum of the products per channel; (1,) for a 2-D input
    total : the output value, ``channel_sums.sum()``, equal to ``conv2d(...)[row, col]``
    """

    row: int
    col: int
    top: int
    left: int
    window: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    total: float

    def formula(self, max_terms: int | None = None) -> str:
        """The deck's sum written out: ``"(-1)×0 + (-1)×0 + 1×0 + … = -1"``.

        Each term is kernel value × input value, in row-major order. For several channels each
        channel's terms are grouped in parentheses. ``max_terms`` elides long sums per channel.
        """
        kernels = self.kernel.reshape(len(self.channel_sums), -1)
        windows = self.window.reshape(len(self.channel_sums), -1)
        groups = [
            _join([f"{_term(k)}×{_term(v)}" for k, v in zip(ks, vs, strict=True)], max_terms)
            for ks, vs in zip(kernels, windows, strict=True)
        ]
        body = groups[0] if len(groups) == 1 else " + ".join(f"({g})" for g in groups)
        return f"{body} = {format_number(self.total)}"

    @property
    def highlight(self) -> tuple[int, int, int, int]:
        """``(top, left, h, w)`` of the window in input coordinates, for drawing the frame."""
        return self.top, self.left, self.window.shape[-2], self.window.shape[-1]


@dataclass(frozen=True, eq=False)
class PoolTrace:
    """One output cell of ``pool2d``, taken apart.

    row, col : the output cell
    top, left : the window's top-left corner in x
    window : (size, size), the values pooled
    value : the pooled number, equal to ``pool2d(...)[row, col]``
    winner : for "max", ``(r, c)`` in x coordinates of the cell that gave the maximum (ties:
        the first in row-major order); ``None`` for "avg" and "lp"
    mode, p : the pooling used
    """

    row: int
    col: int
    top: int
    left: int
    window: np.ndarray
    value: float
    winner: tuple[int, int] | None
    mode: str
    p: float

    def formula(self) -> str:
        """``"max(0, 0, 0, 3) = 3"``, ``"(0 + 0 + 1 + 3) / 4 = 1"`` or
        ``"(0^2 + 0^2 + 1^2 + 3^2)^(1/2) = 3.162"``."""
        values = [format_number(v) for v in self.window.ravel()]
        result = format_number(self.value)
        if self.mode == "max":
            return f"max({', '.join(values)}) = {result}"
        if self.mode == "avg":
            terms = " + ".join(_term(v) for v in self.window.ravel())
            return f"({terms}) / {self.window.size} = {result}"
        p = format_number(self.p)
        # |x| matters only for negative x; the deck's maps after threshold are non-negative.
        terms = " + ".join(f"|{v}|^{p}" if v.startswith("-") else f"{v}^{p}" for v in values)
        return f"({terms})^(1/{p}) = {result}"

    @property
    def highlight(self) -> tuple[int, int, int, int]:
        """``(top, left, h, w)`` of the window in x, for drawing the frame."""
        return self.top, self.left, self.window.shape[0], self.window.shape[1]


def conv_trace(image, kernel, row, col, padding="valid", stride=1) -> ConvTrace:
    """Explain ``conv2d(image, kernel, padding, stride)[row, col]``.

    image : (H, W) or (C, H, W); kernel : (kh, kw) or (C, kh, kw), as for ``conv2d``
    row, col : the output cell, 0 ≤ row < oh, 0 ≤ col < ow
    """
    stack, kernels = _checks.image_and_kernel(image, kernel)  # (C, H, W), (C, kh, kw)
    _, h, w = stack.shape
    kh, kw = kernels.shape[1:]
    out_hw = conv_output_shape((h, w), (kh, kw), padding, stride)
    row, col = _check_cell(row, col, out_hw)
    ph, pw = padding_amounts(padding, (kh, kw))
    top, left = row * int(stride) - ph, col * int(stride) - pw

    # Cut the window from the unpadded image; the part over the padding stays 0.
    window = np.zeros_like(kernels)
    # A window may lie wholly on the padding: clamp so the slices are empty, never negative
    # (a negative end would wrap around to the far side of the image).
    r0, c0 = min(max(top, 0), h), min(max(left, 0), w)
    r1, c1 = max(min(top + kh, h), r0), max(min(left + kw, w), c0)
    window[:, r0 - top : r1 - top, c0 - left : c1 - left] = stack[:, r0:r1, c0:c1]

    products = window * kernels
    channel_sums = products.sum(axis=(1, 2))
    _checks.finite_result(np.append(products, channel_sums.sum()), "the convolution")
    squeeze = np.ndim(image) == 2
    return ConvTrace(
        row=row,
        col=col,
        top=top,
        left=left,
        window=_readonly(window[0] if squeeze else window),
        kernel=_readonly(kernels[0] if squeeze else kernels),
        products=_readonly(products[0] if squeeze else products),
        channel_sums=_readonly(channel_sums),
        total=float(channel_sums.sum()),
    )


def pool_trace(x, row, col, size=2, stride=None, mode="max", p=2.0) -> PoolTrace:
    """Explain ``pool2d(x, size, stride, mode, p)[row, col]``.

    x : (H, W), one feature map (for a (C, H, W) stack, trace one channel: ``x[c]``)
    row, col : the output cell, 0 ≤ row < oh, 0 ≤ col < ow
    """
    array = _checks.as_array(
        x, "x", (2,), shape_hint="2-D (H, W): one feature map (trace x[c] for a stack)"
    )
    mode = _checks.as_choice(mode, "mode", POOL_MODES)
    p = _checks.as_real(p, "p", positive=True)
    size = _checks.as_int(size, "size", minimum=1)
    stride = size if stride is None else _checks.as_int(stride, "stride", minimum=1)
    out_hw = pool_output_shape(array.shape, size, stride)
    row, col = _check_cell(row, col, out_hw)
    top, left = row * stride, col * stride
    window = array[top : top + size, left : left + size]

    winner = None
    if mode == "max":
        # argmax returns the first maximum in row-major order: that is the tie rule.
        flat = int(np.argmax(window))
        r, c = divmod(flat, size)
        winner = (top + r, left + c)
        value = float(window[r, c])
    elif mode == "avg":
        value = float(window.sum() / window.size)
    else:
        magnitude = np.abs(window)
        largest = float(magnitude.max())
        value = (
            0.0
            if largest == 0
            else largest * float(((magnitude / largest) ** p).sum()) ** (1.0 / p)
        )
    _checks.finite_result(value, "the pooling")
    return PoolTrace(
        row=row,
        col=col,
        top=top,
        left=left,
        window=_readonly(window),
        value=value,
        winner=winner,
        mode=mode,
        p=p,
    )
