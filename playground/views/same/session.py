"""The Same? page's session state as one typed value: its keys, their defaults, read and
written once (by the page, same.py, and by its link adapter, link.py).

Keys (all start with ``same_``):
    same_a, same_a_rev : drawing A (H, W) of 0/1 and its revision (widgets.set_grid)
    same_b, same_b_rev : drawing B and its revision
    same_recipe        : the CopyRecipe that makes B from A
    same_b_free        : True once B was drawn by hand (it no longer follows A)
    same_b_source      : the A that B was last made from
    same_kernels       : LAB_KERNELS or a preset's name
    same_padding, same_t, same_pool_mode, same_pool_size : the pipeline's settings
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cnn_core.compare import CopyRecipe, PipelineSettings
from playground import state

A, B = "same_a", "same_b"
RECIPE, FREE, SOURCE = "same_recipe", "same_b_free", "same_b_source"
KERNELS = "same_kernels"
LAB_KERNELS = "the lab's kernels"  # the kernel choice meaning "whatever the lab has now"
PADDING, T, POOL_MODE, POOL_SIZE = "same_padding", "same_t", "same_pool_mode", "same_pool_size"

DEFAULT_RECIPE = CopyRecipe(dc=1)  # the deck's O, shifted one pixel to the right
# The deck's pipeline (same padding, t = 0, 2×2 max pooling); the page has no stride or p.
DEFAULT = PipelineSettings()
WIDGET_DEFAULTS = {
    KERNELS: LAB_KERNELS,
    PADDING: DEFAULT.padding,
    T: float(DEFAULT.t),
    POOL_MODE: DEFAULT.pool_mode,
    POOL_SIZE: DEFAULT.pool_size,
}


def init_settings(ss) -> None:
    """Give the kernel choice and every setting its default, once per session."""
    state.set_defaults(ss, WIDGET_DEFAULTS)


def read_settings(ss: Mapping) -> PipelineSettings:
    """The page's pipeline settings as they are in ``ss`` (defaults for any not set yet)."""

    def get(key):
        return state.stored(ss, key, WIDGET_DEFAULTS)

    return PipelineSettings(
        padding=str(get(PADDING)),
        t=float(get(T)),
        pool_mode=str(get(POOL_MODE)),
        pool_size=int(get(POOL_SIZE)),
    )


def write_settings(ss, s: PipelineSettings) -> None:
    """Put ``s`` into the sidebar's keys (its stride and p are not the page's: ignored)."""
    ss.update(
        {PADDING: s.padding, T: float(s.t), POOL_MODE: s.pool_mode, POOL_SIZE: int(s.pool_size)}
    )


def update_settings(ss, **changes) -> None:
    """Change some settings (PipelineSettings field names), keeping the others."""
    write_settings(ss, dataclasses.replace(read_settings(ss), **changes))


@dataclass(frozen=True)
class SameState:
    """What the page compares: drawings A and B, the kernel choice, the settings."""

    a: np.ndarray  # (H, W) of 0/1
    b: np.ndarray  # (H, W) of 0/1
    kernel_choice: str  # LAB_KERNELS or a preset's name
    settings: PipelineSettings


def read(ss: Mapping) -> SameState | None:
    """The page as it is in ``ss``, or None before it (or a link) made both drawings."""
    if A not in ss or B not in ss:
        return None
    return SameState(
        np.asarray(ss[A], dtype=int),
        np.asarray(ss[B], dtype=int),
        str(ss.get(KERNELS) or LAB_KERNELS),
        read_settings(ss),
    )
