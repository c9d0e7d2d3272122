"""Inside the network's link adapter: its session state (session.py) ⇄ a LinkState; also the
lesson's "show it inside the network" (apply_to_inside)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_core import conv_output_shape
from playground.links.codec import (
    LinkState,
)
from playground.state import LAB_GRID, LAB_N_KERNELS, lab_kernel
from playground.ui import widgets
from playground.views.inside import session
from playground.views.lab.link import apply_to_lab, lab_link_state


def apply_to_inside(ss, state: LinkState, *, deck_example: bool) -> None:
    """Show a drawing and kernel on "Inside the network" (inside.py): its own deck
    example when unchanged, otherwise through the lab, which that page reads."""
    if deck_example:
        ss[session.SOURCE] = session.DECK
        return
    apply_to_lab(ss, LinkState(state.grids[:1], state.kernels[:1]), settings=False)
    ss[session.SOURCE] = session.LAB
    ss[session.LAB_KERNEL] = 0
    ss[session.PADDING] = "valid"


# --- Inside the network (its session state is session.py; the drawing and kernels the lab's) --

_COLOUR_BY = {"cell": session.COLOUR_BY_CELL, "value": session.COLOUR_BY_VALUE}  # URL → page


def _inside_shapes(drawing, kernel, padding) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """(the convolution's output size, the pooled size or None when it cannot pool)."""
    oh, ow = conv_output_shape(np.shape(drawing), np.shape(kernel), padding)
    pooled = (oh // session.POOL_SIZE, ow // session.POOL_SIZE)
    return (oh, ow), pooled if min(pooled) >= 1 else None


def inside_link_state(ss: Mapping) -> LinkState | None:
    """The page's example, its padding and the neurons it traces, as in session state."""
    if session.SOURCE not in ss:
        return None
    example = session.example(ss)
    settings: dict[str, object] = {"src": example.source}
    grids_: tuple = ()
    kernels_: tuple = ()
    if example.source == session.LAB:
        lab = lab_link_state(ss)
        if lab is not None:
            grids_, kernels_ = lab.grids, lab.kernels
        settings["pad"] = example.padding
        if len(example.kernels) > 1:
            settings["lk"] = example.index + 1
    try:
        (oh, ow), pooled = _inside_shapes(example.drawing, example.kernel, example.padding)
    except ValueError:
        return LinkState(grids_, kernels_, settings)
    neuron = int(ss.get(session.neuron_key(oh, ow), session.default_neuron(oh, ow)))
    settings["r"], settings["c"] = neuron // ow + 1, neuron % ow + 1
    if pooled is not None:
        cell = int(ss.get(session.pool_cell_key(*pooled), 0))
        settings["pr"], settings["pc"] = cell // pooled[1] + 1, cell % pooled[1] + 1
    by = ss.get(session.COLOUR_BY) or session.COLOUR_BY_CELL
    settings["by"] = "value" if by == session.COLOUR_BY_VALUE else "cell"
    return LinkState(grids_, kernels_, settings)


def check_for_inside(state: LinkState, ss: Mapping) -> list[str]:
    """What in ``state`` "Inside the network" cannot show (``ss``: the lab it would use)."""
    errors = []
    source = state.settings.get("src", session.DECK)
    if source == session.LAB:
        if len(state.grids) > 1:
            errors.append(f"Inside shows one drawing (g), the link has {len(state.grids)}")
        if state.settings.get("pad", "same") not in ("valid", "same"):
            errors.append("Inside pads with valid or same (pad)")
    if errors:
        return errors
    # Try it on a copy of the keys the page reads: the session changes only if all is well.
    trial = {k: ss[k] for k in list(ss.keys()) if str(k).startswith(("lab_", "inside_"))}
    _load_inside(trial, state)
    example = session.example(trial)
    if source == session.LAB and state.settings.get("lk", 1) > len(example.kernels):
        most = len(example.kernels)
        return [f"the lab kernel (lk) must be 1 to {most}, got {state.settings['lk']}"]
    try:
        (oh, ow), pooled = _inside_shapes(example.drawing, example.kernel, example.padding)
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
    source = state.settings.get("src", session.DECK)
    ss[session.SOURCE] = source
    if source != session.LAB:
        return
    if state.grids:
        ss[LAB_GRID] = np.asarray(state.grids[0], dtype=int)
    if state.kernels:
        ss[LAB_N_KERNELS] = len(state.kernels)
        for i, kernel in enumerate(state.kernels, start=1):
            widgets.put_kernel_value(ss, lab_kernel(i), kernel)
    ss[session.PADDING] = state.settings.get("pad", "same")
    ss[session.LAB_KERNEL] = int(state.settings.get("lk", 1)) - 1


def apply_to_inside_link(ss, state: LinkState) -> None:
    """Load a link into "Inside the network" (its drawing and kernels go to the lab)."""
    source = state.settings.get("src", session.DECK)
    if source == session.LAB and (state.grids or state.kernels):
        apply_to_lab(ss, LinkState(state.grids[:1], state.kernels), settings=False)
    ss[session.SOURCE] = source
    if source == session.LAB:
        ss[session.PADDING] = state.settings.get("pad", "same")
        ss[session.LAB_KERNEL] = int(state.settings.get("lk", 1)) - 1
    ss[session.COLOUR_BY] = _COLOUR_BY[state.settings.get("by", "cell")]
    example = session.example(ss)
    (oh, ow), pooled = _inside_shapes(example.drawing, example.kernel, example.padding)
    if "r" in state.settings or "c" in state.settings:
        r, c = int(state.settings.get("r", 1)), int(state.settings.get("c", 1))
        ss[session.neuron_key(oh, ow)] = (r - 1) * ow + (c - 1)
    if pooled is not None and ("pr" in state.settings or "pc" in state.settings):
        r, c = int(state.settings.get("pr", 1)), int(state.settings.get("pc", 1))
        ss[session.pool_cell_key(*pooled)] = (r - 1) * pooled[1] + (c - 1)
