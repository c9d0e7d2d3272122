"""Inside the network — the deck's "neural network representation".

1. A convolution is a layer of neurons: ``conv_matrix`` gives its weight matrix (outputs ×
   inputs). Kernel values become connection weights, most weights are zero, and every neuron
   shares the same few weights. Pick an output neuron to trace it back to its input pixels.
2. Pooling is a neuron ``y = max(w1·x1, …)`` whose weights are fixed to 1.
3. The whole network (the trained one, once the Train page has trained it) as layers of
   neurons, coloured by the current drawing's activations, connections by their weights.

It opens on the deck's 5×5 example with kernel [[0,1],[1,0]] (a 16×25 weight matrix, output
[[0,2,1,0],[2,0,0,1],[1,0,0,0],[0,1,0,0]], pooled [[2,1],[1,0]]). Every number comes from
``cnn_core``; this page only draws.

Its session state (keys, defaults, and the example the page shows) is ``session.py``; the
drawing and kernels are read from the lab (``playground.network_sources``), never written.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import (
    conv_matrix,
    conv_trace,
    format_number,
    grids,
    pipeline,
    pool_trace,
)
from cnn_core.network_graph import (
    connection_counts,
    feature_network,
    model_network,
    neuron_inputs,
    weight_sources,
)
from cnn_core.pipeline import PipelineSettings, Stages
from playground import network_sources, state
from playground.ui import widgets
from playground.ui.plain_text import md
from playground.views.inside import figures as figs
from playground.views.inside import session

DECK, LAB = session.DECK, session.LAB
SOURCES = {DECK: "The deck's 5×5 example", LAB: "The lab's drawing and kernel"}
POOL_SIZE = session.POOL_SIZE
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

ss = st.session_state

# Metric values stay big in presenter mode too (its CSS resizes every markdown paragraph,
# which includes a metric's value).
COUNTS_CSS = """<style>
.st-key-inside_counts [data-testid="stMetricValue"] p {
  font-size: 2.25rem !important; line-height: 1.3 !important;
}
</style>"""


def cell_name(index: int, width: int) -> str:
    """Flat index → ``"1,2"`` (row, column from 1, as the deck counts)."""
    r, c = divmod(int(index), width)
    return f"{r + 1},{c + 1}"


def choose_example() -> session.Example:
    """The example for sections 1–2: the deck's, or the lab's drawing with one of its kernels."""
    session.init(ss)
    example = session.example(ss)  # the widgets below hold their values under its keys
    st.segmented_control(
        "Example",
        list(SOURCES),
        required=True,
        format_func=SOURCES.get,
        key=session.SOURCE,
        persist_state="session",
    )
    if example.source == DECK:
        return example
    row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
    if len(example.kernels) > 1:
        row.selectbox(
            "Lab kernel",
            list(range(len(example.kernels))),
            format_func=lambda i: f"kernel {i + 1}",
            key=session.LAB_KERNEL,
            width=140,
        )
    row.segmented_control(
        "Padding",
        ["valid", "same"],
        required=True,
        key=session.PADDING,
        persist_state="session",
        help="same (the lab's default): zeros around the drawing; the zero padding has no "
        "pixel, so those window cells connect to nothing.",
    )
    where = "the lab's current drawing and kernel"
    if not example.lab_opened:
        where = "the lab's defaults (the deck's O and diagonal kernel): the lab was not opened yet"
    st.caption(f"From {where}.")
    return example


def matrix_cell_px(n_rows: int, n_cols: int) -> int:
    """Cell size for the weight matrix: as big as fits the main column (~800 px), ≤ 28 px.

    A 16×16 drawing has a 256 × 256 matrix: 3 px cells, the pattern without the numbers.
    """
    budget = 1100 if state.presenter() else 760
    return state.fit_cell_px(n_cols, budget, smallest=2, largest=min(28, 620 // n_rows))


# --- 1. convolution as a weight matrix ------------------------------------------------------


def convolution_section(grid, kernel, padding) -> Stages | None:
    """Section 1: returns the pipeline's stages (pooling is section 2), or None on bad input."""
    st.subheader("Convolution & threshold: kernel values become connection weights")
    try:
        matrix = conv_matrix(kernel, grid.shape, padding)
    except ValueError as error:
        st.error(f"This kernel and padding do not fit this drawing: {md(error, 300)}")
        return None
    sources = weight_sources(kernel.shape, grid.shape, padding)
    counts = connection_counts(kernel, grid.shape, padding)
    stages = pipeline.run(grid, kernel, PipelineSettings(padding=padding, pool_size=POOL_SIZE))
    feature, thresholded = stages.feature, stages.thresholded
    oh, ow = feature.shape
    h, w = grid.shape

    # One selector per output size: a neuron index means another neuron in another size.
    neuron_key = session.neuron_key(oh, ow)
    neuron_options = list(range(oh * ow))
    ss.setdefault(neuron_key, session.default_neuron(oh, ow))  # the deck's 2 at (1, 2)
    neuron = st.selectbox(
        "Output neuron to trace",
        neuron_options,
        format_func=lambda i: f"y({cell_name(i, ow)})",
        key=neuron_key,
        help="Its row of the weight matrix is framed, its window framed on the input.",
    )
    r, c = divmod(int(neuron), ow)
    trace = conv_trace(grid, kernel, r, c, padding)
    inputs = neuron_inputs(kernel, grid.shape, r, c, padding)

    cell = state.cell_px() if max(h, w) <= 6 else max(20, state.cell_px() - 8)
    row = st.container(horizontal=True, gap="medium", key="inside_conv_row")
    with row.container(width="content"):
        widgets.show_heatmap(
            widgets.heatmap_figure(
                grid,
                title=f"input x {h}×{w}",
                colorscale=widgets.INK_SCALE,
                zmax=1,
                cell_px=figs.readable_cell_px(w, cell),
                highlight=trace.highlight,
            ),
            key="inside_input",
        )
    with row.container(width="content"):
        widgets.show_heatmap(
            figs.kernel_cells_figure(kernel, cell_px=max(cell, 30), title="kernel"),
            key="inside_kernel",
        )
    with row.container(width="content"):
        widgets.show_heatmap(
            widgets.heatmap_figure(
                thresholded,
                title=f"output y {oh}×{ow}",
                cell_px=figs.readable_cell_px(ow, cell),
                highlight=(r, c, 1, 1),
            ),
            key="inside_output",
        )
    with row.container(width=300):
        terms = " + ".join(
            f"w{_sub(ki, kj)}·x({pr + 1},{pc + 1})"
            for (_, pr, pc), (_, ki, kj) in zip(inputs.pixels, inputs.kernel_cells, strict=True)
        )
        st.markdown(f"**Neuron y({r + 1},{c + 1})** sees {len(inputs.weights)} input pixels:")
        st.markdown(f"y({r + 1},{c + 1}) = {terms}")
        st.markdown(f"= {trace.formula()}", help="kernel value × input value, row by row")
        if len(inputs.weights) < kernel.size:
            st.caption(
                f"{kernel.size - len(inputs.weights)} window cells lie on the zero padding: "
                "no pixel there, so no connection."
            )

    st.html(COUNTS_CSS)
    metrics = st.container(horizontal=True, gap="small", key="inside_counts")
    metrics.metric(
        "Weights: outputs × inputs",
        f"{counts.outputs} × {counts.inputs} = {counts.total}",
        border=True,
        width=250,
    )
    metrics.metric("Non-zero weights", counts.nonzero, border=True, width=150)
    metrics.metric(
        "Zero weights",
        counts.zero,
        f"{round(100 * counts.zero / counts.total)} % of all",
        delta_color="off",
        delta_arrow="off",
        border=True,
        width=150,
        help="0 outside the neuron's window, or where the kernel itself holds a 0",
    )
    metrics.metric(
        "Shared weights",
        counts.kernel_cells,
        "kernel values",
        delta_color="off",
        delta_arrow="off",
        border=True,
        width=170,
        help=f"All {counts.connected} connections inside the windows use the same "
        f"{counts.kernel_cells} kernel values",
    )

    by = st.segmented_control(
        "Colour the weights by",
        [session.COLOUR_BY_CELL, session.COLOUR_BY_VALUE],
        required=True,
        key=session.COLOUR_BY,
        persist_state="session",
        help="kernel cell: one colour per kernel cell, so shared weights share a colour. "
        "value: blue negative, white 0, red positive.",
    )
    st.caption(
        "Values in kernel ⇒ connection weights. One row per output neuron, one column per "
        "input pixel; a blank cell is a weight of 0 (the pixel is outside the neuron's "
        "window). Most of them are zeros, and every row repeats the same kernel values: "
        "shared weights."
    )
    widgets.show_heatmap(
        figs.weight_matrix_figure(
            matrix,
            sources,
            input_hw=(h, w),
            output_hw=(oh, ow),
            colour_by=by,
            selected_row=int(neuron),
            cell_px=matrix_cell_px(*matrix.shape),
        ),
        key="inside_matrix",
    )
    return stages


def _sub(i: int, j: int) -> str:
    return f"{i + 1}{j + 1}".translate(SUBSCRIPTS)


# --- 2. pooling as a neuron -----------------------------------------------------------------


def pooling_section(stages: Stages) -> None:
    st.subheader("Pooling: a neuron whose weights are fixed to 1")
    st.caption(f"Its inputs are the thresholded output above; {POOL_SIZE}×{POOL_SIZE} max pooling.")
    thresholded, pooled = stages.thresholded, stages.pooled
    if pooled is None:
        reason = (stages.error or "").removeprefix("Pooling: ")
        st.warning(f"No {POOL_SIZE}×{POOL_SIZE} pooling here: {md(reason, 300)}")
        return
    ph, pw = pooled.shape
    chosen = st.selectbox(
        "Pooled neuron",
        list(range(ph * pw)),
        format_func=lambda i: f"y({cell_name(i, pw)})",
        key=session.pool_cell_key(ph, pw),
    )
    r, c = divmod(int(chosen), pw)
    trace = pool_trace(thresholded, r, c, POOL_SIZE)
    cell = max(24, state.cell_px() - 8)
    row = st.container(horizontal=True, gap="medium", key="inside_pool_row")
    winner = None if trace.winner is None else (*trace.winner, 1, 1)
    with row.container(width="content"):
        widgets.show_heatmap(
            widgets.heatmap_figure(
                thresholded,
                title=f"input {thresholded.shape[0]}×{thresholded.shape[1]}",
                cell_px=figs.readable_cell_px(thresholded.shape[1], cell),
                highlight=trace.highlight,
                second_highlight=winner,
            ),
            key="inside_pool_input",
        )
    with row.container(width="content"):
        widgets.show_heatmap(
            widgets.heatmap_figure(
                pooled,
                title=f"output {ph}×{pw}",
                cell_px=figs.readable_cell_px(pw, cell),
                highlight=(r, c, 1, 1),
            ),
            key="inside_pooled",
        )
    with row.container(width=360):
        n = trace.window.size
        symbolic = ", ".join(
            f"w{str(i + 1).translate(SUBSCRIPTS)}x{str(i + 1).translate(SUBSCRIPTS)}"
            for i in range(n)
        )
        numbers = ", ".join(f"1·{format_number(v)}" for v in trace.window.ravel())
        st.markdown(f"**Neuron y({r + 1},{c + 1})**, weights fixed to 1:")
        st.markdown(f"y = max({symbolic})")
        st.markdown(f"= max({numbers}) = **{format_number(trace.value)}**")
        st.caption(
            "Activation: the maximum instead of a sum. The amber frame is its window, the "
            "green cell the winner; no weight here is learned."
        )


# --- 3. the whole network -------------------------------------------------------------------


def network_section() -> None:
    st.subheader("The whole network, neuron by neuron")
    model = network_sources.trained_model()
    lab_grid = network_sources.lab_drawing()
    if model is not None:
        size = int(model.config.grid_size)
        drawing = lab_grid if lab_grid is not None and lab_grid.shape == (size, size) else None
        if drawing is None:
            drawing = grids.resize_canvas(grids.DECK_O_8x8, size)
            st.caption(f"The lab has no {size}×{size} drawing: showing the deck's O.")
        network = model_network(model, drawing.astype(float))
        label = network.layers[-1].labels[int(np.argmax(network.layers[-1].values))]
        status = network_sources.model_status()
        st.markdown(
            f"The network from the Train page ({status}), for "
            f"{'the lab' if drawing is lab_grid else 'this'} drawing: it says **{md(label)}**."
        )
    else:
        drawing = lab_grid if lab_grid is not None else grids.DECK_O_8x8.copy()
        chosen, _ = network_sources.current_kernels()
        sizes = {k.shape for k in chosen}
        stack = np.stack([k for k in chosen if k.shape == chosen[0].shape])
        padding = "same" if all(s % 2 for s in chosen[0].shape) else "valid"
        if len(sizes) > 1:
            st.caption("Only the lab kernels of the first kernel's size are drawn.")
        network = feature_network(drawing, stack, padding, 0.0, POOL_SIZE, "max")
        st.info(
            "No trained model yet: this is the feature extraction with the lab's kernels "
            "(designed by experts). Train a model on the Train page to see its learned "
            "kernels, the dense layer and the output here."
        )
    width = 1150 if state.presenter() else 800
    st.caption(
        "Neurons are coloured by their activation for the drawing (blue negative, white 0, "
        "red positive); connections by their weight (learned weights blue to red, fixed "
        "weights grey). Connections that carry a signal for this drawing (weight × input "
        "≠ 0) are strong, the others faint. Hover a neuron for its value."
    )
    widgets.show_heatmap(figs.network_figure(network, width_px=width), key="inside_network")


st.title("Inside the network")
if not state.presenter():  # on the wall: room for the figure on the first screen
    st.caption(
        "CNNs can be converted into neural networks: convolution masks become connection "
        "weights, and gradient descent finds them."
    )
example = choose_example()
example_stages = convolution_section(example.drawing, example.kernel, example.padding)
if example_stages is not None:
    pooling_section(example_stages)
network_section()
