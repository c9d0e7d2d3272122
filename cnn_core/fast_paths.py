"""The classifier's two fast paths, kept apart so that `model.py` reads as the network itself.

Both give the numbers of the layer-by-layer pass (tests/test_model.py compares them):

- `FusedConvGlobalMax`: training the default network (one convolution, then global max
  pooling). The convolution and the pooling are one product and one argmax, kernel by kernel,
  and the backward pass touches only each map's winning window.
- `OneDrawingPlan`: one prediction per stroke (the lab, the Train page). The weights and index
  arrays are compiled once per set of weights, so a drawing costs about ten numpy calls, and
  `softmax_one` finishes in plain Python, cheaper than numpy at two or three classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnn_core.layers import Conv2D, Dense, GlobalMaxPool2D, Layer, _matmul

__all__ = ["FusedConvGlobalMax", "OneDrawingPlan", "softmax_one"]

_ZERO_ONE = np.array([0.0, 1.0])  # appended to a drawing: padding and the bias input


class FusedConvGlobalMax:
    """conv then global max pooling, fused, for training on window columns.

    forward(cols : (k·k+1, N, P)) → (N, 1, 1, K), the same numbers as Conv2D.forward_cols then
    GlobalMaxPool2D.forward; backward(dY : (N, K)) fills the convolution's dWb.
    """

    def __init__(self, conv: Conv2D) -> None:
        self.conv = conv

    def forward(self, cols: np.ndarray) -> np.ndarray:
        """Laid out kernel by kernel, (K, N·P): one product gives every response, and each
        (kernel, drawing) maximum is a contiguous row for argmax (the first maximum in
        row-major order: the layer's tie rule). Keeps the winners for backward."""
        depth, n, positions = cols.shape
        self._cols = cols.reshape(depth, n * positions)  # a view, also for a batch slice
        responses = _matmul(self.conv.Wb.T, self._cols)  # (K, N·P), bias included
        self._winners = responses.reshape(-1, positions).argmax(axis=1)  # (K·N,)
        rows = np.arange(0, responses.size, positions)
        maxima = responses.reshape(-1)[rows + self._winners]  # (K·N,)
        return maxima.reshape(-1, n).T.reshape(n, 1, 1, -1)

    def backward(self, dY: np.ndarray) -> None:
        """dY (N, K) reaches each kernel's map only at its winning window, so ∂loss/∂[W; b]
        for kernel k is Σ_n dY[n, k] · window(n, winner)."""
        n, K = dY.shape
        positions = self._cols.shape[1] // n
        where = (np.arange(n) * positions)[None, :] + self._winners.reshape(K, n)  # (K, N)
        windows = self._cols[:, where]  # (k·k+1, K, N)
        sums = np.matmul(windows.transpose(1, 0, 2), dY.T[:, :, None])  # (K, k·k+1, 1)
        self.conv.dWb[...] = sums[:, :, 0].T


@dataclass(frozen=True)
class OneDrawingPlan:
    """What one drawing's logits need, compiled once per set of weights."""

    index: np.ndarray  # (k·k + 1, OH·OW) window → pixel positions
    kernels: np.ndarray  # (K [+1], k·k + 1) float64
    cells: np.ndarray | None  # (pool², PH·PW) for windowed pooling, None for global
    use_max: bool
    row_starts: np.ndarray | None  # flat offset of each kernel's row (global pooling)
    dense: np.ndarray  # (features [+1], classes) float64
    dense_bias: list[float] | None  # None when folded into `dense`

    @classmethod
    def compile(cls, net: dict[str, Layer], grid_size: int, use_max: bool):
        """The plan for a one-convolution network `net` (layers by name); None for two."""
        if "conv2" in net:
            return None
        conv: Conv2D = net["conv1"]
        k, pad, K = conv.kernel_size, conv.pad, conv.n_kernels
        side = grid_size + 2 * pad - k + 1
        index = conv.window_index(grid_size, grid_size).T  # (k·k + 1, OH·OW)
        kernels = conv.Wb.T.astype(np.float64)  # (K, k·k + 1): each kernel, then its bias
        dense: Dense = net["dense"]
        dense_W, dense_b = dense.params["W"].astype(np.float64), dense.params["b"].tolist()
        pool = net["pool"]
        if isinstance(pool, GlobalMaxPool2D):
            ones = np.zeros((1, k * k + 1))
            ones[0, -1] = 1.0  # a "kernel" that always answers 1: the dense layer's bias input
            blank = np.full((k * k + 1, 1), grid_size * grid_size)  # a window of zeros
            return cls(
                index=np.hstack([index, blank]),
                kernels=np.vstack([kernels, ones]),
                cells=None,
                use_max=True,
                row_starts=np.arange(K + 1) * (side * side + 1),
                dense=np.vstack([dense_W, dense_b]),
                dense_bias=None,
            )
        return cls(
            index=index,
            kernels=kernels,
            cells=pool.windows(side, side).reshape(pool.size**2, -1),  # (pool², PH·PW)
            use_max=use_max,
            row_starts=None,
            dense=dense_W,
            dense_bias=dense_b,
        )

    def logits(self, x: np.ndarray) -> list[float]:
        """x : (H·W,) one checked drawing, flat → the logits in classes_ order."""
        # Every window as a column (the appended 0 stands in for padding, the 1 is the
        # bias input), so one product gives the convolution: (K, OH·OW).
        # np.dot rather than @: for arrays this small its call overhead is the smaller one.
        z = np.dot(self.kernels, np.concatenate((x, _ZERO_ONE))[self.index])
        if self.cells is None:
            # Global max pooling: each kernel's largest response (argmax is numpy's fastest
            # reduction). The plan adds a window of zeros, so the maximum is ≥ 0: that is
            # the threshold. An extra all-ones row carries the dense layer's bias.
            pooled = z.ravel()[z.argmax(axis=1) + self.row_starts]
        else:
            if self.use_max:
                pooled = z[:, self.cells].max(axis=1).T  # (PH·PW, K), the Flatten order
            else:
                np.maximum(z, 0.0, out=z)  # average pooling needs the threshold first
                pooled = z[:, self.cells].mean(axis=1).T
            pooled = np.maximum(pooled, 0.0).reshape(-1)
        logits = np.dot(pooled, self.dense).tolist()
        if self.dense_bias is not None:
            logits = [value + bias for value, bias in zip(logits, self.dense_bias, strict=True)]
        return logits


def softmax_one(logits: list[float]) -> np.ndarray:
    """`layers.softmax` for one drawing's few logits, in plain Python (cheaper at this size).

    Two classes (X and O) take the logistic form: with e = exp(-|a - b|) ≤ 1, the larger
    logit gets 1 / (1 + e) and the smaller e / (1 + e). Nothing can overflow, and the small
    probability keeps its digits (1 - p would lose them).
    """
    if len(logits) == 2:
        diff = logits[0] - logits[1]
        e = math.exp(-abs(diff))
        large, small = 1.0 / (1.0 + e), e / (1.0 + e)
        return np.array((large, small) if diff >= 0.0 else (small, large))
    top = max(logits)
    exps = [math.exp(value - top) for value in logits]
    total = sum(exps)
    return np.array([e / total for e in exps])
