"""Inside the network's session state as one typed value: its keys, their defaults, and the
example it shows, chosen once (for the page, inside.py, and its link adapter, link.py).

Keys (all start with ``inside_``; the drawing and kernels are the lab's, read, never written
by the page):
    inside_source      : DECK or LAB, which example sections 1–2 show
    inside_lab_kernel  : 0-based index of the lab's kernel, when the lab has several
    inside_padding     : "valid" or "same" for the lab's example (the deck's is valid)
    inside_colour_by   : COLOUR_BY_CELL or COLOUR_BY_VALUE, how the weight matrix is coloured
    inside_neuron_{oh}x{ow}, inside_pool_cell_{ph}x{pw} : the traced neurons, one per size
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cnn_core import grids, kernels
from playground import network_sources, state

SOURCE, LAB_KERNEL, PADDING, COLOUR_BY = (
    "inside_source",
    "inside_lab_kernel",
    "inside_padding",
    "inside_colour_by",
)
DECK, LAB = "deck", "lab"
DECK_KERNEL = "deck 2×2"  # the deck's example: its 5×5 drawing and [[0, 1], [1, 0]]
DECK_PADDING = "valid"
POOL_SIZE = 2  # sections 2 and 3 pool 2×2, as the deck does
COLOUR_BY_CELL, COLOUR_BY_VALUE = "kernel cell", "value"
WIDGET_DEFAULTS = {SOURCE: DECK, PADDING: "same", COLOUR_BY: COLOUR_BY_CELL}


def init(ss) -> None:
    """Give the example, its padding and the colouring their defaults, once per session."""
    state.set_defaults(ss, WIDGET_DEFAULTS)


def neuron_key(oh: int, ow: int) -> str:
    """The key of the traced output neuron (a row-major index) for an oh×ow output: one per
    size, since an index means another neuron in another size."""
    return f"inside_neuron_{oh}x{ow}"


def default_neuron(oh: int, ow: int) -> int:
    """The neuron traced first: the deck's y(1,2), whose value is 2."""
    return min(1, oh * ow - 1)


def pool_cell_key(ph: int, pw: int) -> str:
    """The key of the traced pooled neuron (row-major) for a ph×pw pooled map."""
    return f"inside_pool_cell_{ph}x{pw}"


@dataclass(frozen=True)
class Example:
    """What sections 1–2 show: a drawing and one of the kernels it may be convolved with."""

    source: str  # DECK or LAB
    drawing: np.ndarray  # (H, W) of 0/1
    kernels: list[np.ndarray]  # (k, k) each: the deck's one, or the lab's
    index: int  # which of them, 0-based
    padding: str  # "valid" or "same"
    lab_opened: bool  # False: the lab's defaults stand in for a lab not opened yet

    @property
    def kernel(self) -> np.ndarray:
        return self.kernels[self.index]


def example(ss: Mapping) -> Example:
    """The example as ``ss`` chooses it (this session's state, or a copy to try a link on)."""
    source = ss.get(SOURCE) or DECK
    if source == DECK:
        deck = [kernels.preset(DECK_KERNEL)]
        return Example(DECK, grids.DECK_5x5.copy(), deck, 0, DECK_PADDING, True)
    drawing = network_sources.lab_drawing(ss)
    chosen, from_lab = network_sources.current_kernels(ss)
    index = int(ss.get(LAB_KERNEL) or 0) if len(chosen) > 1 else 0
    index = min(max(index, 0), len(chosen) - 1)
    opened = drawing is not None and from_lab
    if drawing is None:
        drawing = grids.DECK_O_8x8.copy()
    return Example(LAB, drawing, chosen, index, str(ss.get(PADDING) or "same"), opened)
