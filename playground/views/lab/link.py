"""The Convolution lab's link adapter: its session keys (lab.py) ⇄ a LinkState."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_core import conv_output_shape
from cnn_core import kernels as presets
from cnn_core.pipeline import PipelineSettings
from playground.links.codec import (
    GRID_MAX,
    GRID_MIN,
    LinkState,
)
from playground.state import LAB_GRID, LAB_N_KERNELS, lab_kernel
from playground.ui import widgets

# --- the lab's session keys (documented at the top of lab.py) --------------------------
_PIPELINE = PipelineSettings()  # the pipeline's defaults, stated once in cnn_core.pipeline
LAB_DEFAULTS = {
    "pad": _PIPELINE.padding, "s": _PIPELINE.stride, "t": _PIPELINE.t,
    "pm": _PIPELINE.pool_mode, "ps": _PIPELINE.pool_size, "pst": _PIPELINE.pool_stride,
    "lp": _PIPELINE.p,
}  # fmt: skip
EQUAL_STRIDE = "= size"  # the lab's pool stride option meaning "the pool size"


def preset_name(kernel: np.ndarray) -> str:
    """The preset a kernel equals, so the editor shows its name; else "(custom)"."""
    for name, preset in presets.PRESETS.items():
        if preset.values.shape == kernel.shape and np.allclose(preset.values, kernel):
            return name
    return widgets.CUSTOM


# --- the lab ---------------------------------------------------------------------------------


def lab_link_state(ss: Mapping) -> LinkState | None:
    """The lab's drawing, kernels and settings as they are in session state."""
    if LAB_GRID not in ss:
        return None
    n = int(ss.get(LAB_N_KERNELS) or 1)
    found = (widgets.kernel_value(ss, lab_kernel(i)) for i in range(1, n + 1))
    kernels = tuple(kernel for kernel in found if kernel is not None)
    kind = ss.get("lab_pad_kind") or LAB_DEFAULTS["pad"]
    settings: dict[str, object] = {
        "pad": int(ss.get("lab_pad_n", 1)) if kind == "n" else kind,
        "s": int(ss.get("lab_stride", LAB_DEFAULTS["s"])),
        "t": float(ss.get("lab_t", LAB_DEFAULTS["t"])),
        "pm": ss.get("lab_pool_mode") or LAB_DEFAULTS["pm"],
        "ps": int(ss.get("lab_pool_size", LAB_DEFAULTS["ps"])),
    }
    pool_stride = ss.get("lab_pool_stride", EQUAL_STRIDE)
    if pool_stride not in (None, EQUAL_STRIDE):
        settings["pst"] = int(pool_stride)
    if settings["pm"] == "lp":
        settings["lp"] = float(ss.get("lab_p", LAB_DEFAULTS["lp"]))
    return LinkState((np.asarray(ss[LAB_GRID], dtype=int),), kernels, settings)


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
        widgets.set_grid(LAB_GRID, state.grids[0])
    if state.kernels:
        ss[LAB_N_KERNELS] = len(state.kernels)
        for i, kernel in enumerate(state.kernels, start=1):
            widgets.set_kernel(lab_kernel(i), kernel, preset_name(kernel))
    if not settings:
        return
    settings = {**LAB_DEFAULTS, **state.settings}
    pad = settings["pad"]
    if isinstance(pad, str):
        ss["lab_pad_kind"] = pad
    else:
        ss["lab_pad_kind"] = "n"
        ss["lab_pad_n"] = int(pad)
    ss["lab_stride"] = int(settings["s"])
    ss["lab_t"] = float(settings["t"])
    ss["lab_pool_mode"] = settings["pm"]
    ss["lab_pool_size"] = int(settings["ps"])
    ss["lab_pool_stride"] = EQUAL_STRIDE if settings["pst"] is None else int(settings["pst"])
    ss["lab_p"] = float(settings["lp"])
    if step_cell is not None and state.grids and state.kernels:
        try:
            _, ow = conv_output_shape(
                state.grids[0].shape, state.kernels[0].shape, pad, int(settings["s"])
            )
        except ValueError:
            return
        ss["lab_step_what"] = "convolution"
        ss["lab_step_kernel"] = 0
        ss["lab_step_pos_convolution"] = int(step_cell[0]) * ow + int(step_cell[1])
