"""Plain-dict plotly figures for the Train page: learning curves, mosaics, axis labels.

Plain dicts, not `go.Figure`: they are about twice as fast to build and send, and the curves
are redrawn several times a second while the network trains. Loss and accuracy share one
figure (two panels side by side): one plotly chart costs the browser about half as much per
redraw as two (measured with bench/train_page.py's sampler). Nothing here computes a
model number; every value comes from `cnn_core` and is only drawn.
"""

from collections.abc import Callable, Sequence

import numpy as np

from cnn_core.trace import format_number
from playground.ui import widgets
from playground.ui.plain_text import svg

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
TRAIN_COLOUR = "#0072B2"  # blue
TEST_COLOUR = "#D55E00"  # vermillion

Points = tuple[Sequence[float], Sequence[float]]  # (x, y)

FRAME_COLOUR = "#9e9e9e"
MIN_WIDTH_PX = 150  # Streamlit draws a plotly chart at least this wide (measured in Chromium)


def percent(fraction: float) -> str:
    """0.9 → "90%"; but 0.995 → "99.5%", not a "100%" that hides the one mistake (and
    likewise near 0%)."""
    text = f"{fraction:.0%}"
    if (text == "100%" and fraction < 1) or (text == "0%" and fraction > 0):
        text = f"{fraction:.1%}"
    return text


def _trace(name: str, points: Points, colour: str, dash: str, axes: str, legend: bool) -> dict:
    x, y = points
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": list(x),
        "y": list(y),
        "xaxis": "x" + axes,
        "yaxis": "y" + axes,
        "line": {"color": colour, "width": 3, "dash": dash},
        "showlegend": legend,
        "legendgroup": name,
        "hovertemplate": f"epoch %{{x:.2f}}<br>{name} %{{y:.3f}}<extra></extra>",
    }


def curves_figure(
    *,
    loss: Points,
    test_loss: Points,
    accuracy: Points,
    test_accuracy: Points,
    x_max: float,
    height: int = 250,
) -> dict:
    """Loss (left) and accuracy (right) over training, each for the training drawings and
    the held-out test drawings. Points are (x, y) with x in epochs.

    The x axes are fixed to `[0, x_max]` so the curves grow across a still frame instead of
    the axes rescaling on every redraw.
    """
    x_axis = {
        "title": {"text": "epoch", "standoff": 4},
        "range": [0, max(float(x_max), 1e-9)],
        "fixedrange": True,
        "zeroline": False,
    }
    y_axis = {"fixedrange": True, "zeroline": False, "title": {"standoff": 4}}
    return {
        "data": [
            _trace("train", loss, TRAIN_COLOUR, "solid", "", True),
            _trace("test (held out)", test_loss, TEST_COLOUR, "dash", "", True),
            _trace("train", accuracy, TRAIN_COLOUR, "solid", "2", False),
            _trace("test (held out)", test_accuracy, TEST_COLOUR, "dash", "2", False),
        ],
        "layout": {
            "height": height,
            "margin": {"l": 56, "r": 12, "t": 34, "b": 42},
            "font": {"size": 14},
            "xaxis": {**x_axis, "domain": [0.0, 0.44]},
            "xaxis2": {**x_axis, "domain": [0.56, 1.0], "anchor": "y2"},
            "yaxis": {**y_axis, "title": {"text": "loss"}, "rangemode": "tozero"},
            "yaxis2": {**y_axis, "title": {"text": "accuracy"}, "range": [0, 1.02],
                       "anchor": "x2", "tickformat": ".0%"},
            "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02,
                       "yanchor": "bottom"},
            # Keep zoom and legend clicks across the many redraws of a live run.
            "uirevision": "train-curves",
        },
    }  # fmt: skip


def mosaic_figure(
    tiles: np.ndarray,
    *,
    titles: Sequence[str],
    cell_px: int,
    per_row: int,
    fmt: Callable[[float], str] = format_number,
    zmax: float | None = None,
    signed: bool = True,
    colorscale: list | None = None,
    gap: int = 1,
) -> dict:
    """Several small maps (kernels, drawings) as ONE heatmap figure: side by side, `per_row`
    to a row, `gap` empty cells between them, each with its title above it.

    tiles : (N, k, k). One heatmap trace instead of N charts: the browser redraws it several
    times faster, which matters while the kernels change live. Built with
    `widgets.heatmap_figure` (its colours, cell size and numbers, written by `fmt`); the gaps
    are NaN cells, drawn transparent and left without text.
    """
    tiles = np.asarray(tiles, dtype=float)
    if tiles.ndim != 3 or tiles.shape[1] != tiles.shape[2]:
        raise ValueError(f"tiles must have shape (N, k, k), got {tiles.shape}")
    count, k, _ = tiles.shape
    if len(titles) != count:
        raise ValueError(f"{count} tiles need {count} titles, got {len(titles)}")
    per_row = max(1, min(per_row, count))
    rows = -(-count // per_row)
    step = k + gap  # a tile and the empty cells after it
    mosaic = np.full((rows * step - gap, per_row * step - gap), np.nan)
    for n, tile in enumerate(tiles):
        top, left = (n // per_row) * step, (n % per_row) * step
        mosaic[top : top + k, left : left + k] = tile

    def text(value: float) -> str:
        return "" if np.isnan(value) else fmt(value)

    fig = widgets.heatmap_figure(mosaic, title="", signed=signed, cell_px=cell_px, fmt=text,
                                 zmax=zmax, colorscale=colorscale, origin=(0, 0))  # fmt: skip
    trace = fig["data"][0]
    trace["hovertemplate"] = "%{text}<extra></extra>"
    layout = fig["layout"]
    margin = {"l": 2, "r": 2, "t": 24, "b": 4, "pad": 0}
    # The chart is never drawn narrower than MIN_WIDTH_PX (a narrower figure is stretched to
    # it and cropped): pad on the right instead, so the cells stay square and whole.
    margin["r"] = max(margin["r"], MIN_WIDTH_PX - mosaic.shape[1] * cell_px - margin["l"])
    layout.update(
        {
            "margin": margin,
            "width": mosaic.shape[1] * cell_px + margin["l"] + margin["r"],
            "height": mosaic.shape[0] * cell_px + margin["t"] + margin["b"],
            "plot_bgcolor": "rgba(0,0,0,0)",  # the gaps between tiles stay empty
            "title": None,
            # A thin frame around each tile: white paper and zero weights have an edge too.
            "shapes": [
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "y",
                    "x0": (n % per_row) * step - 0.5,
                    "x1": (n % per_row) * step + k - 0.5,
                    "y0": (n // per_row) * step - 0.5,
                    "y1": (n // per_row) * step + k - 0.5,
                    "line": {"color": FRAME_COLOUR, "width": 1},
                    "layer": "above",
                }
                for n in range(count)
            ],
            "annotations": [
                {
                    "text": f"<b>{title}</b>",
                    "x": (n % per_row) * step - 0.5,
                    "y": (n // per_row) * step - 0.5,
                    "xref": "x",
                    "yref": "y",
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 13},
                }
                for n, title in enumerate(titles)
            ],
        }
    )
    for axis in ("xaxis", "yaxis"):
        layout[axis]["showticklabels"] = False
    return fig


def mosaic_tiles(fig: dict, count: int, k: int, per_row: int, gap: int = 1) -> np.ndarray:
    """The (count, k, k) tiles drawn in a `mosaic_figure` (for tests)."""
    z = np.asarray(fig["data"][0]["z"], dtype=float)
    step = k + gap
    return np.stack(
        [
            z[(n // per_row) * step : (n // per_row) * step + k,
              (n % per_row) * step : (n % per_row) * step + k]
            for n in range(count)
        ]
    )  # fmt: skip


def label_axes(fig: dict, *, x_labels: Sequence[str], y_labels: Sequence[str]) -> dict:
    """Name the columns and rows of a heatmap figure (e.g. a confusion matrix's classes).

    `fig` is a plain-dict heatmap (as `widgets.heatmap_figure` builds): its first trace's `x`
    and `y` are the cell positions, which get the class names as tick text. Returns `fig`
    (changed in place) for chaining.
    """
    trace = fig["data"][0]
    layout = fig.setdefault("layout", {})
    for axis, positions, labels in (
        ("xaxis", trace["x"], x_labels),
        ("yaxis", trace["y"], y_labels),
    ):
        if len(positions) != len(labels):
            raise ValueError(
                f"{axis} has {len(positions)} cells but {len(labels)} labels were given"
            )
        layout.setdefault(axis, {})
        layout[axis].update(
            {
                "tickmode": "array",
                "tickvals": list(positions),
                "ticktext": [svg(label) for label in labels],  # labels are user text
                "tickfont": {"size": 16},
            }
        )
    return fig
