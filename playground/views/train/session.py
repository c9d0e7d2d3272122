"""The Train page's session state as one typed value: its keys, their defaults, read and
written once (by the page, train.py, and by its link adapter, link.py).

Keys (all start with ``train_``):
    train_run               : TrainingRun or None (state.TRAIN_RUN; this session's model)
    train_live_load         : runs the server was training when this one started (live_plan)
    train_added             : list of Added, the learner's drawings for the training set
    train_grid, train_grid_rev : the drawing (H, W) of 0/1 and its revision
    train_notice            : a message for the next run ("Added your drawing as X …")
    train_<setting>         : the sidebar's widgets, one per entry of SETTINGS
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cnn_core.model import CNNConfig
from playground import state

RUN = state.TRAIN_RUN
LIVE_LOAD = "train_live_load"
ADDED = "train_added"
GRID = "train_grid"
NOTICE = "train_notice"

# The sidebar's settings: a CNNConfig field (or "seed") → its widget's key.
SETTINGS = {
    "n_train": "train_n_train",
    "n_test": "train_n_test",
    "noise": "train_noise",
    "seed": "train_seed",
    "n_kernels": "train_n_kernels",
    "kernel_size": "train_kernel_size",
    "kernel_init": "train_init",
    "freeze_kernels": "train_frozen",
    "optimizer": "train_optimizer",
    "learning_rate": "train_lr",
    "epochs": "train_epochs",
}
DEFAULT = CNNConfig()  # the command line trains with the same defaults
DEFAULT_SEED = 0
DEFAULT_VALUES: dict[str, object] = {
    field: DEFAULT_SEED if field == "seed" else getattr(DEFAULT, field) for field in SETTINGS
}
WIDGET_DEFAULTS = {key: DEFAULT_VALUES[field] for field, key in SETTINGS.items()}


def _typed(field: str, value) -> object:
    """A widget's value as the setting's type (a number box may hold an int for a float)."""
    cast = type(DEFAULT_VALUES[field])
    return (value in (True, "1")) if cast is bool else cast(value)


def init_settings(ss) -> None:
    """Give every setting its default, once per session."""
    state.set_defaults(ss, WIDGET_DEFAULTS)


def read_values(ss: Mapping) -> dict[str, object]:
    """The settings as they are in ``ss``, by field name, each of its type (not yet checked
    together: ``read_config`` does that)."""
    values = {}
    for field, key in SETTINGS.items():
        value = ss.get(key)
        values[field] = DEFAULT_VALUES[field] if value is None else _typed(field, value)
    return values


def write_values(ss, values: Mapping[str, object]) -> None:
    """Put settings (by field name; the ones left out get their defaults) into the widgets'
    keys, before the page runs or from a callback."""
    for field, key in SETTINGS.items():
        ss[key] = _typed(field, values.get(field, DEFAULT_VALUES[field]))


def read_config(ss: Mapping) -> tuple[CNNConfig | None, int, str | None]:
    """The settings as a network's configuration → (config or None, seed, error or None).

    Widgets allow a few combinations the network cannot take (the deck's kernels are 3×3; a
    learning rate must be positive): CNNConfig says why, and the page shows it.
    """
    try:
        values = read_values(ss)
    except (TypeError, ValueError) as error:  # a key set to something no widget holds
        return None, DEFAULT_SEED, str(error)
    seed = int(values.pop("seed"))
    try:
        return CNNConfig(**values), seed, None
    except (TypeError, ValueError) as error:
        return None, seed, str(error)


@dataclass(frozen=True)
class TrainState:
    """What a link of the Train page carries: its drawing and its settings (never a model:
    a network is trained again from these)."""

    grid: np.ndarray  # (8, 8) of 0/1
    values: dict[str, object]  # read_values


def read(ss: Mapping) -> TrainState | None:
    """The page's drawing and settings, or None before it (or a link) gave it a drawing."""
    if GRID not in ss:
        return None
    return TrainState(np.asarray(ss[GRID], dtype=int), read_values(ss))
