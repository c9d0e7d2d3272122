"""Slow, obvious references for the tests: plain loops that read like the deck's formulas.

Nothing here is vectorised on purpose. Each function does the arithmetic one number at a time
so that a reader can check it against the lecture by eye; the fast code in ``cnn_core`` is
tested against these. Only Python lists/loops and NumPy for storage.
"""

from __future__ import annotations

import numpy as np


def padding_amounts(padding, kh: int, kw: int) -> tuple[int, int]:
    """Zero rows/columns added on each side, as the lecture's "same" picture does it."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        return (kh - 1) // 2, (kw - 1) // 2
    return padding, padding


def zero_pad(image: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """(C, H, W) → (C, H + 2ph, W + 2pw), copying pixel by pixel into a zero canvas."""
    channels, h, w = image.shape
    padded = np.zeros((channels, h + 2 * ph, w + 2 * pw))
    for c in range(channels):
        for r in range(h):
            for q in range(w):
                padded[c, r + ph, q + pw] = image[c, r, q]
    return padded


def conv2d_loop(image, kernel, padding="valid", stride=1) -> np.ndarray:
    """``(I*K)_xy = Σ_channel Σ_i Σ_j K_ij · I_{x·s+i, y·s+j}`` (0-based), one cell at a time."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim == 2:
        image, kernel = image[None], kernel[None]
    channels, kh, kw = kernel.shape
    ph, pw = padding_amounts(padding, kh, kw)
    padded = zero_pad(image, ph, pw)
    out_h = (padded.shape[1] - kh) // stride + 1
    out_w = (padded.shape[2] - kw) // stride + 1
    out = np.zeros((out_h, out_w))
    for x in range(out_h):
        for y in range(out_w):
            total = 0.0
            for c in range(channels):
                for i in range(kh):
                    for j in range(kw):
                        total += kernel[c, i, j] * padded[c, x * stride + i, y * stride + j]
            out[x, y] = total
    return out


def pool2d_loop(x, size=2, stride=None, mode="max", p=2.0) -> np.ndarray:
    """Each size×size window (starting every ``stride`` cells, incomplete ones dropped)."""
    x = np.asarray(x, dtype=float)
    stride = size if stride is None else stride
    stack = x if x.ndim == 3 else x[None]
    channels, h, w = stack.shape
    out_h = (h - size) // stride + 1
    out_w = (w - size) // stride + 1
    out = np.zeros((channels, out_h, out_w))
    for c in range(channels):
        for r in range(out_h):
            for q in range(out_w):
                values = [
                    stack[c, r * stride + i, q * stride + j]
                    for i in range(size)
                    for j in range(size)
                ]
                if mode == "max":
                    out[c, r, q] = max(values)
                elif mode == "avg":
                    out[c, r, q] = sum(values) / len(values)
                else:
                    out[c, r, q] = sum(abs(v) ** p for v in values) ** (1 / p)
    return out if x.ndim == 3 else out[0]


def conv_matrix_loop(kernel, input_shape, padding="valid", stride=1) -> np.ndarray:
    """The weight matrix built neuron by neuron: row = output cell, column = input pixel."""
    kernel = np.asarray(kernel, dtype=float)
    if len(input_shape) == 2:
        input_shape, kernel = (1, *input_shape), kernel[None]
    channels, h, w = input_shape
    _, kh, kw = kernel.shape
    ph, pw = padding_amounts(padding, kh, kw)
    out_h = (h + 2 * ph - kh) // stride + 1
    out_w = (w + 2 * pw - kw) // stride + 1
    matrix = np.zeros((out_h * out_w, channels * h * w))
    for x in range(out_h):
        for y in range(out_w):
            neuron = x * out_w + y
            for c in range(channels):
                for i in range(kh):
                    for j in range(kw):
                        r = x * stride + i - ph
                        q = y * stride + j - pw
                        if 0 <= r < h and 0 <= q < w:
                            matrix[neuron, c * h * w + r * w + q] = kernel[c, i, j]
    return matrix


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function ``f`` at ``x`` (any shape).

    ``(f(x + eps·e) - f(x - eps·e)) / (2·eps)`` for every element e; ``x`` is restored.
    """
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        plus = f(x)
        x[index] = saved - eps
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad
