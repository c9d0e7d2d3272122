"""The operations of the lecture: convolution, threshold, pooling, convolution as a matrix.

NumPy only, vectorised (no Python loop per output cell). Shapes follow the deck:

* ``image`` : (H, W) or (C, H, W)
* ``kernel`` : (kh, kw) or (C, kh, kw); a multi-channel convolution sums over channels
* feature maps : (oh, ow)

The convolution is the deck's cross-correlation, with no kernel flip::

    (I * K)_xy = sum_i sum_j K_ij · I_{x+i-1, y+j-1}

so output cell (x, y) is the dot product of the kernel with the window whose top-left corner
is input cell (x·stride, y·stride) of the (padded) input.

Every function raises ``ValueError`` naming the bad argument, what it was, and what is allowed.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_core import _checks

POOL_MODES = ("max", "avg", "lp")


# --- shapes and padding ---------------------------------------------------------------------


def padding_amounts(padding, kernel_hw: tuple[int, int]) -> tuple[int, int]:
    """Zero rows and zero columns added on *each* side: ``(ph, pw)``.

    ``"valid"`` adds none; ``"same"`` adds ``(k - 1) / 2`` so that a stride-1 output has the
    input's size, which needs odd kernel sizes (an even kernel has no centre cell, so the
    padding could not be split equally between the two sides); an int n adds n everywhere.
    """
    padding = _checks.as_padding(padding)
    kh, kw = kernel_hw
    if padding == "valid":
        return 0, 0
    if padding == "same":
        if kh % 2 == 0 or kw % 2 == 0:
            raise ValueError(
                f"padding 'same' needs odd kernel sizes (the kernel's centre cell sits on "
                f"the input cell), got a {kh}×{kw} kernel; use 'valid' or an integer padding"
            )
        return (kh - 1) // 2, (kw - 1) // 2
    return padding, padding


def conv_output_shape(input_hw, kernel_hw, padding="valid", stride=1) -> tuple[int, int]:
    """Feature-map size ``(oh, ow)`` for an input of size ``input_hw = (H, W)``.

    ``oh = (H + 2·ph - kh) // stride + 1`` (likewise ``ow``): windows that would hang past the
    padded input are not computed. Raises ``ValueError`` when not even one window fits.
    """
    h, w = _checks.as_shape(input_hw, "input_hw", (2,), "a pair (H, W)")
    kh, kw = _checks.as_shape(kernel_hw, "kernel_hw", (2,), "a pair (kh, kw)")
    stride = _checks.as_int(stride, "stride", minimum=1)
    ph, pw = padding_amounts(padding, (kh, kw))
    padded_h, padded_w = h + 2 * ph, w + 2 * pw
    if kh > padded_h or kw > padded_w:
        raise ValueError(
            f"kernel of size {kh}×{kw} is larger than the padded input "
            f"({padded_h}×{padded_w} = {h}×{w} plus padding {padding!r}): no window fits; "
            "use a smaller kernel or more padding"
        )
    return (padded_h - kh) // stride + 1, (padded_w - kw) // stride + 1


def pool_output_shape(input_hw, size=2, stride=None) -> tuple[int, int]:
    """Pooled size ``(oh, ow)``: ``(H - size) // stride + 1``; windows that do not fit are
    dropped. ``stride=None`` means ``stride = size`` (windows side by side, no overlap)."""
    h, w = _checks.as_shape(input_hw, "input_hw", (2,), "a pair (H, W)")
    size = _checks.as_int(size, "size", minimum=1)
    stride = size if stride is None else _checks.as_int(stride, "stride", minimum=1)
    if size > h or size > w:
        raise ValueError(
            f"size {size} is larger than the input ({h}×{w}): no {size}×{size} pooling "
            "window fits; use a smaller size"
        )
    return (h - size) // stride + 1, (w - size) // stride + 1


def pad_image(image, padding, kernel_shape) -> np.ndarray:
    """The zero-padded image, as the convolution sees it.

    image : (H, W) or (C, H, W)
    kernel_shape : (kh, kw) or (C, kh, kw); only (kh, kw) matters (it sizes "same" padding)
    returns : (H + 2·ph, W + 2·pw) or (C, H + 2·ph, W + 2·pw), float
    """
    array = _checks.as_array(image, "image", (2, 3), shape_hint="2-D (H, W) or 3-D (C, H, W)")
    shape = _checks.as_shape(
        kernel_shape, "kernel_shape", (2, 3), "a shape (kh, kw) or (C, kh, kw)"
    )
    ph, pw = padding_amounts(padding, shape[-2:])
    spatial = ((ph, ph), (pw, pw))
    return np.pad(array, ((0, 0), *spatial) if array.ndim == 3 else spatial)


# --- the operations -------------------------------------------------------------------------


def _windows(stack: np.ndarray, window_hw: tuple[int, int], stride: int) -> np.ndarray:
    """Every window of a (C, H, W) stack, as a read-only view (C, oh, ow, wh, ww).

    ``sliding_window_view`` gives all windows at stride 1 without copying; taking every
    ``stride``-th one gives exactly ``(H - wh) // stride + 1`` per axis.
    """
    views = sliding_window_view(stack, window_hw, axis=(1, 2))
    return views[:, ::stride, ::stride]


def conv2d(image, kernel, padding="valid", stride=1) -> np.ndarray:
    """Convolve (cross-correlate, as the deck does) an image with one kernel.

    image : (H, W) or (C, H, W)
    kernel : (kh, kw) for a 2-D image, (C, kh, kw) for a (C, H, W) image (same C)
    padding : "valid" (none), "same" (output size = input size at stride 1; odd kernels
        only) or an int n ≥ 0 of zero rows/columns on every side
    stride : int ≥ 1, step of the window in both directions
    returns : (oh, ow) float array; a multi-channel convolution sums over channels
    """
    stack, kernels = _checks.image_and_kernel(image, kernel)  # (C, H, W), (C, kh, kw)
    kh, kw = kernels.shape[1:]
    conv_output_shape(stack.shape[1:], (kh, kw), padding, stride)  # refuses what cannot fit
    ph, pw = padding_amounts(padding, (kh, kw))
    padded = np.pad(stack, ((0, 0), (ph, ph), (pw, pw)))
    windows = _windows(padded, (kh, kw), int(stride))  # (C, oh, ow, kh, kw)
    return _checks.finite_result(np.einsum("cxyij,cij->xy", windows, kernels), "the convolution")


def threshold(x, t=0.0) -> np.ndarray:
    """The deck's threshold: keep ``x`` where ``x > t``, else 0. With ``t = 0`` this is ReLU.

    x : any non-empty shape; returns a float array of the same shape
    """
    array = _checks.as_array(x, "x")
    t = _checks.as_real(t, "t")
    return np.where(array > t, array, 0.0)


def pool2d(x, size=2, stride=None, mode="max", p=2.0) -> np.ndarray:
    """Subsample each ``size``×``size`` window into one number.

    x : (H, W) or (C, H, W); channels are pooled separately
    size : int ≥ 1, the window's side
    stride : int ≥ 1, or None for ``stride = size``; windows that do not fit are dropped
    mode : "max", "avg" (mean) or "lp" (``(Σ |x|^p)^(1/p)``, as
        ``torch.nn.functional.lp_pool2d`` for non-negative x)
    p : float > 0, the exponent of "lp" (ignored otherwise, but still checked)
    returns : (oh, ow) or (C, oh, ow) float array
    """
    array = _checks.as_array(x, "x", (2, 3), shape_hint="2-D (H, W) or 3-D (C, H, W)")
    mode = _checks.as_choice(mode, "mode", POOL_MODES)
    p = _checks.as_real(p, "p", positive=True)
    size = _checks.as_int(size, "size", minimum=1)
    stride = size if stride is None else _checks.as_int(stride, "stride", minimum=1)
    pool_output_shape(array.shape[-2:], size, stride)  # refuses windows larger than x
    stack = array if array.ndim == 3 else array[None]
    windows = _windows(stack, (size, size), stride)  # (C, oh, ow, size, size)
    if mode == "max":
        pooled = windows.max(axis=(-2, -1))
    elif mode == "avg":
        pooled = windows.mean(axis=(-2, -1))
    else:
        pooled = _lp_norm(windows, p)
    _checks.finite_result(pooled, "the pooling")
    return pooled if array.ndim == 3 else pooled[0]


def _lp_norm(windows: np.ndarray, p: float) -> np.ndarray:
    """``(Σ |x|^p)^(1/p)`` over the last two axes, without overflow for large p or x.

    Dividing by the window's largest magnitude m first keeps every term in [0, 1]; the
    result is m · (Σ (|x|/m)^p)^(1/p), the same number mathematically.
    """
    magnitude = np.abs(windows)
    largest = magnitude.max(axis=(-2, -1), keepdims=True)
    safe = np.where(largest > 0, largest, 1.0)
    ratio_sums = ((magnitude / safe) ** p).sum(axis=(-2, -1))
    return largest[..., 0, 0] * ratio_sums ** (1.0 / p)


def conv_matrix(kernel, input_shape, padding="valid", stride=1) -> np.ndarray:
    """The convolution as one weight matrix: ``W @ image.ravel() == conv2d(image, ...).ravel()``.

    The deck's "neural network representation": each output cell is a neuron, connected to
    every input pixel; the weight is the kernel value that lands on that pixel, or 0 where the
    window does not reach. Every row holds the same kernel values (shared weights).

    kernel : (kh, kw), or (C, kh, kw) for a (C, H, W) input
    input_shape : (H, W) or (C, H, W)
    returns : (oh·ow, C·H·W) float array (C = 1 for a 2-D input), rows in the order of
        ``feature_map.ravel()`` and columns in the order of ``image.ravel()``
    """
    shape = _checks.as_shape(input_shape, "input_shape", (2, 3), "a shape (H, W) or (C, H, W)")
    kernels = _checks.as_array(
        kernel, "kernel", (2, 3), shape_hint="2-D (kh, kw) or 3-D (C, kh, kw)"
    )
    if kernels.ndim != len(shape) or (len(shape) == 3 and kernels.shape[0] != shape[0]):
        need = (
            f"a 3-D (C, kh, kw) kernel with C = {shape[0]}"
            if len(shape) == 3
            else "a 2-D (kh, kw) kernel"
        )
        raise ValueError(
            f"kernel must match input_shape: input_shape {shape} needs {need}, "
            f"got kernel shape {kernels.shape}"
        )
    if len(shape) == 2:
        shape, kernels = (1, *shape), kernels[None]
    channels, h, w = shape
    kh, kw = kernels.shape[1:]
    stride = _checks.as_int(stride, "stride", minimum=1)
    oh, ow = conv_output_shape((h, w), (kh, kw), padding, stride)
    ph, pw = padding_amounts(padding, (kh, kw))

    # One entry per (output row, output col, channel, kernel row, kernel col), broadcast.
    out_r = np.arange(oh).reshape(-1, 1, 1, 1, 1)
    out_c = np.arange(ow).reshape(1, -1, 1, 1, 1)
    ch = np.arange(channels).reshape(1, 1, -1, 1, 1)
    ki = np.arange(kh).reshape(1, 1, 1, -1, 1)
    kj = np.arange(kw).reshape(1, 1, 1, 1, -1)
    in_r = out_r * stride + ki - ph  # input pixel under kernel cell (ki, kj), unpadded coords
    in_c = out_c * stride + kj - pw
    full = (oh, ow, channels, kh, kw)
    # Kernel cells over the zero padding connect to nothing: they get no weight.
    inside = np.broadcast_to((in_r >= 0) & (in_r < h) & (in_c >= 0) & (in_c < w), full)
    rows = np.broadcast_to(out_r * ow + out_c, full)
    cols = np.broadcast_to(ch * (h * w) + in_r * w + in_c, full)
    weights = np.broadcast_to(kernels[None, None], full)

    matrix = np.zeros((oh * ow, channels * h * w))
    # Within one row the (channel, pixel) pairs are all different, so no entry is hit twice.
    matrix[rows[inside], cols[inside]] = weights[inside]
    return matrix
