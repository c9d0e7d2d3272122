"""The lab's session state as one typed value: its keys, their defaults, read and written once.

The lab's sidebar (lab.py), its link adapter (link.py), the Save & load box and the pages
that open the lab (the Lesson, Same?, Inside) all go through here, so a key or a default is
spelled in one place. Everything lives in ``st.session_state``, private to one browser
session; the functions take it (or any dict) as ``ss`` so they can be tried on a copy.

Keys (all start with ``lab_``):
    lab_grid, lab_grid_rev : the drawing (H, W) of 0/1 and its revision (widgets.set_grid)
    lab_n_kernels          : how many kernels the lab shows, 1 to codec.MAX_KERNELS
    lab_k{n}_…             : kernel editor n (widgets.kernel_editor; read with kernel_value)
    lab_pad_kind, lab_pad_n, lab_stride, lab_t, lab_pool_mode, lab_p, lab_pool_size,
    lab_pool_stride        : the sidebar's settings (``Settings``)
    lab_step_what, lab_step_kernel, lab_step_pos_{what}, lab_step_playing : the step-through
    lab_show_step, lab_show_3d : whether the step-through / the 3-D convolution is open
    lab_3d_…               : the 3-D convolution's widgets (lab.py)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from playground import network_sources, state
from playground.views.lab.values import Settings

GRID = state.LAB_GRID
N_KERNELS = state.LAB_N_KERNELS
PAD_KIND = "lab_pad_kind"  # "valid", "same" or "n" (then PAD_N zero rows on each side)
PAD_N = "lab_pad_n"
STRIDE = "lab_stride"
T = "lab_t"
POOL_MODE = "lab_pool_mode"
P = "lab_p"
POOL_SIZE = "lab_pool_size"
POOL_STRIDE = "lab_pool_stride"  # EQUAL_STRIDE or an int
EQUAL_STRIDE = "= size"  # the pool stride option meaning "the pool size"

STEP_WHAT = "lab_step_what"  # "convolution" or "pooling"
STEP_KERNEL = "lab_step_kernel"  # 0-based kernel index
STEP_PLAYING = "lab_step_playing"
SHOW_STEP, SHOW_3D = "lab_show_step", "lab_show_3d"


def step_pos(what: str) -> str:
    """The key of the step-through's output cell for ``what`` ("convolution" or "pooling"),
    a row-major index (row·ow + col)."""
    return f"lab_step_pos_{what}"


DEFAULT = Settings()  # the pipeline's defaults (cnn_core.pipeline), one kernel


def _widget_values(s: Settings) -> dict[str, object]:
    """``s`` as the sidebar's widgets hold it."""
    values: dict[str, object] = {
        N_KERNELS: s.n_kernels,
        STRIDE: s.stride,
        T: float(s.t),
        POOL_MODE: s.pool_mode,
        P: float(s.p),
        POOL_SIZE: s.pool_size,
        POOL_STRIDE: EQUAL_STRIDE if s.pool_stride is None else int(s.pool_stride),
    }
    if isinstance(s.padding, str):
        values[PAD_KIND] = s.padding
    else:
        values[PAD_KIND], values[PAD_N] = "n", int(s.padding)
    return values


# What the widgets start from, set once per session (widgets take their values from session
# state, never a value= argument, so a link or the Lesson may set these keys first).
WIDGET_DEFAULTS = {PAD_N: 1, **_widget_values(DEFAULT)}


def init_settings(ss) -> None:
    """Give every setting its default, once per session."""
    state.set_defaults(ss, WIDGET_DEFAULTS)


def read_settings(ss: Mapping) -> Settings:
    """The lab's settings as they are in ``ss`` (defaults for any not set yet)."""

    def get(key):
        return state.stored(ss, key, WIDGET_DEFAULTS)

    kind = get(PAD_KIND)
    pool_stride = get(POOL_STRIDE)
    return Settings(
        padding=int(get(PAD_N)) if kind == "n" else str(kind),
        stride=int(get(STRIDE)),
        t=float(get(T)),
        pool_mode=str(get(POOL_MODE)),
        p=float(get(P)),
        pool_size=int(get(POOL_SIZE)),
        pool_stride=None if pool_stride == EQUAL_STRIDE else int(pool_stride),
        n_kernels=int(get(N_KERNELS)),
    )


def write_settings(ss, s: Settings, *, n_kernels: bool = True) -> None:
    """Put ``s`` into the sidebar's keys (before the lab runs, or from a callback);
    ``n_kernels=False`` leaves the number of kernels as it is."""
    values = _widget_values(s)
    if not n_kernels:
        del values[N_KERNELS]
    ss.update(values)


@dataclass(frozen=True)
class LabState:
    """What the lab shows: the drawing, its kernels (as many as it shows) and its settings."""

    grid: np.ndarray  # (H, W) of 0/1
    kernels: tuple[np.ndarray, ...]  # (k, k) each, kernel 1 first
    settings: Settings


def read(ss: Mapping) -> LabState | None:
    """The lab as it is in ``ss``, or None before the lab (or a link) gave it a drawing."""
    if GRID not in ss:
        return None
    kernels = tuple(network_sources.lab_kernels(ss) or ())  # the one reader of the lab's kernels
    return LabState(np.asarray(ss[GRID], dtype=int), kernels, read_settings(ss))


def show_step(ss, what: str, kernel_index: int, cell: int) -> None:
    """Point the step-through at output cell ``cell`` (row-major) of kernel ``kernel_index``'s
    ``what`` map ("convolution" or "pooling"), for when it is opened."""
    ss[STEP_WHAT] = what
    ss[STEP_KERNEL] = int(kernel_index)
    ss[step_pos(what)] = int(cell)
