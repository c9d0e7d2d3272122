"""The small CNN's building blocks, each with its forward and its backward pass side by side.

A batch of images is (N, H, W, C): channels last, so the numbers one kernel position sees sit
together and a whole convolution is one matrix product. The contract of every layer:

- `forward(X)` computes the output and caches what `backward` needs;
- `backward(dY)` takes ∂loss/∂output, returns ∂loss/∂input and fills `grads[name]` *in place*
  for every `params[name]` (same names, same shapes);
- `bind(params_flat, grads_flat)` moves the parameters and gradients into slices of two flat
  vectors, so an optimiser can update a whole network with a handful of numpy calls.

At the bottom: `SoftmaxCrossEntropy` (the loss) and the optimisers `SGD` and `Adam`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "Layer",
    "Conv2D",
    "Threshold",
    "ReLU",
    "pool_windows",
    "MaxPool2D",
    "AvgPool2D",
    "GlobalMaxPool2D",
    "Flatten",
    "Dense",
    "SoftmaxCrossEntropy",
    "softmax",
    "SGD",
    "Adam",
]


class Layer:
    """Base class: a layer without parameters."""

    trainable = False

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params.values())

    def forward(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dY: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """One example's output shape for one example's input shape, e.g. (H, W, C)."""
        return input_shape

    def bind(self, params_flat: np.ndarray, grads_flat: np.ndarray) -> None:
        """Keep parameters (values unchanged) and gradients in these 1-D slices, n_params long."""
        offset = 0
        for name, value in list(self.params.items()):
            stop = offset + value.size
            view = params_flat[offset:stop].reshape(value.shape)
            view[...] = value
            self.params[name] = view
            self.grads[name] = grads_flat[offset:stop].reshape(value.shape)
            offset = stop


# OpenBLAS hands products above 2¹⁸ multiply-adds to all cores. On a shared 2-core machine
# serving a room of learners, the threads mostly wait for each other, so the big products of
# a training step are cut into row blocks that each stay on one core.
_ONE_CORE_WORK = 1 << 18


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a : (n, d), b : (d, m), in blocks small enough for one core: blocks of
    rows of a, or of columns of b when b is the wide one."""
    n, d, m = a.shape[0], a.shape[1], b.shape[1]
    if n * d * m <= _ONE_CORE_WORK:
        return a @ b
    out = np.empty((n, m), dtype=np.result_type(a, b))
    if n >= m:
        rows = max(1, _ONE_CORE_WORK // (d * m))
        for start in range(0, n, rows):
            np.matmul(a[start : start + rows], b, out=out[start : start + rows])
    else:
        cols = max(1, _ONE_CORE_WORK // (n * d))
        for start in range(0, m, cols):
            out[:, start : start + cols] = a @ b[:, start : start + cols]
    return out


# --- convolution --------------------------------------------------------------------------------


def _padding_amount(padding, kernel_size: int) -> int:
    if padding == "valid":
        return 0
    if padding == "same":
        if kernel_size % 2 == 0:
            raise ValueError(
                f"padding='same' needs an odd kernel size (the output cell must have a centre), "
                f"got kernel_size={kernel_size}; use 'valid' or a number of zero rows"
            )
        return kernel_size // 2
    if isinstance(padding, int | np.integer) and not isinstance(padding, bool) and padding >= 0:
        return int(padding)
    raise ValueError(f"padding must be 'valid', 'same' or an integer ≥ 0, got {padding!r}")


class Conv2D(Layer):
    """Several k×k kernels slid over a (multi-channel) image: cross-correlation, stride 1.

    params W : (K, C, k, k) kernels (PyTorch's layout), b : (K,) one bias per kernel.
    forward X : (N, H, W, C) → (N, OH, OW, K), OH = H + 2·pad − k + 1.

    Each output is Σ_c Σ_ij W[K, c, i, j] · X[n, y+i, x+j, c] + b[K], the deck's formula
    summed over channels. It is computed as one matrix product: every k×k window becomes a
    row (im2col) ending with a constant 1, and the kernels the columns of a matrix whose last
    row is the bias, (C·k·k + 1, K). The bias is the weight of an input that is always 1.
    """

    trainable = True

    def __init__(
        self,
        in_channels: int,
        n_kernels: int,
        kernel_size: int,
        padding="valid",
        *,
        rng: np.random.Generator | None = None,
        trainable: bool = True,
        dtype=np.float64,
    ) -> None:
        super().__init__()
        for name, value, low, high in (
            ("in_channels", in_channels, 1, 256),
            ("n_kernels", n_kernels, 1, 256),
            ("kernel_size", kernel_size, 2, 5),
        ):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ValueError(f"{name} must be an integer, got {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low} and {high}, got {value}")
        self.in_channels, self.n_kernels, self.kernel_size = in_channels, n_kernels, kernel_size
        self.padding = padding
        self.pad = _padding_amount(padding, kernel_size)
        self.trainable = trainable
        # The first layer never needs ∂loss/∂image: the model switches this off to save time.
        self.needs_input_grad = True
        rng = rng if rng is not None else np.random.default_rng(0)
        depth = in_channels * kernel_size * kernel_size
        self.dtype = np.dtype(dtype)
        shape = (depth + 1, n_kernels)
        self._use(np.zeros(shape, self.dtype), np.zeros(shape, self.dtype))
        # He initialisation: keeps the spread of activations steady through a ReLU.
        self.params["W"][...] = rng.normal(0.0, math.sqrt(2.0 / depth), self.params["W"].shape)
        self._cols: np.ndarray | None = None
        self._window_index: dict[tuple[int, int], np.ndarray] = {}

    def _use(self, Wb: np.ndarray, dWb: np.ndarray) -> None:
        """Kernels and bias live together in Wb : (C·k·k + 1, K), one column per kernel with
        its bias last (the layout a window row multiplies); W and b are views into it."""
        K, C, k = self.n_kernels, self.in_channels, self.kernel_size
        self._Wb, self._dWb = Wb, dWb
        self.params = {"W": Wb[:-1].T.reshape(K, C, k, k), "b": Wb[-1]}
        self.grads = {"W": dWb[:-1].T.reshape(K, C, k, k), "b": dWb[-1]}

    @property
    def Wb(self) -> np.ndarray:
        """Kernels and biases as one matrix (C·k·k + 1, K): column j is kernel j's numbers in
        window order, then its bias. A view: writing into it changes the kernels."""
        return self._Wb

    @property
    def dWb(self) -> np.ndarray:
        """∂loss/∂Wb, the same layout as Wb; a fused fast path writes its gradient here."""
        return self._dWb

    def bind(self, params_flat, grads_flat):
        Wb = params_flat.reshape(self._Wb.shape)
        Wb[...] = self._Wb
        self._use(Wb, grads_flat.reshape(self._Wb.shape))

    def __repr__(self) -> str:
        return (
            f"Conv2D(in_channels={self.in_channels}, n_kernels={self.n_kernels}, "
            f"kernel_size={self.kernel_size}, padding={self.padding!r})"
        )

    def output_shape(self, input_shape):
        h, w, _ = input_shape
        k, p = self.kernel_size, self.pad
        return (h + 2 * p - k + 1, w + 2 * p - k + 1, self.n_kernels)

    def window_index(self, h: int, w: int) -> np.ndarray:
        """Where each window's numbers come from, for an h×w image: (OH·OW, C·k·k + 1).

        Flat positions (y·w + x)·C + c into the image's numbers followed by a 0 and a 1:
        h·w·C (the 0) where the window hangs over the padding, h·w·C + 1 (the 1) in the last
        column, the bias input. Cached per image size.
        """
        if (h, w) not in self._window_index:
            c, k, p = self.in_channels, self.kernel_size, self.pad
            oh, ow = h + 2 * p - k + 1, w + 2 * p - k + 1
            if oh < 1 or ow < 1:
                raise ValueError(f"a {k}×{k} kernel does not fit in a {h}×{w} image (padding {p})")
            ys = (np.arange(oh)[:, None] + np.arange(k) - p)[:, None, None, :, None]
            xs = (np.arange(ow)[:, None] + np.arange(k) - p)[None, :, None, None, :]
            channel = np.arange(c)[None, None, :, None, None]
            inside = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
            flat = np.where(inside, (ys * w + xs) * c + channel, h * w * c)  # (OH, OW, C, k, k)
            bias = np.full((oh * ow, 1), h * w * c + 1)
            self._window_index[h, w] = np.hstack([flat.reshape(oh * ow, -1), bias])
        return self._window_index[h, w]

    def im2col(self, X: np.ndarray) -> np.ndarray:
        """Every k×k window of X : (N, H, W, C) as a row, then a 1 for the bias:
        (N, OH, OW, C·k·k + 1), window values in (c, i, j) order. Zero padding included."""
        values = self._values(X)
        n, h, w, _ = X.shape
        index = self.window_index(h, w)
        k, p = self.kernel_size, self.pad
        cols = np.take(values, index, axis=1)  # (N, OH·OW, C·k·k + 1), C-contiguous
        return cols.reshape(n, h + 2 * p - k + 1, w + 2 * p - k + 1, -1)

    def window_columns(self, X: np.ndarray) -> np.ndarray:
        """The same windows as im2col, as columns: (C·k·k + 1, N, OH·OW), one slab per window
        entry. Kernel by kernel, a product with this layout gives contiguous maps."""
        n, h, w, _ = X.shape
        index = self.window_index(h, w)  # (OH·OW, C·k·k + 1)
        values = self._values(X)
        out = np.empty((index.shape[1], n, index.shape[0]), dtype=self.dtype)
        for entry in range(index.shape[1]):
            np.take(values, index[:, entry], axis=1, out=out[entry])
        return out

    def _values(self, X: np.ndarray) -> np.ndarray:
        """Each image's numbers followed by a 0 (padding) and a 1 (bias input): (N, H·W·C + 2)."""
        if X.ndim != 4 or X.shape[3] != self.in_channels:
            raise ValueError(
                f"Conv2D expects images of shape (N, H, W, {self.in_channels}), got {X.shape}"
            )
        n = X.shape[0]
        values = np.empty((n, X[0].size + 2), dtype=self.dtype)
        values[:, :-2] = X.reshape(n, -1)
        values[:, -2] = 0.0
        values[:, -1] = 1.0
        return values

    def forward(self, X: np.ndarray) -> np.ndarray:
        return self.forward_cols(self.im2col(X))

    def forward_cols(self, cols: np.ndarray) -> np.ndarray:
        """Forward from windows already cut by im2col: (..., C·k·k + 1) → (..., K), any
        leading shape. The training loop cuts the first layer's windows once (the drawings
        never change) and orders them by pooling window (see `pool_windows`)."""
        self._cols = cols
        out = _matmul(cols.reshape(-1, cols.shape[-1]), self._Wb)  # kernels and bias at once
        return out.reshape(*cols.shape[:-1], self.n_kernels)

    def backward(self, dY: np.ndarray) -> np.ndarray | None:
        """dY : (N, OH, OW, K) → dX : (N, H, W, C); None if needs_input_grad is False."""
        dcols = self.backward_cols(dY)
        return None if dcols is None else self.col2im(dcols)

    def backward_cols(self, dY: np.ndarray) -> np.ndarray | None:
        """dY : (..., K), ordered like the cached windows → ∂loss/∂windows (..., C·k·k).

        ∂loss/∂[W; b] = windowsᵀ · dY: one product gives kernels and bias together.
        """
        dY2 = dY.reshape(-1, self.n_kernels)  # (rows, K)
        if self.trainable:
            np.matmul(self._cols.reshape(-1, self._cols.shape[-1]).T, dY2, out=self._dWb)
        if not self.needs_input_grad:
            return None
        dcols = dY2 @ self._Wb[:-1].T  # the bias row leads to the constant 1: dropped
        return dcols.reshape(*dY.shape[:-1], -1)

    def col2im(self, dcols: np.ndarray) -> np.ndarray:
        """Every window hands its gradient back to the pixels it covered:
        dcols (N, OH, OW, C·k·k) → dX (N, H, W, C), the padding's share dropped."""
        n, oh, ow, _ = dcols.shape
        c, k, p = self.in_channels, self.kernel_size, self.pad
        dcols = dcols.reshape(n, oh, ow, c, k, k)
        dX = np.zeros((n, oh + k - 1, ow + k - 1, c), dtype=dcols.dtype)
        for i in range(k):
            for j in range(k):
                dX[:, i : i + oh, j : j + ow, :] += dcols[..., i, j]
        return dX[:, p : oh + k - 1 - p, p : ow + k - 1 - p, :]


# --- threshold ----------------------------------------------------------------------------------


class Threshold(Layer):
    """The deck's threshold: x where x > t, else 0. (N, ...) → same shape."""

    def __init__(self, t: float = 0.0) -> None:
        super().__init__()
        self.t = float(t)
        self._mask: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"Threshold(t={self.t:g})"

    def forward(self, X):
        self._mask = self.t < X
        return X * self._mask

    def backward(self, dY):
        # The slope is 1 where the value passed, 0 where it was cut (also exactly at t).
        return dY * self._mask


class ReLU(Threshold):
    """Threshold at 0: max(x, 0)."""

    def __init__(self) -> None:
        super().__init__(0.0)

    def __repr__(self) -> str:
        return "ReLU()"


# --- pooling ------------------------------------------------------------------------------------


def pool_windows(h: int, w: int, size: int, stride: int) -> np.ndarray:
    """Flat positions (y·w + x) of the cells of every pooling window: (size², PH, PW).

    Axis 0 runs over the cells of a window in row-major order; windows that don't fit are
    dropped. Gathering a map with it gives the *grouped* layout (size², N, PH, PW, C): one
    slab per window cell, so pooling is an element-wise reduction over slabs.
    """
    if h < size or w < size:
        raise ValueError(f"a {size}×{size} pool does not fit in a {h}×{w} map")
    ph, pw = (h - size) // stride + 1, (w - size) // stride + 1
    tops = np.arange(ph)[:, None] * stride
    lefts = np.arange(pw)[None, :] * stride
    return np.stack([(tops + i) * w + lefts + j for i in range(size) for j in range(size)])


class _Pool2D(Layer):
    """size×size windows every `stride` cells (default: stride = size, no overlap).

    forward(X : (N, H, W, C)) → (N, PH, PW, C): gathers the map into the grouped layout
    (see `pool_windows`), then reduces over its slabs (forward_grouped / backward_grouped).
    """

    def __init__(self, size: int = 2, stride: int | None = None) -> None:
        super().__init__()
        stride = size if stride is None else stride
        for name, value in (("size", size), ("stride", stride)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"pool {name} must be an integer ≥ 1, got {value!r}")
        self.size, self.stride = int(size), int(stride)
        self._windows: dict[tuple[int, int], np.ndarray] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, stride={self.stride})"

    def output_shape(self, input_shape):
        h, w, c = input_shape
        _, ph, pw = self.windows(h, w).shape
        return (ph, pw, c)

    def windows(self, h: int, w: int) -> np.ndarray:
        """pool_windows for an h×w map (cached)."""
        if (h, w) not in self._windows:
            self._windows[h, w] = pool_windows(h, w, self.size, self.stride)
        return self._windows[h, w]

    def forward(self, X):
        n, h, w, c = X.shape
        self._input_shape = X.shape
        self._index = self.windows(h, w)
        grouped = X.reshape(n, h * w, c)[:, self._index]  # (N, size², PH, PW, C)
        return self.forward_grouped(np.moveaxis(grouped, 1, 0))

    def backward(self, dY):
        n, h, w, c = self._input_shape
        dG = np.moveaxis(self.backward_grouped(dY), 0, 1)  # (N, size², PH, PW, C)
        dX = np.zeros((n, h * w, c), dtype=dY.dtype)
        if self.stride >= self.size:  # every input cell is in at most one window
            dX[:, self._index] = dG
        else:
            np.add.at(dX, (slice(None), self._index), dG)
        return dX.reshape(self._input_shape)

    def forward_grouped(self, G: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward_grouped(self, dY: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class MaxPool2D(_Pool2D):
    """Largest value of each window. (N, H, W, C) → (N, PH, PW, C).

    Gradient: only the winning cell of a window gets it. Ties go to the first cell in
    row-major order (top row first, left to right), as in PyTorch: with 0/1 drawings equal
    windows give exactly equal sums, and a single winner keeps the gradient's total right.
    """

    def _priorities(self, cells: int) -> np.ndarray:
        if getattr(self, "_priority", np.empty(0)).size != cells:
            dtype = np.uint8 if cells < 256 else np.uint32
            self._priority = np.arange(cells, 0, -1, dtype=dtype)
        return self._priority.reshape(cells, *(1,) * (self._grouped.ndim - 1))

    def forward_grouped(self, G: np.ndarray) -> np.ndarray:
        """G : (size², N, ...) one slab per window cell → (N, ...) the maxima."""
        self._grouped = G
        self._out = np.max(G, axis=0)
        return self._out

    def backward_grouped(self, dY: np.ndarray) -> np.ndarray:
        """dY : (N, ...) → (size², N, ...): dY at each window's first maximal cell, else 0."""
        G, out = self._grouped, self._out
        if len(G) > 4:
            # Many cells: give earlier cells larger priorities; among a window's maximal cells
            # the first one then has the top priority. Five operations, however many cells.
            priority = (out == G) * self._priorities(len(G))
            return (priority == np.max(priority, axis=0)) * dY
        # Few cells: walk them in order, each taking the maxima no earlier cell took.
        dG = np.empty(G.shape, dtype=dY.dtype)
        taken = G[0] == out
        np.multiply(dY, taken, out=dG[0])
        for cell in range(1, len(G)):
            wins = G[cell] == out
            np.greater(wins, taken, out=wins)  # a maximum, and no earlier cell took it
            np.multiply(dY, wins, out=dG[cell])
            taken |= wins
        return dG


class AvgPool2D(_Pool2D):
    """Mean of each window. (N, H, W, C) → (N, PH, PW, C); each cell gets 1/size² of dY."""

    def forward_grouped(self, G: np.ndarray) -> np.ndarray:
        self._cells = len(G)
        return np.mean(G, axis=0)

    def backward_grouped(self, dY: np.ndarray) -> np.ndarray:
        share = dY * (1.0 / self._cells)
        return np.broadcast_to(share, (self._cells, *share.shape)).copy()


class GlobalMaxPool2D(Layer):
    """Largest value of each whole feature map: (N, H, W, C) → (N, 1, 1, C).

    "Is this feature anywhere in the drawing?": where it is no longer matters, the deck's
    shift invariance taken all the way. The gradient goes to the winning cell; ties go to the
    first cell in row-major order (numpy's argmax, like MaxPool2D). `winners` (N, C) keeps
    the winning flat positions y·W + x of the last forward pass.
    """

    def forward(self, X):
        n, h, w, c = X.shape
        self._input_shape = X.shape
        self.winners = X.reshape(n, h * w, c).argmax(axis=1)  # (N, C): first maximum
        self._flat_index = self._offsets(n, h * w, c) + self.winners * c
        return X.reshape(-1)[self._flat_index].reshape(n, 1, 1, c)

    def backward(self, dY):
        dX = np.zeros(self._input_shape, dtype=dY.dtype)
        dX.reshape(-1)[self._flat_index] = dY.reshape(len(dY), -1)
        return dX

    def _offsets(self, n: int, cells: int, c: int) -> np.ndarray:
        """Flat index of cell 0 of every (image, channel) map: (N, C), cached."""
        if getattr(self, "_offsets_key", None) != (n, cells, c):
            self._offsets_key = (n, cells, c)
            self._offsets_value = np.arange(n)[:, None] * (cells * c) + np.arange(c)
        return self._offsets_value

    def output_shape(self, input_shape):
        return (1, 1, input_shape[2])


# --- flatten and dense --------------------------------------------------------------------------


class Flatten(Layer):
    """(N, H, W, C) → (N, H·W·C), row-major (pixel by pixel, channels together)."""

    def output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, X):
        self._input_shape = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, dY):
        return dY.reshape(self._input_shape)


class Dense(Layer):
    """Fully connected: X : (N, D) → X @ W + b : (N, M). params W : (D, M), b : (M,)."""

    trainable = True

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: np.random.Generator | None = None,
        dtype=np.float64,
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        rng = rng if rng is not None else np.random.default_rng(0)
        # Glorot-style: logits start small, so the first predictions are near uniform.
        limit = math.sqrt(6.0 / (in_features + out_features))
        self.params["W"] = rng.uniform(-limit, limit, (in_features, out_features)).astype(dtype)
        self.params["b"] = np.zeros(out_features, dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def __repr__(self) -> str:
        return f"Dense(in_features={self.in_features}, out_features={self.out_features})"

    def output_shape(self, input_shape):
        return (self.out_features,)

    def forward(self, X):
        self._X = X
        out = X @ self.params["W"]
        out += self.params["b"]
        return out

    def backward(self, dY):
        np.matmul(self._X.T, dY, out=self.grads["W"])
        np.sum(dY, axis=0, out=self.grads["b"])
        return dY @ self.params["W"].T


# --- loss ---------------------------------------------------------------------------------------


def _shifted_exp(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """logits (N, M) → (logits − row max, their exp, the row sums (N, 1)). The shift is what
    keeps exp from overflowing; softmax and the cross-entropy both start here."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return shifted, exp, exp.sum(axis=1, keepdims=True)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities of each row: logits (N, M) → (N, M), rows summing to 1."""
    _, exp, total = _shifted_exp(logits)
    exp /= total
    return exp


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits) against integer class indices.

    forward(logits : (N, M), y : (N,) ints in [0, M)) → float; `probs` keeps softmax(logits).
    backward() → ∂loss/∂logits = (probs − onehot(y)) / N : (N, M).
    """

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        shifted, exp, total = _shifted_exp(logits)
        self.probs = exp / total
        if len(getattr(self, "_rows", ())) != len(y):
            self._rows = np.arange(len(y))
        self._y = y
        # −log softmax(true class) = log Σ exp − (shifted) logit of the true class
        return float(np.log(total).sum() - shifted[self._rows, y].sum()) / len(y)

    def backward(self) -> np.ndarray:
        d = self.probs.copy()
        d[self._rows, self._y] -= 1.0
        d *= 1.0 / len(self._y)
        return d


# --- optimisers ---------------------------------------------------------------------------------


class SGD:
    """Gradient descent with momentum (PyTorch's form): v ← μ·v + g;  p ← p − lr·v.

    params, grads : lists of arrays, updated in place by step().
    """

    def __init__(self, params, grads, lr: float = 0.1, momentum: float = 0.0) -> None:
        self.params, self.grads = list(params), list(grads)
        self.lr, self.momentum = float(lr), float(momentum)
        self._velocity = [np.zeros_like(p) for p in self.params]

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"

    def step(self) -> None:
        for p, g, v in zip(self.params, self.grads, self._velocity, strict=True):
            if self.momentum:
                v *= self.momentum
                v += g
                p -= self.lr * v
            else:
                p -= self.lr * g


class Adam:
    """Adam (Kingma & Ba) in PyTorch's form: per-parameter steps scaled by running moments.

    m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
    """

    def __init__(
        self, params, grads, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.params, self.grads = list(params), list(grads)
        self.lr, self.eps = float(lr), float(eps)
        self.beta1, self.beta2 = float(betas[0]), float(betas[1])
        self.t = 0
        self._m = [np.zeros_like(p) for p in self.params]
        self._v = [np.zeros_like(p) for p in self.params]
        self._tmp = [np.empty_like(p) for p in self.params]

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr:g}, betas=({self.beta1:g}, {self.beta2:g}), eps={self.eps:g})"

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # lr/(1−β₁ᵗ) · m / (√v/c + ε) with c = √(1−β₂ᵗ) is (lr·c/(1−β₁ᵗ)) · m / (√v + ε·c):
        # one operation fewer per step.
        c = math.sqrt(1.0 - b2**self.t)
        step_size = self.lr * c / (1.0 - b1**self.t)
        eps = self.eps * c
        for p, g, m, v, tmp in zip(
            self.params, self.grads, self._m, self._v, self._tmp, strict=True
        ):
            m *= b1
            np.multiply(g, 1.0 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp
