"""Figures for "Inside the network": the weight matrix, a pooling neuron, the whole network.

Plain-dict plotly figures (faster to build and send than ``go.Figure``), like
``playground.ui.widgets``. Every number comes from ``cnn_core`` (``conv_matrix``,
``network_graph``); this module only decides colours and positions on screen.
"""

from __future__ import annotations

import numpy as np

from cnn_core.network_graph import Network, layered_layout
from cnn_core.trace import format_number
from playground.ui import widgets
from playground.ui.plain_text import svg

# Paul Tol's "muted" palette: nine qualitative colours told apart with colour-vision
# deficiencies; one per kernel cell, so every shared weight has one colour everywhere.
KERNEL_CELL_COLOURS = (
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
NOT_CONNECTED = "#ffffff"
AXIS_FONT = {"size": 12}
_PLOT_BG = "#d9d9d9"  # shows through the gaps between cells as grid lines


def cell_colour_scale(n_cells: int) -> list:
    """A stepwise scale for codes 0 … n_cells: 0 (not connected) white, k + 1 kernel cell k's
    colour; use it with zmin = -0.5 and zmax = n_cells + 0.5 so each code is mid-band."""
    colours = [NOT_CONNECTED, *KERNEL_CELL_COLOURS[:n_cells]]
    steps = len(colours)
    scale = []
    for index, colour in enumerate(colours):
        scale += [[index / steps, colour], [(index + 1) / steps, colour]]
    return scale


def pixel_names(shape) -> list[str]:
    """``"r,c"`` (1-based, as the deck counts) for each cell of an (H, W) grid, row-major."""
    h, w = shape
    return [f"{r + 1},{c + 1}" for r in range(h) for c in range(w)]


def weight_matrix_figure(
    matrix: np.ndarray,
    sources: np.ndarray,
    *,
    input_hw: tuple[int, int],
    output_hw: tuple[int, int],
    colour_by: str = "kernel cell",
    selected_row: int | None = None,
    cell_px: int = 24,
) -> dict:
    """The convolution's weight matrix: one row per output neuron, one column per input pixel.

    matrix : (oh·ow, H·W) from ``conv_matrix``; sources : same shape, from ``weight_sources``
        (the kernel cell behind each weight, -1 where the neuron does not see the pixel)
    colour_by : "kernel cell" (shared weights share a colour; up to 9 kernel cells) or "value"
    selected_row : the output neuron to outline, or None
    """
    rows, cols = matrix.shape
    connected = sources >= 0
    show_text = cell_px >= 16  # smaller cells show the pattern; hover gives the numbers
    n_cells = int(sources.max()) + 1 if connected.any() else 0
    by_cell = colour_by == "kernel cell" and n_cells <= len(KERNEL_CELL_COLOURS)
    if by_cell:
        z = (sources + 1).tolist()
        # Category k sits in the middle of its colour band: zmin/zmax half a step outside.
        colour = {"colorscale": cell_colour_scale(n_cells), "zmin": -0.5, "zmax": n_cells + 0.5}
    else:
        zmax = max(float(np.abs(matrix).max()), 1.0)
        z = (matrix + 0.0).tolist()
        colour = {"colorscale": widgets.SIGNED_SCALE, "zmin": -zmax, "zmax": zmax}
    # Ticks and hover name neurons and pixels by (row, column), as the deck does.
    x_names, y_names = pixel_names(input_hw), pixel_names(output_hw)
    where = "output neuron y(%{y}) ← input pixel x(%{x})"
    trace = {
        "type": "heatmap",
        "z": z,
        "x": x_names,
        "y": y_names,
        "showscale": False,
        "xgap": 1 if cell_px >= 6 else 0,
        "ygap": 1 if cell_px >= 6 else 0,
        **colour,
    }
    if show_text:
        trace |= {
            "text": [
                [format_number(v) if ok else "" for v, ok in zip(r, c, strict=True)]
                for r, c in zip(matrix.tolist(), connected.tolist(), strict=True)
            ],
            "texttemplate": "%{text}",
            "textfont": {"size": max(9, min(15, round(cell_px * 0.45)))},
            "customdata": matrix.tolist(),
            "hovertemplate": f"{where}: weight %{{customdata}}<extra></extra>",
        }
    else:
        # Large matrices (a 16×16 drawing: 65,536 weights) travel without text: far lighter.
        weight = "kernel cell %{z}" if by_cell else "weight %{z}"
        trace["hovertemplate"] = f"{where}: {weight}<extra></extra>"
    step_x = 1 if cell_px >= 22 else max(1, round(22 / cell_px))
    step_y = 1 if cell_px >= 14 else max(1, round(14 / cell_px))
    shapes = []
    if selected_row is not None:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": -0.5,
                "x1": cols - 0.5,
                "y0": selected_row - 0.5,
                "y1": selected_row + 0.5,
                "line": {"color": widgets.HIGHLIGHT_COLOR, "width": 3},
                "fillcolor": "rgba(0,0,0,0)",
                "layer": "above",
            }
        )
    margin = {"l": 64, "r": 8, "t": 8, "b": 64}
    axis = {"showgrid": False, "zeroline": False, "fixedrange": True, "ticks": ""}
    layout = {
        "width": cols * cell_px + margin["l"] + margin["r"],
        "height": rows * cell_px + margin["t"] + margin["b"],
        "margin": {**margin, "pad": 0},
        "plot_bgcolor": _PLOT_BG,
        "xaxis": {
            **axis,
            "type": "category",
            "tickvals": x_names[::step_x],
            "tickangle": -90,
            "tickfont": {"size": 11},
            "title": {"text": "input pixel x(row,col)", "font": AXIS_FONT, "standoff": 4},
        },
        "yaxis": {
            **axis,
            "type": "category",
            "autorange": "reversed",
            "tickvals": y_names[::step_y],
            "tickfont": {"size": 11},
            "title": {"text": "output neuron y(row,col)", "font": AXIS_FONT, "standoff": 4},
        },
        "shapes": shapes,
        "dragmode": False,
    }
    return {"data": [trace], "layout": layout}


# plotly lays out heatmaps narrower than about 150 px wrongly (the last column shrinks to a
# sliver, measured with a 2×2 map at 36 px cells), so narrow maps get bigger cells.
MIN_FIGURE_CELLS_PX = 120


def readable_cell_px(n_cols: int, cell_px: int) -> int:
    """``cell_px``, or more for a map so narrow that plotly would squash its last column."""
    return max(int(cell_px), -(-MIN_FIGURE_CELLS_PX // max(int(n_cols), 1)))


def kernel_cells_figure(kernel: np.ndarray, *, cell_px: int, title: str = "kernel") -> dict:
    """The kernel with each cell in its own colour (the colours of the weight matrix)."""
    kh, kw = kernel.shape
    cell_px = readable_cell_px(kw, cell_px)
    codes = np.arange(1, kh * kw + 1).reshape(kh, kw)
    if kh * kw > len(KERNEL_CELL_COLOURS):
        return widgets.heatmap_figure(kernel, title=title, cell_px=cell_px)
    fig = widgets.heatmap_figure(
        codes, title=title, signed=False, cell_px=cell_px, colorscale=cell_colour_scale(kh * kw)
    )
    # The colour says which kernel cell (as in the weight matrix), the text its value.
    fig["data"][0].update(
        zmin=-0.5,
        zmax=kh * kw + 0.5,
        text=widgets.cell_text(np.asarray(kernel, dtype=float)),
        hovertemplate="kernel row %{y}, column %{x}: %{text}<extra></extra>",
    )
    return fig


# --- the whole network ----------------------------------------------------------------------

LAYER_TITLES = {
    "input": "input",
    "convolution": "convolution",
    "threshold": "threshold",
    "convolution 2": "convolution 2",
    "threshold 2": "threshold 2",
    "pooling": "pooling",
    "dense": "dense",
    "output": "output",
}
EDGE_BINS = 9  # weights are drawn in this many colours (one line trace each)
NEUTRAL_EDGE = "#9e9e9e"  # fixed weights (threshold, max pooling, softmax)


def _edge_colour(index: int) -> str:
    """Colour of weight bin ``index`` of ``EDGE_BINS`` on the heatmaps' signed scale."""
    colours = [colour for _, colour in widgets.SIGNED_SCALE]
    return colours[round(index * (len(colours) - 1) / (EDGE_BINS - 1))]


def network_figure(
    network: Network,
    *,
    width_px: int = 800,
    max_unit_px: float = 28.0,
    strong_opacity: float = 0.7,
    faint_opacity: float = 0.08,
) -> dict:
    """Layers of neurons left to right, coloured by activation; connections coloured by weight.

    Maps keep their rows and columns (one small grid of neurons per map); vectors are columns.
    Learned weights (convolution, dense) are coloured blue (negative) to red (positive); fixed
    weights (threshold 1, max pooling 1, softmax) are grey.
    """
    layouts = layered_layout(network.shapes)
    all_xy = np.concatenate([layout.xy for layout in layouts])
    x0, x1 = float(all_xy[:, 0].min()) - 1, float(all_xy[:, 0].max()) + 5  # + class names
    y0, y1 = float(all_xy[:, 1].min()) - 4, float(all_xy[:, 1].max()) + 1  # + layer titles
    unit_px = min(max_unit_px, (width_px - 20) / (x1 - x0))  # one neuron spacing, in pixels
    traces: list[dict] = []

    # Connections first, so the neurons are drawn on top. A connection that carries a signal
    # for this drawing (weight × its input neuron's activation ≠ 0) is drawn strong, the others
    # faint: for the input layer only the inked pixels' connections stand out.
    learned = [e for e in network.edges if not np.all(e.weight == e.weight[:1])]
    scale = max((float(np.abs(e.weight).max()) for e in learned), default=1.0) or 1.0
    for edges in network.edges:
        src_xy = layouts[edges.source].xy[edges.src]
        dst_xy = layouts[edges.target].xy[edges.dst]
        inputs = np.asarray(network.layers[edges.source].values, dtype=float).ravel()[edges.src]
        active = np.abs(edges.weight * inputs) > 1e-12
        fixed = edges not in learned
        bins = (
            np.zeros(len(edges), dtype=int)
            if fixed
            else np.clip(
                np.rint((edges.weight / scale + 1) / 2 * (EDGE_BINS - 1)), 0, EDGE_BINS - 1
            ).astype(int)
        )
        for b in np.unique(bins):
            for strong in (False, True):
                pick = (bins == b) & (active == strong)
                if pick.any():
                    traces.append(
                        _lines(
                            src_xy[pick],
                            dst_xy[pick],
                            colour=NEUTRAL_EDGE if fixed else _edge_colour(int(b)),
                            opacity=strong_opacity if strong else faint_opacity,
                            width=1.4 if strong else 1.0,
                        )
                    )

    annotations = []
    for layer, layout in zip(network.layers, layouts, strict=True):
        values = np.asarray(layer.values, dtype=float)
        flat = values.ravel()
        signed = bool((flat < 0).any())
        vmax = max(float(np.abs(flat).max()), 1e-9)
        hover = _node_hover(layer)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text" if layer.labels else "markers",
                "x": layout.xy[:, 0].tolist(),
                "y": layout.xy[:, 1].tolist(),
                "text": (
                    [
                        f"{svg(name)} {format_number(round(v, 2))}"  # labels are user text
                        for name, v in zip(layer.labels, flat, strict=True)
                    ]
                    if layer.labels
                    else None
                ),
                # Above a dense neuron (its inputs come from the left and right), beside an
                # output neuron (nothing on its right).
                "textposition": "top center" if layer.name == "dense" else "middle right",
                "textfont": {"size": 13},
                "hovertext": hover,
                "hoverinfo": "text",
                "marker": {
                    "size": max(6.0, unit_px * 0.62) if not layer.labels else unit_px * 0.9,
                    "color": flat.tolist(),
                    "colorscale": widgets.SIGNED_SCALE if signed else widgets.POSITIVE_SCALE,
                    "cmin": -vmax if signed else 0.0,
                    "cmax": vmax,
                    "line": {"color": "#424242", "width": 1},
                },
                "showlegend": False,
            }
        )
        shape = "×".join(str(n) for n in values.shape)
        annotations.append(
            {
                "x": (layout.left + layout.right) / 2,
                "y": float(layout.xy[:, 1].min()) - 1.6,
                "xref": "x",
                "yref": "y",
                "text": f"<b>{LAYER_TITLES.get(layer.name, layer.name)}</b><br>{shape}",
                "showarrow": False,
                "font": {"size": 13},
                "yanchor": "bottom",
            }
        )

    axis = {"visible": False, "fixedrange": True}
    return {
        "data": traces,
        "layout": {
            "width": round((x1 - x0) * unit_px) + 20,
            "height": round((y1 - y0) * unit_px) + 20,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {**axis, "range": [x0, x1]},
            "yaxis": {**axis, "range": [y1, y0]},  # y grows downwards, like rows
            "plot_bgcolor": "#ffffff",
            "annotations": annotations,
            "hovermode": "closest",
            "dragmode": False,
        },
    }


def _lines(start: np.ndarray, end: np.ndarray, *, colour, opacity, width) -> dict:
    """One scatter trace drawing a segment from each start (n, 2) to each end (n, 2)."""
    n = len(start)
    xs = np.full((n, 3), np.nan)
    ys = np.full((n, 3), np.nan)
    xs[:, 0], xs[:, 1] = start[:, 0], end[:, 0]
    ys[:, 0], ys[:, 1] = start[:, 1], end[:, 1]
    return {
        "type": "scatter",
        "mode": "lines",
        # None between segments: plotly lifts the pen there.
        "x": [None if np.isnan(v) else round(float(v), 3) for v in xs.ravel()],
        "y": [None if np.isnan(v) else round(float(v), 3) for v in ys.ravel()],
        "line": {"color": colour, "width": width},
        "opacity": opacity,
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _node_hover(layer) -> list[str]:
    values = np.asarray(layer.values, dtype=float)
    bias = None if layer.bias is None else np.asarray(layer.bias, dtype=float).ravel()
    texts = []
    if values.ndim == 3:
        channels, h, w = values.shape
        for index, v in enumerate(values.ravel()):
            k, rest = divmod(index, h * w)
            r, c = divmod(rest, w)
            where = f"map {k + 1}, " if channels > 1 else ""
            extra = "" if bias is None else f" (bias {format_number(round(bias[index], 3))})"
            texts.append(
                f"{layer.name}: {where}row {r + 1}, column {c + 1} = "
                f"{format_number(round(v, 3))}{extra}"
            )
    else:
        for index, v in enumerate(values):
            name = svg(layer.labels[index]) if layer.labels else str(index + 1)
            extra = "" if bias is None else f" (bias {format_number(round(bias[index], 3))})"
            texts.append(f"{layer.name} {name} = {format_number(round(v, 3))}{extra}")
    return texts
