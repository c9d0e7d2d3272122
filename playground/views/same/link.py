"""The "Same?" page's link adapter: its session state (session.py) ⇄ a LinkState."""

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
from playground.views.same import session

# The link's short names of the page's settings, and the PipelineSettings fields they are.
LINK_FIELDS = {"pad": "padding", "t": "t", "pm": "pool_mode", "ps": "pool_size"}


def same_link_state(ss: Mapping) -> LinkState | None:
    """The "Same?" page's two drawings, its kernels and settings as they are in session state."""
    same = session.read(ss)
    if same is None:
        return None
    if same.kernel_choice in presets.PRESETS:
        chosen = (np.asarray(presets.PRESETS[same.kernel_choice].values, dtype=float),)
    else:
        chosen = tuple(np.asarray(k, dtype=float) for k in network_sources.current_kernels()[0])
    settings = {short: getattr(same.settings, name) for short, name in LINK_FIELDS.items()}
    return LinkState((same.a, same.b), chosen[:MAX_KERNELS], settings)


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
    widgets.set_grid(session.A, a)
    widgets.set_grid(session.B, b)
    ss[session.SOURCE] = np.array(a)
    shift = _find_shift(a, b)
    ss[session.RECIPE] = CopyRecipe() if shift is None else CopyRecipe(dr=shift[0], dc=shift[1])
    ss[session.FREE] = shift is None
    if state.kernels:
        name = preset_name(state.kernels[0])
        if len(state.kernels) == 1 and name in presets.PRESETS:
            ss[session.KERNELS] = name
        else:
            apply_to_lab(ss, LinkState(kernels=state.kernels), settings=False)
            ss[session.KERNELS] = session.LAB_KERNELS
    given = {name: state.settings[short] for short, name in LINK_FIELDS.items()
             if short in state.settings}  # fmt: skip
    session.update_settings(ss, **given)  # the settings the link leaves out stay as they are


def _find_shift(a: np.ndarray, b: np.ndarray, limit: int = 3) -> tuple[int, int] | None:
    """(dr, dc) when ``b`` is ``a`` moved by at most ``limit`` cells, else None."""
    if a.shape != b.shape:
        return None
    for dr in range(-limit, limit + 1):
        for dc in range(-limit, limit + 1):
            if np.array_equal(grid_ops.shift(a, dr, dc), b):
                return dr, dc
    return None
