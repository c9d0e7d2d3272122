"""The Train page's link adapter: its drawing and sidebar widgets (train.py) ⇄ a
LinkState (a trained model is never in a link: it is trained again from these settings)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_core.model import CNNConfig
from playground.links.codec import (
    TRAIN_GRID,
    LinkState,
)
from playground.ui import widgets

# --- the Train page (train.py: its drawing and its sidebar's widgets) ------------------

TRAIN_DRAWING = "train_grid"
TRAIN_SETTINGS = {
    "n": "train_n_train",
    "nt": "train_n_test",
    "noise": "train_noise",
    "seed": "train_seed",
    "nk": "train_n_kernels",
    "ks": "train_kernel_size",
    "init": "train_init",
    "frz": "train_frozen",
    "opt": "train_optimizer",
    "lr": "train_lr",
    "ep": "train_epochs",
}


def train_defaults() -> dict[str, object]:
    """The Train page's settings before anyone touches them (its widgets' defaults)."""
    d = CNNConfig()
    return {
        "n": d.n_train,
        "nt": d.n_test,
        "noise": d.noise,
        "seed": 0,
        "nk": d.n_kernels,
        "ks": d.kernel_size,
        "init": d.kernel_init,
        "frz": "1" if d.freeze_kernels else "0",
        "opt": d.optimizer,
        "lr": d.learning_rate,
        "ep": d.epochs,
    }


def train_link_state(ss: Mapping) -> LinkState | None:
    """The Train page's drawing and settings as they are in session state (never its model)."""
    if TRAIN_DRAWING not in ss:
        return None
    settings: dict[str, object] = {}
    for key, default in train_defaults().items():
        value = ss.get(TRAIN_SETTINGS[key], default)
        if value is None:
            value = default
        if key == "frz":
            value = "1" if value in (True, "1") else "0"
        elif key in ("noise", "lr"):
            value = float(value)
        elif key not in ("init", "opt"):
            value = int(value)
        settings[key] = value
    return LinkState((np.asarray(ss[TRAIN_DRAWING], dtype=int),), (), settings)


def check_for_train(state: LinkState) -> list[str]:
    """What in ``state`` the Train page cannot show: one 8×8 drawing, a learning rate > 0."""
    errors = []
    if len(state.grids) > 1:
        errors.append(f"the Train page shows one drawing (g), the link has {len(state.grids)}")
    for grid in state.grids:
        if grid.shape != (TRAIN_GRID, TRAIN_GRID):
            errors.append(
                f"the Train page's drawing (g) is {TRAIN_GRID}×{TRAIN_GRID}, "
                f"the link's is {grid.shape[0]}×{grid.shape[1]}"
            )
    if state.settings.get("lr", 1.0) <= 0:
        errors.append("the learning rate (lr) must be more than 0")
    return errors


def apply_to_train(ss, state: LinkState) -> None:
    """Load a link into the Train page's session keys; settings it leaves out get defaults."""
    if state.grids:
        widgets.set_grid(TRAIN_DRAWING, state.grids[0])
    settings = {**train_defaults(), **state.settings}
    for key, ss_key in TRAIN_SETTINGS.items():
        value = settings[key]
        ss[ss_key] = value == "1" if key == "frz" else value
