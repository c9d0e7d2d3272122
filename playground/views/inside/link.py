"""Inside the network's link adapter: its widgets (inside.py) ⇄ a LinkState; also the
lesson's "show it inside the network" (apply_to_inside)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_core import conv_output_shape
from cnn_core import grids as grid_ops
from cnn_core import kernels as presets
from playground import network_sources
from playground.links.codec import (
    LinkState,
)
from playground.state import LAB_GRID, LAB_N_KERNELS, lab_kernel
from playground.ui import widgets
from playground.views.lab.link import apply_to_lab, lab_link_state


def apply_to_inside(ss, state: LinkState, *, deck_example: bool) -> None:
    """Show a drawing and kernel on "Inside the network" (inside.py): its own deck
    example when unchanged, otherwise through the lab, which that page reads."""
    if deck_example:
        ss["inside_source"] = "deck"
        return
    apply_to_lab(ss, LinkState(state.grids[:1], state.kernels[:1]), settings=False)
    ss["inside_source"] = "lab"
    ss["inside_lab_kernel"] = 0
    ss["inside_padding"] = "valid"


# --- Inside the network (inside.py: its widgets; the drawing and kernels are the lab's) ---------

INSIDE_DECK_KERNEL = "deck 2×2"  # the deck's example: its 5×5 drawing and this kernel
INSIDE_POOL = 2
_COLOUR_BY = {"cell": "kernel cell", "value": "value"}  # URL word → the page's option


def _inside_example(ss: Mapping):
    """(source, drawing, kernels, kernel index, padding) as inside.py chooses them."""
    source = ss.get("inside_source") or "deck"
    if source == "deck":
        return source, grid_ops.DECK_5x5, [presets.PRESETS[INSIDE_DECK_KERNEL].values], 0, "valid"
    lab = lab_link_state(ss)
    drawing = lab.grids[0] if lab is not None else grid_ops.DECK_O_8x8
    chosen = list(lab.kernels) if lab is not None and lab.kernels else []
    if not chosen:
        chosen = [presets.PRESETS[network_sources.DEFAULT_KERNEL].values]
    index = int(ss.get("inside_lab_kernel") or 0) if len(chosen) > 1 else 0
    index = min(max(index, 0), len(chosen) - 1)
    return source, drawing, chosen, index, ss.get("inside_padding") or "same"


def _inside_shapes(drawing, kernel, padding) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(the convolution's output size, the pooled size or None when it cannot pool)."""
    oh, ow = conv_output_shape(np.shape(drawing), np.shape(kernel), padding)
    pooled = (oh // INSIDE_POOL, ow // INSIDE_POOL)
    return (oh, ow), pooled if min(pooled) >= 1 else None


def inside_link_state(ss: Mapping) -> LinkState | None:
    """The page's example, its padding and the neurons it traces, as in session state."""
    if "inside_source" not in ss:
        return None
    source, drawing, chosen, index, padding = _inside_example(ss)
    settings: dict[str, object] = {"src": source}
    grids_: tuple = ()
    kernels_: tuple = ()
    if source == "lab":
        lab = lab_link_state(ss)
        if lab is not None:
            grids_, kernels_ = lab.grids, lab.kernels
        settings["pad"] = padding
        if len(chosen) > 1:
            settings["lk"] = index + 1
    try:
        (oh, ow), pooled = _inside_shapes(drawing, chosen[index], padding)
    except ValueError:
        return LinkState(grids_, kernels_, settings)
    neuron = int(ss.get(f"inside_neuron_{oh}x{ow}", min(1, oh * ow - 1)))
    settings["r"], settings["c"] = neuron // ow + 1, neuron % ow + 1
    if pooled is not None:
        cell = int(ss.get(f"inside_pool_cell_{pooled[0]}x{pooled[1]}", 0))
        settings["pr"], settings["pc"] = cell // pooled[1] + 1, cell % pooled[1] + 1
    by = ss.get("inside_colour_by") or "kernel cell"
    settings["by"] = "value" if by == "value" else "cell"
    return LinkState(grids_, kernels_, settings)


def check_for_inside(state: LinkState, ss: Mapping) -> list[str]:
    """What in ``state`` "Inside the network" cannot show (``ss``: the lab it would use)."""
    errors = []
    source = state.settings.get("src", "deck")
    if source == "lab":
        if len(state.grids) > 1:
            errors.append(f"Inside shows one drawing (g), the link has {len(state.grids)}")
        if state.settings.get("pad", "same") not in ("valid", "same"):
            errors.append("Inside pads with valid or same (pad)")
    if errors:
        return errors
    # Try it on a copy of the keys the page reads: the session changes only if all is well.
    trial = {k: ss[k] for k in list(ss.keys()) if str(k).startswith(("lab_", "inside_"))}
    _load_inside(trial, state)
    _, drawing, chosen, index, padding = _inside_example(trial)
    if source == "lab" and state.settings.get("lk", 1) > len(chosen):
        return [f"the lab kernel (lk) must be 1 to {len(chosen)}, got {state.settings['lk']}"]
    try:
        (oh, ow), pooled = _inside_shapes(drawing, chosen[index], padding)
    except ValueError as error:
        return [f"this kernel and padding do not fit this drawing: {error}"]
    for rows, cols, r, c, what in (
        (oh, ow, "r", "c", "the output neuron"),
        (*(pooled or (0, 0)), "pr", "pc", "the pooled neuron"),
    ):
        for key, most in ((r, rows), (c, cols)):
            if key in state.settings and state.settings[key] > most:
                errors.append(
                    f"{what} ({r}, {c}) must lie in the {rows}×{cols} output, "
                    f"got {key}={state.settings[key]}"
                )
    return errors


def _load_inside(ss, state: LinkState) -> None:
    """The example's choice into ``ss`` (a dict to try it out, or the session)."""
    source = state.settings.get("src", "deck")
    ss["inside_source"] = source
    if source != "lab":
        return
    if state.grids:
        ss[LAB_GRID] = np.asarray(state.grids[0], dtype=int)
    if state.kernels:
        ss[LAB_N_KERNELS] = len(state.kernels)
        for i, kernel in enumerate(state.kernels, start=1):
            widgets.put_kernel_value(ss, lab_kernel(i), kernel)
    ss["inside_padding"] = state.settings.get("pad", "same")
    ss["inside_lab_kernel"] = int(state.settings.get("lk", 1)) - 1


def apply_to_inside_link(ss, state: LinkState) -> None:
    """Load a link into "Inside the network" (its drawing and kernels go to the lab)."""
    source = state.settings.get("src", "deck")
    if source == "lab" and (state.grids or state.kernels):
        apply_to_lab(ss, LinkState(state.grids[:1], state.kernels), settings=False)
    ss["inside_source"] = source
    if source == "lab":
        ss["inside_padding"] = state.settings.get("pad", "same")
        ss["inside_lab_kernel"] = int(state.settings.get("lk", 1)) - 1
    ss["inside_colour_by"] = _COLOUR_BY[state.settings.get("by", "cell")]
    _, drawing, chosen, index, padding = _inside_example(ss)
    (oh, ow), pooled = _inside_shapes(drawing, chosen[index], padding)
    if "r" in state.settings or "c" in state.settings:
        r, c = int(state.settings.get("r", 1)), int(state.settings.get("c", 1))
        ss[f"inside_neuron_{oh}x{ow}"] = (r - 1) * ow + (c - 1)
    if pooled is not None and ("pr" in state.settings or "pc" in state.settings):
        r, c = int(state.settings.get("pr", 1)), int(state.settings.get("pc", 1))
        ss[f"inside_pool_cell_{pooled[0]}x{pooled[1]}"] = (r - 1) * pooled[1] + (c - 1)
