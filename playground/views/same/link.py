"""The "Same?" page's link adapter: its session keys (same.py) ⇄ a LinkState."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_core import grids as grid_ops
from cnn_core import kernels as presets
from cnn_core.compare import CopyRecipe
from playground import network_sources
from playground.links.codec import (
    MAX_KERNELS,
    LinkState,
)
from playground.ui import widgets
from playground.views.lab.link import apply_to_lab, preset_name

# --- the "Same?" and "Inside the network" pages (their documented session keys) ---------------


SAME_LAB_KERNELS = "the lab's kernels"  # the Same? page's kernel choice meaning "the lab's"
SAME_SETTINGS = {
    "pad": "same_padding",
    "t": "same_t",
    "pm": "same_pool_mode",
    "ps": "same_pool_size",
}
SAME_DEFAULTS = {"pad": "same", "t": 0.0, "pm": "max", "ps": 2}


def same_link_state(ss: Mapping) -> LinkState | None:
    """The "Same?" page's two drawings, its kernels and settings as they are in session state."""
    if "same_a" not in ss or "same_b" not in ss:
        return None
    choice = ss.get("same_kernels") or SAME_LAB_KERNELS
    if choice in presets.PRESETS:
        chosen = (np.asarray(presets.PRESETS[choice].values, dtype=float),)
    else:
        chosen = tuple(np.asarray(k, dtype=float) for k in network_sources.current_kernels()[0])
    settings = {
        key: ss.get(same_key, SAME_DEFAULTS[key]) for key, same_key in SAME_SETTINGS.items()
    }
    settings["t"] = float(settings["t"])
    settings["ps"] = int(settings["ps"])
    drawings = (np.asarray(ss["same_a"], dtype=int), np.asarray(ss["same_b"], dtype=int))
    return LinkState(drawings, chosen[:MAX_KERNELS], settings)


def check_for_same(state: LinkState) -> list[str]:
    """What in ``state`` the "Same?" page cannot show: it compares two drawings."""
    errors = []
    if state.grids and len(state.grids) != 2:
        errors.append(f"the Same? page compares 2 drawings (g), the link has {len(state.grids)}")
    if state.settings.get("pad") not in (None, "valid", "same"):
        errors.append("the Same? page pads with valid or same (pad)")
    return errors


def apply_to_same(ss, state: LinkState) -> None:
    """Load two drawings (and kernels, and settings) into the "Same?" page (same.py).

    When B is A shifted, B is kept as the page's shift recipe (its arrows go on from there);
    otherwise B counts as drawn by hand. One preset kernel is chosen by name; other kernels
    are put into the lab, whose kernels the page can use.
    """
    if len(state.grids) != 2:
        return
    a, b = state.grids[0], state.grids[1]
    widgets.set_grid("same_a", a)
    widgets.set_grid("same_b", b)
    ss["same_b_source"] = np.array(a)
    shift = _find_shift(a, b)
    ss["same_recipe"] = CopyRecipe() if shift is None else CopyRecipe(dr=shift[0], dc=shift[1])
    ss["same_b_free"] = shift is None
    if state.kernels:
        name = preset_name(state.kernels[0])
        if len(state.kernels) == 1 and name in presets.PRESETS:
            ss["same_kernels"] = name
        else:
            apply_to_lab(ss, LinkState(kernels=state.kernels), settings=False)
            ss["same_kernels"] = SAME_LAB_KERNELS
    for key, same_key in SAME_SETTINGS.items():
        if key in state.settings:
            value = state.settings[key]
            ss[same_key] = float(value) if key == "t" else value


def _find_shift(a: np.ndarray, b: np.ndarray, limit: int = 3) -> tuple[int, int] | None:
    """(dr, dc) when ``b`` is ``a`` moved by at most ``limit`` cells, else None."""
    if a.shape != b.shape:
        return None
    for dr in range(-limit, limit + 1):
        for dc in range(-limit, limit + 1):
            if np.array_equal(grid_ops.shift(a, dr, dc), b):
                return dr, dc
    return None
