"""What decides which model gets trained: `CNNConfig`, its limits, and the generated data.

    config = CNNConfig(n_kernels=8, epochs=5)    # checked on creation: a bad field says why
    X_train, X_test, y_train, y_test = generated_data(config, seed=0)

The Train page, the command line and a model file all hold a CNNConfig, so the same
configuration and seed train the same model everywhere. `CNNClassifier` (cnn_core.model)
builds its network from one.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

from cnn_core import _checks
from cnn_core._checks import describe
from cnn_core.data import make_xo_split
from cnn_core.untrusted import ECHO_CHARS, load_json, shorten

__all__ = ["CNNConfig", "generated_data", "MAX_CONNECTIONS", "MAX_CLASSES"]

# The largest network a configuration may describe, in connections: the Inside page draws
# each as a line, about 24 µs apiece on a slow 2-core laptop, so this is about a second.
# The default network has 26,880; a 16×16 drawing with the default kernels would have 103,000.
MAX_CONNECTIONS = 50_000
MAX_CLASSES = 16  # labels a model may learn (the dense layer's outputs)
MAX_CONFIG_BYTES = 4096  # a configuration as JSON (inside a model file, for one)


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
    # 5 epochs of 1,400 drawings (220 steps). The generated data hold small letters drawn cell
    # by cell and O's with hairlines; in 3 × 800 (75 steps) the network does not learn them
    # all. Measured on seeds 0–39 with `python -m cnn_core.bench`'s figures (and held-out
    # accuracy on 2,000 drawings a seed): 1,200 drawings with the older, milder hairlines
    # missed a floor on 8 seeds, these data on 3; 1,300 or 1,600 drawings did no better.
    epochs: int = 5  # passes over the training drawings
    # --- the generated training data (make_xo_split)
    n_train: int = 1400  # training drawings, half X and half O
    n_test: int = 200  # held-out drawings to measure accuracy on
    noise: float = 0.02  # chance of a stray speck on each background pixel

    def __post_init__(self) -> None:
        _checks.int_between("grid_size", self.grid_size, 4, 32)
        _checks.int_between("n_kernels", self.n_kernels, 1, 16)
        _checks.int_between("kernel_size", self.kernel_size, 2, 5)
        _checks.as_choice(self.kernel_init, "kernel_init", ("random", "deck"))
        _checks.boolean("freeze_kernels", self.freeze_kernels)
        _checks.int_between("conv_layers", self.conv_layers, 1, 2)
        _checks.int_between("n_kernels2", self.n_kernels2, 1, 32)
        _checks.int_between("kernel_size2", self.kernel_size2, 2, 5)
        _checks.as_choice(self.pool, "pool", ("max", "avg"))
        if self.pool_size != "global":
            _checks.int_between("pool_size", self.pool_size, 1, 32)
        _checks.as_choice(self.optimizer, "optimizer", ("adam", "sgd"))
        _checks.number_between("learning_rate", self.learning_rate, 0.0, math.inf, low_open=True)
        _checks.number_between("momentum", self.momentum, 0.0, 1.0, high_open=True)
        _checks.int_between("batch_size", self.batch_size, 1, 4096)
        _checks.int_between("epochs", self.epochs, 1, 10_000)
        _checks.int_between("n_train", self.n_train, 2, 1_000_000)
        _checks.int_between("n_test", self.n_test, 1, 1_000_000)
        _checks.number_between("noise", self.noise, 0.0, 0.5)
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


def generated_data(config: CNNConfig | None = None, seed: int = 0):
    """The generated drawings `config` asks for: (X_train, X_test, y_train, y_test).

    The command line and the Train page both call this, so `--seed S` means the same data.
    """
    config = config if config is not None else CNNConfig()
    return make_xo_split(
        config.n_train, config.n_test, size=config.grid_size, seed=seed, noise=config.noise
    )
