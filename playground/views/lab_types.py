"""The Convolution lab's value types: its settings, one kernel's maps, one kernel's row.

They live outside the page script on purpose: Streamlit executes a page's file anew on every
full rerun, and a dataclass defined there is built again each time (about a millisecond each;
profiled, 10 % of the server's time while 40 participants opened the lab). Imported from
here, they are built once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Settings:
    """The sidebar's choices, as ``cnn_core`` takes them."""

    padding: str | int = "same"
    stride: int = 1
    t: float = 0.0
    pool_mode: str = "max"
    p: float = 2.0
    pool_size: int = 2
    pool_stride: int | None = None  # None: the pool size (windows side by side)
    n_kernels: int = 1


@dataclass
class Maps:
    """One kernel's results; ``error`` says which stage could not be computed and why."""

    kernel: np.ndarray  # (k, k)
    name: str
    feature: np.ndarray | None = None  # (oh, ow)
    thresholded: np.ndarray | None = None  # (oh, ow)
    pooled: np.ndarray | None = None  # (ph, pw)
    error: str | None = None


@dataclass(frozen=True)
class KernelRow:
    """What the page shows for one kernel: a heading, its maps (``map_panel``s), a warning."""

    n: int
    heading: tuple[str, str]
    panels: list[dict]
    warning: str | None
