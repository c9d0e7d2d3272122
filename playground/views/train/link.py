"""The Train page's link adapter: its session state (session.py) ⇄ a
LinkState (a trained model is never in a link: it is trained again from these settings)."""

from __future__ import annotations

from collections.abc import Mapping

from playground.links.codec import (
    TRAIN_GRID,
    LinkState,
)
from playground.ui import widgets
from playground.views.train import session

# The link's short names of the page's settings (session.SETTINGS' field names).
LINK_FIELDS = {
    "n": "n_train", "nt": "n_test", "noise": "noise", "seed": "seed", "nk": "n_kernels",
    "ks": "kernel_size", "init": "kernel_init", "frz": "freeze_kernels", "opt": "optimizer",
    "lr": "learning_rate", "ep": "epochs",
}  # fmt: skip


def _to_link(field: str, value):
    return ("1" if value else "0") if field == "freeze_kernels" else value


def train_link_state(ss: Mapping) -> LinkState | None:
    """The Train page's drawing and settings as they are in session state (never its model)."""
    train = session.read(ss)
    if train is None:
        return None
    settings = {short: _to_link(f, train.values[f]) for short, f in LINK_FIELDS.items()}
    return LinkState((train.grid,), (), settings)


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
        widgets.set_grid(session.GRID, state.grids[0])
    session.write_values(
        ss,
        {f: state.settings[short] for short, f in LINK_FIELDS.items() if short in state.settings},
    )
