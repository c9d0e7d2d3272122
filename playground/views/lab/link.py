"""The Convolution lab's link adapter: its session state (session.py) ⇄ a LinkState."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_core import conv_output_shape
from cnn_core import kernels as presets
from playground.links.codec import (
    GRID_MAX,
    GRID_MIN,
    LinkState,
)
from playground.state import lab_kernel
from playground.ui import widgets
from playground.views.lab import session
from playground.views.lab.values import Settings


def settings_to_link(s: Settings) -> dict[str, object]:
    """The lab's settings in the link's short names (pst and lp only when they matter)."""
    link: dict[str, object] = {
        "pad": s.padding, "s": s.stride, "t": s.t, "pm": s.pool_mode, "ps": s.pool_size,
    }  # fmt: skip
    if s.pool_stride is not None:
        link["pst"] = s.pool_stride
    if s.pool_mode == "lp":
        link["lp"] = s.p
    return link


def settings_from_link(link: Mapping[str, object], n_kernels: int) -> Settings:
    """A link's settings (short names, as the codec checked them); the ones it leaves out get
    the lab's defaults, so the lab shows exactly the link."""
    d = session.DEFAULT
    return Settings(
        padding=link.get("pad", d.padding),
        stride=int(link.get("s", d.stride)),
        t=float(link.get("t", d.t)),
        pool_mode=str(link.get("pm", d.pool_mode)),
        p=float(link.get("lp", d.p)),
        pool_size=int(link.get("ps", d.pool_size)),
        pool_stride=None if link.get("pst") is None else int(link["pst"]),
        n_kernels=n_kernels,
    )


def preset_name(kernel: np.ndarray) -> str:
    """The preset a kernel equals, so the editor shows its name; else "(custom)"."""
    for name, preset in presets.PRESETS.items():
        if preset.values.shape == kernel.shape and np.allclose(preset.values, kernel):
            return name
    return widgets.CUSTOM


# --- the lab ---------------------------------------------------------------------------------


def lab_link_state(ss: Mapping) -> LinkState | None:
    """The lab's drawing, kernels and settings as they are in session state."""
    lab = session.read(ss)
    if lab is None:
        return None
    return LinkState((lab.grid,), lab.kernels, settings_to_link(lab.settings))


def check_for_lab(state: LinkState) -> list[str]:
    """What in ``state`` the lab cannot show (it takes one square drawing 5–16 a side)."""
    errors = []
    if len(state.grids) > 1:
        errors.append(f"the lab shows one drawing (g), the link has {len(state.grids)}")
    for grid in state.grids:
        if grid.shape[0] < GRID_MIN:
            errors.append(
                f"the lab's drawings are {GRID_MIN}×{GRID_MIN} to {GRID_MAX}×{GRID_MAX}, "
                f"the link's is {grid.shape[0]}×{grid.shape[1]}"
            )
    return errors


def apply_to_lab(
    ss, state: LinkState, *, step_cell: tuple[int, int] | None = None, settings: bool = True
) -> None:
    """Load ``state`` into the lab's session keys (before the lab runs, or from a callback).

    Settings the link leaves out get the lab's defaults, so the lab shows exactly the link;
    ``settings=False`` keeps the lab's settings (a file of drawings and kernels).
    step_cell : (row, col) counted from 0 of the convolution window to show in the lab's
        step-through (the lesson's "Open in the lab" passes its window)
    """
    if state.grids:
        widgets.set_grid(session.GRID, state.grids[0])
    if state.kernels:
        ss[session.N_KERNELS] = len(state.kernels)
        for i, kernel in enumerate(state.kernels, start=1):
            widgets.set_kernel(lab_kernel(i), kernel, preset_name(kernel))
    if not settings:
        return
    s = settings_from_link(state.settings, max(1, len(state.kernels)))
    session.write_settings(ss, s, n_kernels=False)
    if step_cell is not None and state.grids and state.kernels:
        try:
            _, ow = conv_output_shape(
                state.grids[0].shape, state.kernels[0].shape, s.padding, s.stride
            )
        except ValueError:
            return
        session.show_step(ss, "convolution", 0, int(step_cell[0]) * ow + int(step_cell[1]))
