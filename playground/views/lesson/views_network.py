"""The Lesson's network views: the CNN as a neural network, who finds the masks, and one
step of gradient descent (kinds "network", "masks", "descent")."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import (
    conv2d,
    conv_matrix,
    conv_output_shape,
    format_number,
    pool2d,
    pool_trace,
)
from cnn_core.model import CNNClassifier, CNNConfig, generated_data
from cnn_core.network_graph import connection_counts, neuron_inputs
from playground import state
from playground.descent_view import descent_panel
from playground.ui.plain_text import md
from playground.views.lab import link as lab_link
from playground.views.lesson.view import (
    View,
    heatmap,
    row,
    shape_text,
)

ss = st.session_state


def view_network(v: View) -> None:
    small = max(18, round(v.cell * 0.5))
    # On the wall the input, its output and the connection-weight matrix share one row (the
    # kernel in a collapsed box, the neuron's sliders beside it); elsewhere the kernel editor
    # sits beside the input and the matrix gets a row of its own.
    presenter = state.presenter()
    if presenter:
        controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
        with controls:
            kernel = v.kernel_panel("Kernel", 240)
        try:
            shape = conv_output_shape(v.grid_now(0).shape, kernel.shape, "valid", 1)
        except ValueError as error:
            st.warning(md(error, 300))
            return
        r, c = v.cell_controls(shape, "Output neuron", parent=controls)
    top = row()
    with top, st.container(width="content"):
        image = v.drawing(0, "Input (5×5)")
    if not presenter:
        kernel = v.kernel_panel("Kernel", 240, beside=top)
    try:
        output = conv2d(image, kernel, "valid")
    except ValueError as error:
        st.warning(md(error, 300))
        return
    with top:
        heatmap(
            output,
            v.key("out"),
            title=f"Output {shape_text(output.shape)}",
            cell_px=v.cell,
            signed=None,
        )
        if min(output.shape) >= 2 and not presenter:
            heatmap(
                pool2d(output, 2),
                v.key("pooled"),
                title="Sub-sampled (max 2×2)",
                cell_px=v.cell,
                signed=None,
            )
    if not presenter:
        r, c = v.cell_controls(output.shape, "Output neuron")
    weights = conv_matrix(kernel, image.shape, "valid")
    neuron = neuron_inputs(kernel, image.shape, r, c, "valid")
    counts = connection_counts(kernel, image.shape, "valid")
    highlight = [(neuron.neuron, int(col), 1, 1) for col in neuron.columns]
    with top if presenter else st.container():
        heatmap(
            weights,
            v.key("weights"),
            title=f"Connection weights: {weights.shape[0]} neurons × {weights.shape[1]} pixels",
            cell_px=small,
            signed=None,
            fmt=lambda x: "" if x == 0 else format_number(x),
            highlight=highlight,
            origin=(1, 1),
            caption="One row per output neuron, one column per input pixel (row by row). "
            "Framed: the chosen neuron's connections.",
        )
    terms = " + ".join(
        f"{format_number(w)}·x({int(p[1]) + 1},{int(p[2]) + 1})"
        for w, p in zip(neuron.weights, neuron.pixels, strict=True)
    )
    st.markdown(
        f"Neuron at row {r + 1}, column {c + 1} = {terms} = "
        f"**{format_number(output[r, c])}**  \n"
        f"Of {counts.total} possible weights, only {counts.connected} connect a neuron to a "
        f"pixel in its window, {counts.nonzero} are not zero, and they all are copies of "
        f"the kernel's {counts.kernel_cells} values: **shared weights**."
    )
    if min(output.shape) >= 2:
        pr, pc = min(r // 2, output.shape[0] // 2 - 1), min(c // 2, output.shape[1] // 2 - 1)
        pooled = pool_trace(output, pr, pc, 2)
        xs = ", ".join(f"1·{format_number(x)}" for x in pooled.window.ravel())
        st.markdown(
            f"Pooling neuron over its 2×2 block: y = max({xs}) = "
            f"**{format_number(pooled.value)}** (its weights are fixed to 1)."
        )


def view_masks(v: View) -> None:
    small = max(28, round(v.cell * 0.8))
    st.markdown("**Designed by experts:** the kernels of this lesson")
    with row():
        for i, kernel in enumerate(v.step.example.kernels):
            name = lab_link.preset_name(kernel)
            heatmap(kernel, v.key(f"k{i}"), title=name, cell_px=small, signed=True)
    st.markdown(
        "**In a CNN:** a network with random kernels looks at many X's and O's; after each "
        "batch, gradient descent moves every kernel value a little in the direction that "
        "makes fewer mistakes. The kernels it ends up with are *learned*."
    )
    learned = _learned_kernels()
    if learned is not None:
        st.markdown(
            "**Found by gradient descent:** the kernels your network on the Train page learned"
        )
        with row():
            for i, kernel in enumerate(learned[:6]):
                heatmap(
                    kernel,
                    v.key(f"learned{i}"),
                    title=f"learned {i + 1}",
                    cell_px=small,
                    signed=True,
                    fmt=".1f",
                )
    if st.button("Train a CNN →", key=v.key("train"), type="primary"):
        st.switch_page("views/train/train.py")


def _learned_kernels() -> np.ndarray | None:
    """The first layer's kernels (K, k, k) of the model trained on the Train page, if any."""
    run = ss.get(state.TRAIN_RUN)  # the Train page's TrainingRun
    if run is None or not getattr(run, "step", 0):
        return None
    try:
        return np.asarray(run.kernels, dtype=float)
    except (AttributeError, ValueError):
        return None


@st.cache_resource(show_spinner=False)
def _lesson_network() -> CNNClassifier:
    """The small trained network the descent step steps on. A pure function of fixed settings,
    so the whole room shares one (read only): each session steps a copy of its own."""
    config = CNNConfig(n_kernels=4, kernel_size=3, kernel_init="deck", n_train=400, n_test=100)
    X, _, y, _ = generated_data(config, seed=0)
    return CNNClassifier(config, random_state=0).fit(X, y)


def view_descent(v: View) -> None:
    model = _lesson_network()
    with row():
        with st.container(width="content"):
            drawing = v.drawing(0, "Drawing", cell_px=max(24, round(v.cell * 0.8)))
        with st.container(width="stretch"):
            X = drawing[None].astype(float)
            choices = {f"the drawing, labelled {c}": (X, np.array([c])) for c in model.classes_}
            descent_panel(v.key("descent"), model, "lesson network", choices, row_px=600)
