""" "Masks are found with gradient descent", shown one step at a time (Train page and Lesson).

The panel takes a copy of a trained network and lets the learner step one kernel by hand:

    K ← K − η · ∂L/∂K

with every number on screen: the kernel K, the gradient ∂L/∂K for some drawings (a batch of
the training drawings, or the learner's own drawing with a label), the learning rate η, the
kernel after the step, and the loss before and after. "Take the step" applies it to the copy
(the real model is never touched); stepping again shows the kernel moving. Every number comes
from ``cnn_core.descent`` (the backward pass training uses).

State, per panel ``key`` (one per page): ``{key}_copy`` the network being stepped,
``{key}_source`` which network it was copied from, ``{key}_steps`` how many steps were taken.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import streamlit as st

from cnn_core.descent import kernel_step, significant
from cnn_core.model import CNNClassifier
from playground.ui import widgets
from playground.ui.plain_text import md

ROW_PX = 820  # the three maps side by side on a 1280-pixel-wide page
ETA_RANGE = (0.01, 10.0)  # η the panel accepts; 0.5 moves a trained kernel visibly per step
DEFAULT_ETA = 0.5


def copy_of(model: CNNClassifier) -> CNNClassifier:
    """A network with ``model``'s weights that can be changed without changing ``model``."""
    copy = CNNClassifier(model.config, random_state=model.random_state, dtype=model.dtype)
    return copy.restore(model.snapshot())


def descent_panel(
    key: str,
    model: CNNClassifier,
    source: object,
    drawings: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    cell_px: int = 54,
    row_px: int = ROW_PX,
) -> None:
    """The step-by-hand panel for ``model`` (copied; never changed).

    source : anything that changes when the model to copy changes (a new run, more training)
    drawings : choice label → (X (n, H, W), y (n,)): what the loss L is measured on
    cell_px, row_px : the maps' cell size, shrunk so that all three fit in ``row_px``
    """
    ss = st.session_state
    if ss.get(f"{key}_source") != source or f"{key}_copy" not in ss:
        ss[f"{key}_copy"] = copy_of(model)
        ss[f"{key}_source"] = source
        ss[f"{key}_steps"] = 0
    copy = ss[f"{key}_copy"]
    n_kernels = copy.config.n_kernels

    controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    index = controls.selectbox(
        "Kernel", range(n_kernels), format_func=lambda i: f"kernel {i + 1}", key=f"{key}_kernel",
        width=140,
    )  # fmt: skip
    eta = controls.number_input(
        "Learning rate η", *ETA_RANGE, value=DEFAULT_ETA, step=0.1, key=f"{key}_eta", width=150
    )
    data = controls.selectbox("L measured on", list(drawings), key=f"{key}_data", width=260)
    X, y = drawings[data]

    # The step as it would be taken now, computed on a throwaway copy; "Take the step" then
    # puts exactly the kernel shown into the copy being stepped.
    try:
        step = kernel_step(copy_of(copy), X, y, index=int(index), learning_rate=float(eta))
    except ValueError as error:
        st.warning(md(error, 300))
        return

    st.markdown(
        f"**K ← K − η · ∂L/∂K** with η = {significant(eta)}: the loss L on {md(data, 80)} is "
        f"**{step.loss:.4f}** now and **{step.loss_after:.4f}** after this step."
    )
    k = step.kernel.shape[0]
    cell_px = max(30, min(cell_px, (row_px - 3 * 70) // (3 * k)))  # 70: labels and gaps
    zmax = max(float(np.abs(step.kernel).max()), float(np.abs(step.updated).max()), 1e-9)
    row = st.container(horizontal=True, gap="medium")
    for name, title, values, scale, digits in (
        ("kernel_map", "Kernel K", step.kernel, zmax, 3),
        ("gradient_map", "Gradient ∂L/∂K", step.gradient, None, 2),
        ("updated_map", "After the step", step.updated, zmax, 3),
    ):
        with row.container(width="content"):
            fig = widgets.heatmap_figure(
                values, title=title, signed=True, cell_px=cell_px, zmax=scale,
                fmt=lambda v, d=digits: significant(v, d),
            )  # fmt: skip
            widgets.show_heatmap(fig, key=f"{key}_{name}")
    r, c = np.unravel_index(np.abs(step.gradient).argmax(), step.gradient.shape)
    st.markdown(
        f"The cell with the steepest gradient, row {r + 1}, column {c + 1}: "
        f"`{step.formula(r, c)}`. A positive gradient means raising the cell raises the loss, "
        "so the step lowers it; a negative one, the other way round."
    )

    buttons = st.container(horizontal=True, gap="small")
    if buttons.button("Take the step", key=f"{key}_take", type="primary"):
        copy.set_kernel(int(index), step.updated)  # the kernel shown "after the step"
        ss[f"{key}_steps"] += 1
        st.rerun()
    if buttons.button("Start again from the trained network", key=f"{key}_reset"):
        ss[f"{key}_copy"] = copy_of(model)
        ss[f"{key}_steps"] = 0
        st.rerun()
    taken = ss[f"{key}_steps"]
    buttons.caption(
        f"Steps taken by hand: {taken}."
        if taken
        else "No step taken yet: the kernel is the trained one."
    )
