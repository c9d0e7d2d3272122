"""The small CNN classifier: the network, training step by step, prediction, save / load.

    model = CNNClassifier(CNNConfig(), random_state=0).fit(X_train, y_train)
    model.predict(grid)                    # "X"
    for p in model.train_steps(X, y, X_test, y_test, report_every=1):
        ...                                # draw p.loss, p.kernels; stop whenever you like

The network, in the deck's order: conv → threshold (ReLU) → [conv → ReLU] → pool → dense →
softmax. Class labels are data: any set of strings, learned from `y`.

What it is built from lives beside it: the configuration and the generated data in
`config.py`, the layers and optimisers in `layers.py`, and the two fast paths (fused training
of the default network, one drawing at a time) in `fast_paths.py`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from cnn_core._checks import describe
from cnn_core.config import (  # noqa: F401  (re-exported: callers import them from here)
    MAX_CLASSES,
    MAX_CONNECTIONS,
    CNNConfig,
    generated_data,
)
from cnn_core.fast_paths import FusedConvGlobalMax, OneDrawingPlan, softmax_one
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
    softmax,
)
from cnn_core.untrusted import ECHO_CHARS, read_npz, shorten

__all__ = ["CNNConfig", "CNNClassifier", "Progress", "DECK_KERNELS", "generated_data"]

# The deck's hand-made 3×3 kernels, the "experts'" masks (cnn_core.kernels): the two
# diagonals and the horizontal line. kernel_init="deck" puts them first, in this order.
DECK_KERNELS = ("deck diagonal \\", "deck diagonal /", "horizontal line")

# A mean cross-entropy this large means the true class gets probability below e^-1000:
# the steps have blown the weights up, whether or not the numbers overflowed yet.
DIVERGED_LOSS = 1e3

_FILE_FORMAT = "cnn-playground-model"
_FILE_VERSION = 1

MAX_LABEL_CHARS = 40  # the longest label a model file may hold
# What a model file may cost to read: its size on disk, and in memory once unpacked.
MAX_FILE_BYTES = 5 * 1024 * 1024  # the playground's models are tens of KB
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
MAX_ARRAY_BYTES = 4 * 1024 * 1024


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
        fused = isinstance(self._by_name["pool"], GlobalMaxPool2D) and cfg.conv_layers == 1
        self._fused = FusedConvGlobalMax(conv1) if fused else None
        self._drawing_axis = 1 if fused else 0  # where _windows keeps drawings
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
        if self._fused is not None:
            return conv.window_columns(X[..., None])
        return conv.im2col(X[..., None])

    def _batch(self, cols: np.ndarray, rows: slice) -> np.ndarray:
        """The windows of drawings `rows` (a slice: a view, no copy)."""
        return cols[:, rows] if self._drawing_axis else cols[rows]

    def _logits(self, cols: np.ndarray) -> np.ndarray:
        """Forward pass from first-layer windows (see _windows) → logits (N, classes)."""
        net = self._by_name
        if self._fused is not None:
            pooled = self._fused.forward(cols)
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

    def _backward(self, dlogits: np.ndarray) -> None:
        """Backward pass after _logits: fills the gradients of every trainable parameter."""
        net = self._by_name
        d = net["flatten"].backward(net["dense"].backward(dlogits))
        if self.config.freeze_kernels:
            return  # the gradient has nowhere further to go
        if self._pool_first:
            d = self._last_relu.backward(d)
            if self._fused is not None:
                self._fused.backward(d.reshape(len(d), -1))
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
            proba = softmax(self._logits(test_windows))
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
        return softmax(self._logits(self._windows(X)))

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
        return softmax_one(logits)

    def _logits_one(self, grid: np.ndarray) -> list[float] | None:
        """The fast path for one drawing (H, W): a compiled plan (fast_paths.OneDrawingPlan).

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
            self._plan = OneDrawingPlan.compile(
                self._by_name, self.config.grid_size, self.config.pool == "max"
            )
            self._plan_version = self._version
        if self._plan is None:
            return None
        return self._plan.logits(x)

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
