"""What the "Same?" and "Inside the network" pages borrow from the other pages' session state.

The lab keeps the current drawing and kernels under ``lab_…`` keys, the Train page the trained
model under ``train_…`` keys (see their modules' docstrings). These pages only read them and
fall back to the deck's defaults when the other page has not been opened yet; they never
write them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import streamlit as st

from cnn_core import grids, kernels
from playground import state
from playground.links import codec
from playground.ui import widgets

DEFAULT_KERNEL = state.LAB_DEFAULT_KERNELS[0]  # the lab's first kernel, the lecture's


def lab_drawing(ss: Mapping | None = None) -> np.ndarray | None:
    """The lab's current drawing (H, W) of 0/1, or None before the lab was opened.
    ``ss``: this session's state (the default), or a copy of it to try a link on."""
    ss = st.session_state if ss is None else ss
    grid = ss.get(state.LAB_GRID)
    if grid is None:
        return None
    try:
        return grids.as_grid(grid)
    except ValueError:
        return None


def lab_kernels(ss: Mapping | None = None) -> list[np.ndarray] | None:
    """The lab's current kernels, each (k, k), or None before the lab was opened.

    The lab keeps its kernel count across pages (persist_state); should it be missing, every
    kernel editor the lab has shown so far counts. ``ss`` as for ``lab_drawing``.
    """
    ss = st.session_state if ss is None else ss
    count = ss.get(state.LAB_N_KERNELS)
    if not isinstance(count, int) or not 1 <= count <= codec.MAX_KERNELS:
        count = codec.MAX_KERNELS
    found = []
    for n in range(1, count + 1):
        values = widgets.kernel_value(ss, state.lab_kernel(n))
        if values is None:
            break
        found.append(values)
    return found or None


def current_kernels(ss: Mapping | None = None) -> tuple[list[np.ndarray], bool]:
    """The lab's kernels, or the lab's default (the deck's diagonal kernel) before the lab was
    opened. returns : (kernels, True when they came from the lab)"""
    found = lab_kernels(ss)
    if found:
        return found, True
    return [kernels.preset(DEFAULT_KERNEL)], False


TRAIN_RUN = state.TRAIN_RUN
RUN_STATUS = {
    "done": "trained",
    "running": "still training",
    "paused": "paused during training",
    "diverged": "training diverged; these are its last good weights",
}


def trained_model():
    """The Train page's model once it has taken training steps (a ``CNNClassifier``), or None.

    The Train page keeps a ``TrainingRun`` under ``state.TRAIN_RUN``; its model counts once at
    least one report came back (before that its weights are only the random start). Otherwise
    a model loaded from a file (``state.LOADED_MODEL``) counts, once it has learned classes.
    """
    run = st.session_state.get(TRAIN_RUN)
    model = getattr(run, "model", None)
    if model is not None and getattr(run, "history", None) and _fitted(model):
        return model
    loaded = st.session_state.get(state.LOADED_MODEL)
    if callable(getattr(loaded, "predict_proba", None)) and _fitted(loaded):
        return loaded
    return None


def model_status() -> str:
    """How far the Train page's model got, in a few words ("trained", "still training", …)."""
    run = st.session_state.get(TRAIN_RUN)
    status = getattr(run, "status", None)
    return RUN_STATUS.get(status, "trained")


def _fitted(model) -> bool:
    try:
        classes = model.classes_
        model.layers  # noqa: B018  (raises ValueError before the network is built)
    except (AttributeError, ValueError):
        return False
    return classes is not None and len(classes) > 0


def predict(model, grid) -> tuple[str, dict[str, float]] | str:
    """The model's label and class probabilities for one drawing (H, W), or why it cannot
    say (e.g. the drawing has another size than the model was trained on)."""
    try:
        proba = np.asarray(model.predict_proba(np.asarray(grid, dtype=np.float32)[None]))[0]
    except ValueError as error:
        return f"the model cannot read this drawing: {error}"
    classes = [str(c) for c in model.classes_]
    shares = {c: float(p) for c, p in zip(classes, proba, strict=True)}
    return classes[int(np.argmax(proba))], shares
