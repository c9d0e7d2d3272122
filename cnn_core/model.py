"""The small CNN classifier: a configuration, training step by step, prediction, save / load.

    model = CNNClassifier(CNNConfig(), random_state=0).fit(X_train, y_train)
    model.predict(grid)                    # "X"
    for p in model.train_steps(X, y, X_test, y_test, report_every=1):
        ...                                # draw p.loss, p.kernels; stop whenever you like

The network, in the deck's order: conv → threshold (ReLU) → [conv → ReLU] → pool → dense →
softmax. Class labels are data: any set of strings, learned from `y`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from cnn_core._checks import as_real, describe
from cnn_core.data import make_xo_split
from cnn_core.kernels import preset
from cnn_core.layers import (
    SGD,
    Adam,
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    GlobalMaxPool2D,
    Layer,
    MaxPool2D,
    ReLU,
    SoftmaxCrossEntropy,
    _matmul,
)
from cnn_core.untrusted import ECHO_CHARS, load_json, read_npz, shorten

__all__ = ["CNNConfig", "CNNClassifier", "Progress", "DECK_KERNELS", "generated_data"]

# The deck's hand-made 3×3 kernels, the "experts'" masks (cnn_core.kernels): the two
# diagonals and the horizontal line. kernel_init="deck" puts them first, in this order.
DECK_KERNELS = ("deck diagonal \\", "deck diagonal /", "horizontal line")

# A mean cross-entropy this large means the true class gets probability below e^-1000:
# the steps have blown the weights up, whether or not the numbers overflowed yet.
DIVERGED_LOSS = 1e3

_ZERO_ONE = np.array([0.0, 1.0])  # appended to a drawing: padding and the bias input

_FILE_FORMAT = "cnn-playground-model"
_FILE_VERSION = 1

# The largest network a configuration may describe, in connections: the Inside page draws
# each as a line, about 24 µs apiece on a slow 2-core laptop, so this is about a second.
# The default network has 26,880; a 16×16 drawing with the default kernels would have 103,000.
MAX_CONNECTIONS = 50_000
MAX_CLASSES = 16  # labels a model may learn (the dense layer's outputs)
MAX_LABEL_CHARS = 40  # the longest label a model file may hold
# What a model file may cost to read: its size on disk, and in memory once unpacked.
MAX_FILE_BYTES = 5 * 1024 * 1024  # the playground's models are tens of KB
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
MAX_ARRAY_BYTES = 4 * 1024 * 1024
MAX_CONFIG_BYTES = 4096


@dataclass(frozen=True)
class CNNConfig:
    """Everything that decides which model gets trained. The Train page and the command line
    both start from `CNNConfig()`, so the same seed trains the same model in both."""

    # --- the drawings
    grid_size: int = 8  # drawings are grid_size × grid_size (4–32)
    # --- first convolution (its kernels are what the Train page shows being learned)
    n_kernels: int = 16  # K: kernels, one feature map each (1–16)
    kernel_size: int = 5  # k×k kernels (2–5): 5×5 sees a whole small letter
    padding: str | int = "same"  # "valid", "same" (odd k) or zero rows/columns on each side
    kernel_init: str = "random"  # "random" (He) or "deck" (the deck's \, /, — kernels first)
    freeze_kernels: bool = False  # True: kernels stay as initialised, only the dense layer learns
    # --- optional second convolution, on the first one's thresholded maps
    conv_layers: int = 1  # 1 or 2
    n_kernels2: int = 8  # kernels of the second convolution (1–32)
    kernel_size2: int = 3  # their size (2–5)
    # --- pooling, after the last convolution
    pool: str = "max"  # "max" or "avg"
    pool_size: int | str = "global"  # "global": the whole map; n: n×n windows, stride n
    # --- training
    optimizer: str = "adam"  # "adam" or "sgd" (with momentum)
    learning_rate: float = 0.03  # step size
    momentum: float = 0.9  # SGD only
    batch_size: int = 32  # drawings per step
    epochs: int = 3  # passes over the training drawings
    # --- the generated training data (make_xo_split)
    n_train: int = 800  # training drawings, half X and half O
    n_test: int = 200  # held-out drawings to measure accuracy on
    noise: float = 0.02  # chance of a stray speck on each background pixel

    def __post_init__(self) -> None:
        _check_int("grid_size", self.grid_size, 4, 32)
        _check_int("n_kernels", self.n_kernels, 1, 16)
        _check_int("kernel_size", self.kernel_size, 2, 5)
        _check_choice("kernel_init", self.kernel_init, ("random", "deck"))
        _check_bool("freeze_kernels", self.freeze_kernels)
        _check_int("conv_layers", self.conv_layers, 1, 2)
        _check_int("n_kernels2", self.n_kernels2, 1, 32)
        _check_int("kernel_size2", self.kernel_size2, 2, 5)
        _check_choice("pool", self.pool, ("max", "avg"))
        if self.pool_size != "global":
            _check_int("pool_size", self.pool_size, 1, 32)
        _check_choice("optimizer", self.optimizer, ("adam", "sgd"))
        _check_number("learning_rate", self.learning_rate, 0.0, math.inf, low_open=True)
        _check_number("momentum", self.momentum, 0.0, 1.0, high_open=True)
        _check_int("batch_size", self.batch_size, 1, 4096)
        _check_int("epochs", self.epochs, 1, 10_000)
        _check_int("n_train", self.n_train, 2, 1_000_000)
        _check_int("n_test", self.n_test, 1, 1_000_000)
        _check_number("noise", self.noise, 0.0, 0.5)
        if self.kernel_init == "deck" and self.kernel_size != 3:
            raise ValueError(
                f"kernel_init='deck' needs kernel_size=3 (the deck's kernels are 3×3), "
                f"got kernel_size={self.kernel_size}"
            )
        if not (
            self.padding in ("valid", "same")
            or (type(self.padding) is int and 0 <= self.padding <= 4)
        ):
            raise ValueError(
                "padding must be 'valid', 'same' or an integer 0–4, got "
                f"{describe(self.padding, ECHO_CHARS)}"
            )
        for name in ("kernel_size", "kernel_size2"):
            if self.padding == "same" and getattr(self, name) % 2 == 0:
                raise ValueError(
                    f"padding='same' needs odd kernel sizes, got {name}={getattr(self, name)}"
                )
        self.layer_shapes()  # raises a readable ValueError if the sizes don't fit
        connections = self.connections()
        if connections > MAX_CONNECTIONS:
            raise ValueError(
                f"this network would have {connections:,} connections; the playground "
                f"draws networks of at most {MAX_CONNECTIONS:,} (use a smaller grid, fewer or "
                "smaller kernels, or one convolution layer)"
            )

    def connections(self, n_classes: int = MAX_CLASSES) -> int:
        """Weights between neurons (an upper bound: padding's zeros counted), for n_classes."""
        shapes = dict(self.layer_shapes())
        total, channels = 0, 1
        layers = [("conv1", self.kernel_size)]
        if self.conv_layers == 2:
            layers.append(("conv2", self.kernel_size2))
        for name, k in layers:
            side, _, kernels = shapes[name]
            total += side * side * kernels * k * k * channels
            channels = kernels
        total += math.prod(shapes[f"relu{self.conv_layers}"])  # every map cell feeds a pool
        return total + shapes["flatten"][0] * n_classes

    def layer_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """(name, per-drawing output shape (H, W, C)) of every layer, input first."""
        pad = {"valid": 0, "same": None}.get(self.padding, self.padding)
        shape = (self.grid_size, self.grid_size, 1)
        shapes = [("input", shape)]
        convs = [(self.n_kernels, self.kernel_size)]
        if self.conv_layers == 2:
            convs.append((self.n_kernels2, self.kernel_size2))
        for index, (kernels, k) in enumerate(convs, start=1):
            p = k // 2 if pad is None else pad
            side = shape[0] + 2 * p - k + 1
            if side < 1:
                raise ValueError(
                    f"convolution {index}'s {k}×{k} kernels do not fit the {shape[0]}×{shape[0]} "
                    f"input (padding {self.padding!r}): use smaller kernels or more padding"
                )
            shape = (side, side, kernels)
            shapes += [(f"conv{index}", shape), (f"relu{index}", shape)]
        window = self.pool_window(shape[0])
        if window > shape[0]:
            raise ValueError(
                f"pool_size={self.pool_size} does not fit the {shape[0]}×{shape[0]} feature maps "
                f"left by the convolutions: use a smaller pool"
            )
        side = shape[0] // window
        shape = (side, side, shape[2])
        shapes += [("pool", shape), ("flatten", (math.prod(shape),))]
        return shapes

    def pool_window(self, map_side: int | None = None) -> int:
        """The pooling window's side: pool_size, or the feature maps' side for "global"."""
        if self.pool_size != "global":
            return self.pool_size
        if map_side is None:
            map_side = dict(self.layer_shapes())[f"relu{self.conv_layers}"][0]
        return map_side

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CNNConfig:
        """The configuration written by `to_json`; ValueError for anything else."""
        if not isinstance(text, str | bytes):
            raise ValueError("the configuration must be JSON text")
        values = load_json(text, "the configuration", max_bytes=MAX_CONFIG_BYTES, max_depth=1)
        if not isinstance(values, dict):
            raise ValueError("the configuration must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown configuration fields: {shorten(', '.join(unknown))}")
        return cls(**values)


def _check_int(name, value, low, high):
    if type(value) is not int:
        raise ValueError(f"{name} must be an integer, got {describe(value)}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {describe(value)}")


def _check_number(name, value, low, high, *, low_open=False, high_open=False):
    if not isinstance(value, int | float):  # a configuration holds Python numbers only
        raise ValueError(f"{name} must be a finite number, got {describe(value)}")
    as_real(value, name)  # finite, not a bool, within a float's range
    if (value <= low if low_open else value < low) or (
        value >= high if high_open else value > high
    ):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {describe(value)}")


def _check_bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {describe(value)}")


def _check_choice(name, value, choices):
    if value not in choices:
        allowed = " or ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be {allowed}, got {describe(value)}")


def generated_data(config: CNNConfig | None = None, seed: int = 0):
    """The generated drawings `config` asks for: (X_train, X_test, y_train, y_test).

    The command line and the Train page both call this, so `--seed S` means the same data.
    """
    config = config if config is not None else CNNConfig()
    return make_xo_split(
        config.n_train, config.n_test, size=config.grid_size, seed=seed, noise=config.noise
    )


def _softmax_small(logits: list[float]) -> np.ndarray:
    """Softmax of a few logits in plain Python: cheaper than numpy calls at this size.

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


@dataclass(frozen=True)
class _Plan:
    """What CNNClassifier._logits_one needs, compiled once per set of weights."""

    index: np.ndarray  # (k·k + 1, OH·OW) window → pixel positions
    kernels: np.ndarray  # (K [+1], k·k + 1) float64
    cells: np.ndarray | None  # (pool², PH·PW) for windowed pooling, None for global
    use_max: bool
    row_starts: np.ndarray | None  # flat offset of each kernel's row (global pooling)
    dense: np.ndarray  # (features [+1], classes) float64
    dense_bias: list[float] | None  # None when folded into `dense`


@dataclass(frozen=True)
class Progress:
    """One report from `train_steps`: enough to draw curves and kernels live."""

    epoch: int  # epochs started so far (1 during the first pass over the data)
    step: int  # optimiser steps taken so far
    total_steps: int  # steps this call of train_steps will take if nothing goes wrong
    loss: float  # mean training loss over the steps since the previous report
    accuracy: float  # training accuracy over the drawings of those steps
    test_loss: float | None  # on X_test (None without a test set)
    test_accuracy: float | None
    kernels: np.ndarray = field(repr=False)  # (K, k, k) copy of the first-layer kernels
    diverged: bool = False  # training stopped: the loss blew up; the last good weights are kept
    message: str = ""  # why it stopped, in words

    @property
    def done(self) -> bool:
        return self.diverged or self.step >= self.total_steps

    @classmethod
    def stopped(cls, *, epoch: int, step: int, total_steps: int, kernels, message: str):
        """The last report of a run that stopped early (diverged, or its trainer failed)."""
        return cls(epoch=epoch, step=step, total_steps=total_steps, loss=math.nan,
                   accuracy=math.nan, test_loss=None, test_accuracy=None, kernels=kernels,
                   diverged=True, message=message)  # fmt: skip


class CNNClassifier:
    """A small convolutional network for drawings, with scikit-learn's manners.

    config : CNNConfig (None: the defaults). random_state : int seed; the same seed and data
    give the same weights, bit for bit.

    Learned attributes: classes_ (sorted labels), loss_curve_ (mean training loss per epoch),
    history_ (every Progress reported), n_steps_, n_epochs_.
    """

    def __init__(
        self, config: CNNConfig | None = None, random_state: int = 0, *, dtype="float32"
    ) -> None:
        if config is None:
            config = CNNConfig()
        if not isinstance(config, CNNConfig):
            raise ValueError(f"config must be a CNNConfig, got {type(config).__name__}")
        if type(random_state) is not int or random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state!r}")
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {describe(dtype, ECHO_CHARS)}")
        self.config = config
        self.random_state = random_state
        # float32 halves the memory each step streams through; float64 is for exact
        # gradient checks. Same seed, same dtype: the same model, bit for bit.
        self.dtype = np.dtype(dtype)
        self._layers: list[tuple[str, Layer]] | None = None
        self._version = 0  # bumped whenever weights change: invalidates the one-drawing plan
        self._plan = None
        self._plan_version = -1

    def __repr__(self) -> str:
        return f"CNNClassifier(config={self.config!r}, random_state={self.random_state})"

    # --- the network ------------------------------------------------------------------------

    def _build(self, n_classes: int) -> None:
        """Fresh layers, weights from the seed, and one flat vector for the trainable ones."""
        cfg = self.config
        rng = np.random.default_rng(self.random_state)
        self._rng = rng
        trainable = not cfg.freeze_kernels
        dtype = self.dtype
        conv1 = Conv2D(
            1, cfg.n_kernels, cfg.kernel_size, cfg.padding, rng=rng, trainable=trainable,
            dtype=dtype,
        )  # fmt: skip
        conv1.needs_input_grad = False  # nobody needs ∂loss/∂drawing
        if cfg.kernel_init == "deck":
            deck = np.stack([preset(name) for name in DECK_KERNELS])[: cfg.n_kernels]
            conv1.params["W"][: len(deck), 0] = deck
        layers: list[tuple[str, Layer]] = [("conv1", conv1), ("relu1", ReLU())]
        if cfg.conv_layers == 2:
            conv2 = Conv2D(
                cfg.n_kernels, cfg.n_kernels2, cfg.kernel_size2, cfg.padding, rng=rng,
                trainable=trainable, dtype=dtype,
            )  # fmt: skip
            conv2.needs_input_grad = trainable
            layers += [("conv2", conv2), ("relu2", ReLU())]
        if cfg.pool == "max" and cfg.pool_size == "global":
            pool = GlobalMaxPool2D()
        else:
            pool = (MaxPool2D if cfg.pool == "max" else AvgPool2D)(cfg.pool_window())
        features = cfg.layer_shapes()[-1][1][0]
        layers += [
            ("pool", pool),
            ("flatten", Flatten()),
            ("dense", Dense(features, n_classes, rng=rng, dtype=dtype)),
        ]
        self._layers = layers
        self._by_name = dict(layers)
        self._pool_first = cfg.pool == "max"
        self._last_relu = self._by_name[f"relu{cfg.conv_layers}"]
        # Global max pooling straight after conv1 (the default): a fused, faster path.
        self._fused_global_max = isinstance(self._by_name["pool"], GlobalMaxPool2D) and (
            cfg.conv_layers == 1
        )
        self._drawing_axis = 1 if self._fused_global_max else 0  # where _windows keeps drawings
        self._loss = SoftmaxCrossEntropy()

        # All trainable parameters become views into one flat vector (and their gradients
        # into another), so an optimiser step is a handful of numpy calls, whatever the depth.
        learners = [layer for _, layer in layers if layer.trainable]
        total = sum(layer.n_params for layer in learners)
        self._flat = np.empty(total, dtype)
        self._flat_grad = np.zeros(total, dtype)
        offset = 0
        for layer in learners:
            stop = offset + layer.n_params
            layer.bind(self._flat[offset:stop], self._flat_grad[offset:stop])
            offset = stop
        self._good = self._flat.copy()  # the last weights that gave a finite, sane loss
        self._optimizer = self._make_optimizer()
        self._version += 1

    def _make_optimizer(self):
        cfg = self.config
        if cfg.optimizer == "adam":
            return Adam([self._flat], [self._flat_grad], lr=cfg.learning_rate)
        return SGD([self._flat], [self._flat_grad], lr=cfg.learning_rate, momentum=cfg.momentum)

    def _require_fitted(self) -> None:
        if self._layers is None:
            raise ValueError("this model has not been trained yet: call fit() or load() first")

    @property
    def layers(self) -> list[tuple[str, Layer]]:
        """(name, layer) pairs in order: conv1, relu1, [conv2, relu2], pool, flatten, dense."""
        self._require_fitted()
        return list(self._layers)

    @property
    def kernels(self) -> np.ndarray:
        """(K, k, k) copy of the first convolution's kernels."""
        self._require_fitted()
        return self._layers[0][1].params["W"][:, 0].copy()

    def kernel_gradients(self, X, y) -> tuple[float, np.ndarray]:
        """The mean cross-entropy on drawings X : (n, H, W) with labels y : (n,), and its
        gradient with respect to every first-layer kernel: (loss, ∂loss/∂K of shape (K, k, k)).

        The forward and backward passes are the ones training takes; no weight changes.
        """
        self._require_fitted()
        X = self._check_images(X)
        y = self._check_labels(y, X.shape[0])
        unknown = sorted(set(y) - set(self.classes_))
        if unknown:
            raise ValueError(
                f"y has labels the model does not know: {shorten(unknown)}; "
                f"it knows {shorten(self.classes_.tolist())}"
            )
        if self.config.freeze_kernels:
            raise ValueError("the kernels are frozen (freeze_kernels): they get no gradient")
        logits = self._logits(self._windows(X))
        loss = self._loss.forward(logits, np.searchsorted(self.classes_, y))
        self._backward(self._loss.backward())
        return float(loss), self._by_name["conv1"].grads["W"][:, 0].astype(np.float64)

    def set_kernel(self, index: int, values) -> None:
        """Replace first-layer kernel ``index`` (0-based) with ``values`` : (k, k), finite."""
        self._require_fitted()
        K, k = self.config.n_kernels, self.config.kernel_size
        if type(index) is not int or not 0 <= index < K:
            raise ValueError(f"index must be a kernel number 0 to {K - 1}, got {describe(index)}")
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (k, k) or not np.isfinite(values).all():
            raise ValueError(f"a kernel must be {k}×{k} finite numbers, got shape {values.shape}")
        self._by_name["conv1"].params["W"][index, 0] = values
        self._version += 1  # the compiled single-drawing plan is stale

    def summary(self) -> str:
        """One line per layer: name, output shape, number of parameters."""
        lines = []
        for name, shape in self.config.layer_shapes():
            count = 0
            if self._layers is not None and name != "input":
                layer = dict(self._layers)[name]
                count = sum(p.size for p in layer.params.values())
            lines.append(f"{name:8s} {'×'.join(map(str, shape)):>10s}  {count:5d} parameters")
        if self._layers is not None:
            dense = self._layers[-1][1]
            count = sum(p.size for p in dense.params.values())
            lines.append(f"{'dense':8s} {dense.out_features:>10d}  {count:5d} parameters")
        return "\n".join(lines)

    # --- input checks -----------------------------------------------------------------------

    def _check_images(self, X, name: str = "X") -> np.ndarray:
        """Drawings as (N, H, W) float64 in [0, 1]; a single (H, W) drawing becomes N = 1."""
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numbers (0/1 drawings)") from None
        size = self.config.grid_size
        if X.ndim == 2:
            X = X[None]
        if X.ndim != 3 or X.shape[1:] != (size, size):
            raise ValueError(
                f"{name} must hold {size}×{size} drawings, shape (n, {size}, {size}); "
                f"got shape {X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name} holds no drawings")
        low, high = X.min(), X.max()
        if not (low >= 0.0 and high <= 1.0):  # also catches NaN
            raise ValueError(
                f"{name} must hold values in [0, 1] (0/1 drawings), got min {low:g}, max {high:g}"
            )
        return X

    def _check_labels(self, y, n: int, name: str = "y") -> np.ndarray:
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != n:
            raise ValueError(f"{name} must hold one label per drawing ({n}), got shape {y.shape}")
        return y.astype(str)

    # --- training ---------------------------------------------------------------------------

    def fit(self, X, y) -> CNNClassifier:
        """Train from scratch for config.epochs. X : (n, H, W) drawings, y : (n,) labels.

        Returns self. If training diverged, history_[-1].diverged is True and says why.
        """
        for _ in self.train_steps(X, y):
            pass
        return self

    def snapshot(self) -> dict:
        """What training has learned so far, as plain data: classes, every layer's parameters
        (copies, by "layer.param" as `save` names them), the loss curve and the counters.

        `restore` rebuilds the same model from it; the Train page uses the pair to mirror a
        model that trains in a worker process."""
        self._require_fitted()
        return {
            "classes": np.asarray(self.classes_).copy(),
            "params": {
                f"{name}.{pname}": value.copy()
                for name, layer in self._layers
                for pname, value in layer.params.items()
            },
            "loss_curve": list(self.loss_curve_),
            "n_steps": self.n_steps_,
            "n_epochs": self.n_epochs_,
        }

    def restore(self, snapshot: dict) -> CNNClassifier:
        """Take the weights and counters of `snapshot` (from `snapshot()` of a model with the
        same config); returns self. The network is built on first use."""
        classes = np.asarray(snapshot["classes"])
        if self._layers is None or not np.array_equal(classes, self.classes_):
            self.classes_ = classes
            self._build(classes.size)
        for name, layer in self._layers:
            for pname, value in layer.params.items():
                value[...] = snapshot["params"][f"{name}.{pname}"]
        self._good[...] = self._flat
        self.loss_curve_ = list(snapshot["loss_curve"])
        self.n_steps_, self.n_epochs_ = snapshot["n_steps"], snapshot["n_epochs"]
        self._version += 1  # the one-drawing plan must be compiled again
        return self

    def train_steps(
        self,
        X,
        y,
        X_test=None,
        y_test=None,
        *,
        epochs: int | None = None,
        report_every: int | None = None,
        warm_start: bool = False,
    ) -> Iterator[Progress]:
        """Train step by step, yielding a Progress record now and then.

        X : (n, H, W) drawings, y : (n,) labels (any strings; at least two different ones).
        X_test, y_test : optional held-out drawings, scored at every report.
        epochs : passes over the data (default config.epochs).
        report_every : a report every this many steps (default: at the end of each epoch);
            the last step is always reported.
        warm_start : keep the current weights and optimiser state and train on (same classes
            needed); otherwise start afresh from random_state.

        Stop iterating at any time: the model keeps the weights of the last step taken.
        If the loss blows up (NaN, inf or above DIVERGED_LOSS) training stops with a report
        whose `diverged` is True, and the last good weights are put back.
        """
        X = self._check_images(X)
        y = self._check_labels(y, X.shape[0])
        test = None
        if (X_test is None) != (y_test is None):
            raise ValueError("give both X_test and y_test, or neither")
        if X_test is not None:
            Xt = self._check_images(X_test, "X_test")
            yt = self._check_labels(y_test, Xt.shape[0], "y_test")
            test = (Xt, yt)
        epochs = self.config.epochs if epochs is None else epochs
        if type(epochs) is not int or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
        if report_every is not None and (type(report_every) is not int or report_every < 1):
            raise ValueError(f"report_every must be a positive integer, got {report_every!r}")

        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(
                f"y must hold at least two different labels to tell apart, got {classes.tolist()}"
            )
        if classes.size > MAX_CLASSES:
            raise ValueError(
                f"y holds {classes.size} different labels; a model learns at most {MAX_CLASSES}"
            )
        warm = warm_start and self._layers is not None
        if warm and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"warm_start needs the labels the model was trained on "
                f"{self.classes_.tolist()}, got {classes.tolist()}"
            )
        if test is not None and not np.isin(test[1], classes).all():
            unknown = sorted(set(np.unique(test[1])) - set(classes))
            raise ValueError(
                f"y_test has labels the training data lacks: {unknown}; "
                f"known labels are {classes.tolist()}"
            )
        if not warm:
            self.classes_ = classes
            self._build(classes.size)
            self.loss_curve_: list[float] = []
            self.history_: list[Progress] = []
            self.n_steps_ = 0
            self.n_epochs_ = 0
        return self._train(X, np.searchsorted(classes, y), test, epochs, report_every)

    def _train(self, X, y_index, test, epochs, report_every) -> Iterator[Progress]:
        n, batch = X.shape[0], self.config.batch_size
        total = self.n_steps_ + epochs * -(-n // batch)
        if test is not None:  # its windows too are cut once
            test = (self._windows(test[0]), np.searchsorted(self.classes_, test[1]))
        # Running sums since the last report: loss per step, correct answers per drawing.
        loss_sum, correct, seen, steps = 0.0, 0, 0, 0
        # Shuffle once, then visit the batches in a new order every epoch: each batch is a
        # slice (no copy per step), and the steps still come in random order.
        order = self._rng.permutation(n)
        cols, y_index = self._windows(X[order]), y_index[order]  # cut once, in that order
        starts = np.arange(0, n, batch)
        for _ in range(epochs):
            self.n_epochs_ += 1
            epoch_loss = 0.0
            for step_in_epoch, start in enumerate(self._rng.permutation(starts), start=1):
                rows = slice(start, start + batch)
                loss, right = self._step(self._batch(cols, rows), y_index[rows])
                if not loss < DIVERGED_LOSS:  # NaN fails every comparison
                    yield self._diverged(total, f"the loss became {loss:.3g}")
                    return
                size = min(batch, n - start)
                epoch_loss += loss * size
                loss_sum, correct, seen = loss_sum + loss, correct + right, seen + size
                steps += 1
                end_of_epoch = step_in_epoch == len(starts)
                if end_of_epoch:  # before the report: a caller may stop after reading it
                    self.loss_curve_.append(epoch_loss / n)
                # Report at the end of each epoch, or every report_every steps; and at the end.
                due = end_of_epoch if report_every is None else self.n_steps_ % report_every == 0
                if due or self.n_steps_ == total:
                    if not np.isfinite(self._flat).all():
                        yield self._diverged(total, "the weights overflowed")
                        return
                    yield self._report(total, loss_sum / steps, correct / seen, test)
                    loss_sum, correct, seen, steps = 0.0, 0, 0, 0

    def _step(self, cols: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """One optimiser step on a batch of first-layer windows → (loss, number correct).
        If the loss blew up, no step is taken (the weights stay as they were)."""
        logits = self._logits(cols)
        loss = self._loss.forward(logits, y)
        if not loss < DIVERGED_LOSS:  # NaN fails every comparison
            return loss, 0
        self._good[...] = self._flat
        self._backward(self._loss.backward())
        self._optimizer.step()
        self.n_steps_ += 1
        self._version += 1
        return loss, int(np.count_nonzero(logits.argmax(axis=1) == y))

    def _windows(self, X: np.ndarray) -> np.ndarray:
        """The first convolution's windows for drawings X : (N, H, W), cut once per training
        (the drawings never change, only the kernels do): (N, OH, OW, k·k+1), or as columns
        (k·k+1, N, OH·OW) for the fused convolution + global max pooling (_drawing_axis 1)."""
        conv = self._by_name["conv1"]
        if self._fused_global_max:
            return conv.window_columns(X[..., None])
        return conv.im2col(X[..., None])

    def _batch(self, cols: np.ndarray, rows: slice) -> np.ndarray:
        """The windows of drawings `rows` (a slice: a view, no copy)."""
        return cols[:, rows] if self._drawing_axis else cols[rows]

    def _logits(self, cols: np.ndarray) -> np.ndarray:
        """Forward pass from first-layer windows (see _windows) → logits (N, classes)."""
        net = self._by_name
        if self._fused_global_max:
            pooled = self._conv_global_max(cols)
        else:
            z = net["conv1"].forward_cols(cols)
            if "conv2" in net:
                z = net["conv2"].forward(net["relu1"].forward(z))
            pooled = net["pool"].forward(z if self._pool_first else self._last_relu.forward(z))
        if self._pool_first:
            # max(relu(z)) = relu(max(z)), with the same gradient, ties included: threshold
            # the pooled map, which is smaller.
            pooled = self._last_relu.forward(pooled)
        return net["dense"].forward(net["flatten"].forward(pooled))

    def _conv_global_max(self, cols: np.ndarray) -> np.ndarray:
        """conv1 then global max pooling, fused, on window columns (k·k+1, N, P).

        The same numbers as Conv2D.forward_cols then GlobalMaxPool2D.forward, but laid out
        kernel by kernel, (K, N·P): one product gives every response, and each (kernel,
        drawing) maximum is a contiguous row for argmax (first maximum in row-major order, the
        layer's tie rule). Returns the maxima as (N, 1, 1, K); keeps the winners.
        """
        conv = self._by_name["conv1"]
        depth, n, positions = cols.shape
        self._cols_t = cols.reshape(depth, n * positions)  # a view, also for a batch slice
        responses = _matmul(conv._Wb.T, self._cols_t)  # (K, N·P), bias included
        self._winners = responses.reshape(-1, positions).argmax(axis=1)  # (K·N,)
        rows = np.arange(0, responses.size, positions)
        maxima = responses.reshape(-1)[rows + self._winners]  # (K·N,)
        return maxima.reshape(-1, n).T.reshape(n, 1, 1, -1)

    def _conv_global_max_backward(self, dY: np.ndarray) -> None:
        """Kernel gradients of the fused path: dY (N, K) reaches each kernel's map only at
        its winning window, so ∂loss/∂[W; b] for kernel k is Σ_n dY[n, k] · window(n, win)."""
        conv = self._by_name["conv1"]
        n, K = dY.shape
        positions = self._cols_t.shape[1] // n
        where = (np.arange(n) * positions)[None, :] + self._winners.reshape(K, n)  # (K, N)
        windows = self._cols_t[:, where]  # (k·k+1, K, N)
        sums = np.matmul(windows.transpose(1, 0, 2), dY.T[:, :, None])  # (K, k·k+1, 1)
        conv._dWb[...] = sums[:, :, 0].T

    def _backward(self, dlogits: np.ndarray) -> None:
        """Backward pass after _logits: fills the gradients of every trainable parameter."""
        net = self._by_name
        d = net["flatten"].backward(net["dense"].backward(dlogits))
        if self.config.freeze_kernels:
            return  # the gradient has nowhere further to go
        if self._pool_first:
            d = self._last_relu.backward(d)
            if self._fused_global_max:
                self._conv_global_max_backward(d.reshape(len(d), -1))
                return
            d = net["pool"].backward(d)
        else:
            d = self._last_relu.backward(net["pool"].backward(d))
        if "conv2" in net:
            d = net["relu1"].backward(net["conv2"].backward(d))
        net["conv1"].backward(d)

    def _diverged(self, total: int, reason: str) -> Progress:
        self._flat[...] = self._good
        self._optimizer = self._make_optimizer()  # its moments are poisoned too
        self._version += 1
        message = (
            f"Training diverged at step {self.n_steps_ + 1}: {reason}. The learning rate "
            f"({self.config.learning_rate:g}) is probably too large. The weights from before "
            f"that step are kept."
        )
        record = Progress.stopped(
            epoch=self.n_epochs_, step=self.n_steps_, total_steps=total,
            kernels=self.kernels, message=message,
        )  # fmt: skip
        self.history_.append(record)
        return record

    def _report(self, total, loss, accuracy, test) -> Progress:
        test_loss = test_accuracy = None
        if test is not None:
            test_windows, yt_index = test
            proba = self._softmax(self._logits(test_windows))
            p_true = proba[np.arange(len(yt_index)), yt_index]
            # The floor is the dtype's smallest normal number: 1e-300 is 0 in float32, and log(0)
            # would make a diverging run's test loss infinite instead of merely huge.
            floor = np.finfo(p_true.dtype).tiny
            test_loss = float(np.mean(-np.log(np.maximum(p_true, floor))))
            test_accuracy = float(np.mean(proba.argmax(axis=1) == yt_index))
        record = Progress(
            epoch=self.n_epochs_,
            step=self.n_steps_,
            total_steps=total,
            loss=float(loss),
            accuracy=float(accuracy),
            test_loss=test_loss,
            test_accuracy=test_accuracy,
            kernels=self.kernels,
        )
        self.history_.append(record)
        return record

    # --- prediction -------------------------------------------------------------------------

    def _forward(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities for checked drawings X : (N, H, W) → (N, n_classes)."""
        return self._softmax(self._logits(self._windows(X)))

    @staticmethod
    def _softmax(logits: np.ndarray) -> np.ndarray:
        out = logits - logits.max(axis=1, keepdims=True)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in classes_ order.

        X : (n, H, W) → (n, n_classes); a single drawing (H, W) → (n_classes,).
        """
        self._require_fitted()
        if isinstance(X, np.ndarray) and X.ndim == 2:
            return self._proba_one(X)
        X_checked = self._check_images(X)
        if np.ndim(X) == 2:
            return self._proba_one(X_checked[0])
        return self._forward(X_checked)

    def predict(self, X):
        """Labels: X : (n, H, W) → (n,) str array; a single drawing (H, W) → one str."""
        if isinstance(X, np.ndarray) and X.ndim == 2:
            self._require_fitted()
            logits = self._logits_one(X)
            if logits is not None:
                # The largest logit is the likeliest class (softmax keeps the order); the
                # first of equal ones wins, as argmax does on the probabilities. Plain Python:
                # at this size it is the cheaper way (tolist gives str, not numpy.str_).
                if len(logits) == 2:
                    best = 0 if logits[0] >= logits[1] else 1
                else:
                    best = max(range(len(logits)), key=logits.__getitem__)
                return self.classes_.tolist()[best]
        proba = self.predict_proba(X)
        if proba.ndim == 1:
            return str(self.classes_[proba.argmax()])
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y) -> float:
        """Accuracy: the fraction of drawings whose predicted label equals y."""
        X = self._check_images(X)
        y = self._check_labels(y, X.shape[0])
        return float(np.mean(self.predict(X) == y))

    def _proba_one(self, grid: np.ndarray) -> np.ndarray:
        """Class probabilities of one drawing (H, W) → (n_classes,), by the fast path."""
        logits = self._logits_one(grid)
        if logits is None:  # two convolutions: the ordinary forward pass
            return self._forward(grid[None].astype(np.float64))[0]
        return _softmax_small(logits)

    def _logits_one(self, grid: np.ndarray) -> list[float] | None:
        """The fast path for one drawing (H, W): about ten numpy calls on a compiled plan.

        returns : the logits in classes_ order, or None for a network with two convolutions
        (no compiled plan; the caller uses the ordinary forward pass). Checks the drawing.
        """
        size = self.config.grid_size
        if grid.shape != (size, size):
            raise ValueError(f"the drawing must be {size}×{size}, got shape {grid.shape}")
        x = grid.reshape(-1)
        if not (x[x.argmin()] >= 0.0 and x[x.argmax()] <= 1.0):  # argmin/max also find NaN
            raise ValueError("the drawing must hold values in [0, 1] (0/1 cells)")
        if self._plan_version != self._version:
            self._plan = self._compile_plan()
            self._plan_version = self._version
        plan = self._plan
        if plan is None:
            return None
        # Every window as a column (the appended 0 stands in for padding, the 1 is the
        # bias input), so one product gives the convolution: (K, OH·OW).
        # np.dot rather than @: for arrays this small its call overhead is the smaller one.
        z = np.dot(plan.kernels, np.concatenate((x, _ZERO_ONE))[plan.index])
        if plan.cells is None:
            # Global max pooling: each kernel's largest response (argmax is numpy's fastest
            # reduction). The plan adds a window of zeros, so the maximum is ≥ 0: that is
            # the threshold. An extra all-ones row carries the dense layer's bias.
            pooled = z.ravel()[z.argmax(axis=1) + plan.row_starts]
        else:
            if plan.use_max:
                pooled = z[:, plan.cells].max(axis=1).T  # (PH·PW, K), the Flatten order
            else:
                np.maximum(z, 0.0, out=z)  # average pooling needs the threshold first
                pooled = z[:, plan.cells].mean(axis=1).T
            pooled = np.maximum(pooled, 0.0).reshape(-1)
        logits = np.dot(pooled, plan.dense).tolist()
        if plan.dense_bias is not None:
            logits = [value + bias for value, bias in zip(logits, plan.dense_bias, strict=True)]
        return logits

    def _compile_plan(self) -> _Plan | None:
        """The weights and index arrays of _logits_one (None for two convolutions)."""
        net, cfg = self._by_name, self.config
        if "conv2" in net:
            return None
        conv, size = net["conv1"], cfg.grid_size
        k, pad, K = conv.kernel_size, conv.pad, conv.n_kernels
        side = size + 2 * pad - k + 1
        index = conv.window_index(size, size).T  # (k·k + 1, OH·OW), see Conv2D.window_index
        kernels = conv._Wb.T.astype(np.float64)  # (K, k·k + 1): each kernel, then its bias
        dense = net["dense"]
        dense_W, dense_b = dense.params["W"].astype(np.float64), dense.params["b"].tolist()
        pool = net["pool"]
        if isinstance(pool, GlobalMaxPool2D):
            ones = np.zeros((1, k * k + 1))
            ones[0, -1] = 1.0  # a "kernel" that always answers 1: the dense layer's bias input
            blank = np.full((k * k + 1, 1), size * size)  # a window of zeros, even for the bias
            return _Plan(
                index=np.hstack([index, blank]),
                kernels=np.vstack([kernels, ones]),
                cells=None,
                use_max=True,
                row_starts=np.arange(K + 1) * (side * side + 1),
                dense=np.vstack([dense_W, dense_b]),
                dense_bias=None,
            )
        return _Plan(
            index=index,
            kernels=kernels,
            cells=pool.windows(side, side).reshape(pool.size**2, -1),  # (pool², PH·PW)
            use_max=cfg.pool == "max",
            row_starts=None,
            dense=dense_W,
            dense_bias=dense_b,
        )

    def activations(self, grid) -> dict[str, np.ndarray]:
        """Every layer's output for one drawing, for the Inside-the-network view.

        Keys in order: input (H, W), conv1 and relu1 (K, OH, OW), [conv2, relu2], pool
        (C, PH, PW), flatten (D,), dense (n_classes,) logits, proba (n_classes,).
        Feature maps are channel-first, one map per kernel, as the deck draws them.
        """
        self._require_fitted()
        x = self._check_images(grid, "grid")
        if x.shape[0] != 1:
            raise ValueError(f"activations takes one drawing, got {x.shape[0]}")
        result = {"input": x[0].copy()}
        out = x[..., None]
        for name, layer in self._layers:
            out = layer.forward(out)
            value = out[0]
            result[name] = np.moveaxis(value, -1, 0).copy() if value.ndim == 3 else value.copy()
        logits = result["dense"]
        e = np.exp(logits - logits.max())
        result["proba"] = e / e.sum()
        return result

    # --- save / load ------------------------------------------------------------------------

    def save(self, file) -> None:
        """Write the model to `file` (a path or a binary file object) as .npz: configuration
        (JSON), classes, seed, loss curve and every layer's parameters, no pickle."""
        self._require_fitted()
        arrays = {
            "format": np.array(_FILE_FORMAT),
            "version": np.array(_FILE_VERSION),
            "config": np.array(self.config.to_json()),
            "classes": np.asarray(self.classes_, dtype=str),
            "random_state": np.array(self.random_state),
            "loss_curve": np.asarray(self.loss_curve_, dtype=np.float64),
            "dtype": np.array(self.dtype.name),
        }
        for name, layer in self._layers:
            for pname, value in layer.params.items():
                arrays[f"{name}.{pname}"] = value
        if isinstance(file, str | os.PathLike):
            with open(file, "wb") as handle:
                np.savez(handle, **arrays)
        else:
            np.savez(file, **arrays)

    @classmethod
    def load(cls, file) -> CNNClassifier:
        """Read a model written by `save` (a path, bytes or a binary file object).

        ValueError, with the reason, for anything else: truncated, foreign, pickled, tampered.
        FileNotFoundError if the path does not exist.
        """
        where = (
            f"'{shorten(os.fspath(file), 80)}'"
            if isinstance(file, str | os.PathLike)
            else "the file"
        )
        # Every bound is checked before an array is unpacked: a small file can declare
        # gigabytes (a zip bomb, or a header's shape of 10¹² entries).
        try:
            data = read_npz(
                file, "it",
                max_file_bytes=MAX_FILE_BYTES, max_members=32,
                max_array_bytes=MAX_ARRAY_BYTES, max_total_bytes=MAX_UNPACKED_BYTES,
            )  # fmt: skip
        except ValueError as error:
            raise ValueError(f"{where} is not a CNN Playground model file ({error})") from None
        try:
            return cls._from_arrays(data)
        except ValueError as error:
            raise ValueError(
                f"{where} is not a usable CNN Playground model file: {error}"
            ) from None

    @classmethod
    def _from_arrays(cls, data: dict[str, np.ndarray]) -> CNNClassifier:
        def text(key):
            value = data.get(key)
            if value is None or value.dtype.kind != "U" or value.ndim != 0:
                raise ValueError(f"'{key}' is missing or not a string")
            return str(value)

        if text("format") != _FILE_FORMAT:
            raise ValueError(
                f"its format is {describe(text('format'), ECHO_CHARS)}, not {_FILE_FORMAT!r}"
            )
        version = data.get("version")
        if version is None or version.shape != () or version.dtype.kind not in "iu":
            raise ValueError("'version' is missing")
        if int(version) != _FILE_VERSION:
            raise ValueError(f"it is version {int(version)}; this program reads {_FILE_VERSION}")
        config = CNNConfig.from_json(text("config"))
        classes = data.get("classes")
        if classes is None or classes.dtype.kind != "U" or classes.ndim != 1:
            raise ValueError("'classes' is missing or not a list of labels")
        if not 2 <= classes.size <= MAX_CLASSES or np.unique(classes).size != classes.size:
            raise ValueError(
                f"'classes' must be 2 to {MAX_CLASSES} different labels, got {classes.size}"
            )
        if classes.dtype.itemsize // 4 > MAX_LABEL_CHARS:
            raise ValueError(f"'classes' holds labels over {MAX_LABEL_CHARS} characters long")
        seed = data.get("random_state")
        if seed is None or seed.shape != () or seed.dtype.kind not in "iu" or int(seed) < 0:
            raise ValueError("'random_state' is missing")
        curve = data.get("loss_curve")
        if curve is None or curve.ndim != 1 or curve.dtype.kind != "f":
            raise ValueError("'loss_curve' is missing")

        dtype = text("dtype")
        if dtype not in ("float32", "float64"):
            raise ValueError(
                f"'dtype' must be float32 or float64, got {describe(dtype, ECHO_CHARS)}"
            )
        model = cls(config, random_state=int(seed), dtype=dtype)
        model.classes_ = np.sort(classes)
        if not np.array_equal(model.classes_, classes):
            raise ValueError("'classes' are not in sorted order")
        model._build(classes.size)
        expected = {
            f"{name}.{pname}": value
            for name, layer in model._layers
            for pname, value in layer.params.items()
        }
        extra = set(data) - set(expected) - {
            "format", "version", "config", "classes", "random_state", "loss_curve", "dtype"
        }  # fmt: skip
        if extra:
            raise ValueError(f"unexpected arrays: {', '.join(sorted(extra))}")
        for key, target in expected.items():
            value = data.get(key)
            if value is None:
                raise ValueError(f"the weights '{key}' are missing")
            if value.shape != target.shape or value.dtype.kind != "f":
                raise ValueError(
                    f"the weights '{key}' have shape {value.shape} ({value.dtype}); "
                    f"the configuration needs {target.shape} floats"
                )
            if not np.isfinite(value).all():
                raise ValueError(f"the weights '{key}' hold NaN or infinite values")
            target[...] = value
        model._good[...] = model._flat
        model.loss_curve_ = curve.tolist()
        model.history_ = []
        model.n_steps_ = 0
        model.n_epochs_ = len(model.loss_curve_)
        model._version += 1
        return model
